#include "daemon/web_routes.hpp"

#include "outputs/parse_json.hpp"
#include "web/web_assets.hpp"

namespace ikewatch::daemon {

namespace {

constexpr std::string_view json_type = "application/json";

bool starts(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}

status_reply page() {
    const web::asset* index = web::find_asset("index.html");
    return {std::string(index->data), std::string(index->content_type), 200,
            std::string(index->etag), true};
}

// A small hash of the request target, so one URL's ETag never matches another's.
std::uint32_t target_hash(std::string_view s) {
    std::uint32_t h = 2166136261U;
    for (const char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619U;
    }
    return h;
}

}  // namespace

std::optional<std::pair<std::string, std::string>> split_peer_path(std::string_view rest) {
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 >= rest.size() ||
        rest.find('/', slash + 1) != std::string_view::npos) {
        return std::nullopt;
    }
    auto device = outputs::percent_decode(rest.substr(0, slash), false);
    auto peer = outputs::percent_decode(rest.substr(slash + 1), false);
    if (!device || !peer || device->empty() || peer->empty()) {
        return std::nullopt;
    }
    return std::pair{std::move(*device), std::move(*peer)};
}

web_routes::web_routes(const pipeline::sharded_pipeline& pipe, std::function<micros()> wall_now)
    : pipe_(pipe), wall_now_(std::move(wall_now)) {}

outputs::shard_visitor web_routes::shards() const {
    const micros wall = wall_now_();
    return outputs::visit_pipeline(pipe_, [wall](const pipeline::pipeline& p, std::string_view d) {
        return p.device_now_at(d, wall);
    });
}

outputs::page_context web_routes::context() {
    const outputs::page_fingerprint f = outputs::fingerprint(shards(), history_);
    if (!(f == last_) || seq_ == 0) {
        last_ = f;
        ++seq_;
    }
    return {seq_, true, wall_now_()};
}

std::optional<status_reply> web_routes::handle(const status_request& request) {
    const std::string_view target = request.target;
    const std::size_t q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
    if (path == "/" || starts(path, "/peer/")) {
        return page();
    }
    if (path == "/alerts") {
        // A browser navigating gets the page; every other client the JSON, as before.
        if (request.accept.find("text/html") == std::string_view::npos) {
            return std::nullopt;
        }
        return page();
    }
    if (starts(path, "/ui/")) {
        const web::asset* a = web::find_asset(path.substr(4));
        if (a == nullptr || a->name == "index.html") {
            return std::nullopt;
        }
        if (request.if_none_match == a->etag) {
            return status_reply{{}, {}, 304, std::string(a->etag), false};
        }
        return status_reply{std::string(a->data), std::string(a->content_type), 200,
                            std::string(a->etag), false};
    }
    if (starts(path, "/api/")) {
        return api(path.substr(4), query, request);
    }
    return std::nullopt;
}

std::optional<status_reply> web_routes::api(std::string_view path, std::string_view query,
                                            const status_request& request) {
    const outputs::page_context ctx = context();
    const std::string etag = "\"seq-" + std::to_string(ctx.seq) + "-" +
                             std::to_string(target_hash(request.target)) + "\"";
    const bool known = path == "/fleet" || path == "/alerts" || starts(path, "/peer/");
    if (!known) {
        return std::nullopt;
    }
    if (request.if_none_match == etag) {
        return status_reply{{}, {}, 304, etag, false};
    }
    std::optional<nlohmann::json> body;
    if (path == "/fleet") {
        body = outputs::fleet_json(shards(), outputs::parse_fleet_query(query), ctx);
    } else if (path == "/alerts") {
        body = outputs::alerts_page_json(shards(), history_, ctx);
    } else if (const auto dp = split_peer_path(path.substr(6))) {
        body = outputs::peer_page_json(shards(), dp->first, dp->second, ctx);
        if (!body) {
            nlohmann::json missing{{"schema", 1}, {"error", "peer not known"}};
            return status_reply{
                outputs::dump_json(missing) + "\n", std::string(json_type), 404, {}, false};
        }
    } else {
        return std::nullopt;
    }
    return status_reply{outputs::dump_json(*body) + "\n", std::string(json_type), 200, etag, false};
}

}  // namespace ikewatch::daemon

#include "outputs/kafka_url.hpp"

#include "common/text.hpp"

namespace ikewatch::outputs {

namespace {

constexpr std::string_view scheme = "kafka://";
constexpr std::string_view default_port = "9092";

// One `host[:port]` or `[v6][:port]`, written back with its port.
std::optional<std::string> broker(std::string_view b) {
    std::string_view host = b;
    std::string_view port;
    if (!b.empty() && b.front() == '[') {
        const std::size_t close = b.find(']');
        if (close == std::string_view::npos ||
            (close + 1 < b.size() && (b[close + 1] != ':' || close + 2 == b.size()))) {
            return std::nullopt;
        }
        host = b.substr(0, close + 1);
        port = close + 1 < b.size() ? b.substr(close + 2) : std::string_view{};
        if (host.size() <= 2) {
            return std::nullopt;
        }
    } else if (const std::size_t colon = b.find(':'); colon != std::string_view::npos) {
        host = b.substr(0, colon);
        port = b.substr(colon + 1);
        if (port.empty()) {
            return std::nullopt;
        }
    }
    if (host.empty() || host.find_first_of(" \t/@") != std::string_view::npos) {
        return std::nullopt;
    }
    if (port.empty()) {
        port = default_port;
    }
    const auto number = text::to_number<unsigned>(port);
    if (!number || *number == 0 || *number > 65535) {
        return std::nullopt;
    }
    return std::string(host) + ":" + std::string(port);
}

}  // namespace

bool kafka_topic_ok(std::string_view topic) noexcept {
    if (topic.empty() || topic.size() > 249 || topic == "." || topic == "..") {
        return false;
    }
    for (const char c : topic) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

std::optional<std::string> kafka_broker_list(std::string_view brokers) {
    std::string out;
    for (;;) {
        const std::size_t comma = brokers.find(',');
        const auto one = broker(brokers.substr(0, comma));
        if (!one) {
            return std::nullopt;
        }
        out += (out.empty() ? "" : ",") + *one;
        if (comma == std::string_view::npos) {
            return out;
        }
        brokers = brokers.substr(comma + 1);
    }
}

std::optional<kafka_url> kafka_url::parse(std::string_view url) {
    if (!url.starts_with(scheme)) {
        return std::nullopt;
    }
    url.remove_prefix(scheme.size());
    const std::size_t slash = url.find('/');
    if (slash == std::string_view::npos || !kafka_topic_ok(url.substr(slash + 1))) {
        return std::nullopt;
    }
    auto brokers = kafka_broker_list(url.substr(0, slash));
    if (!brokers) {
        return std::nullopt;
    }
    return kafka_url{std::move(*brokers), std::string(url.substr(slash + 1))};
}

}  // namespace ikewatch::outputs

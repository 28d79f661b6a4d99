#include "parsers/show_sa_parser.hpp"

#include <algorithm>

#include "common/text.hpp"

namespace ikewatch::parsers {

namespace {

std::vector<std::string_view> tokens_of(std::string_view line) {
    std::vector<std::string_view> out;
    std::string_view rest = line;
    while (true) {
        const std::string_view t = text::next_token(rest, rest);
        if (t.empty()) {
            break;
        }
        out.push_back(t);
    }
    return out;
}

bool all_digits(std::string_view t) noexcept {
    return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return text::is_digit(c); });
}

bool address_like(std::string_view t) noexcept {
    if (t.size() < 3 || t.size() > 45) {
        return false;
    }
    bool digit = false;
    bool sep = false;
    for (char c : t) {
        if (text::is_digit(c)) {
            digit = true;
        } else if (c == '.' || c == ':') {
            sep = true;
        } else if (!text::is_hex(c)) {
            return false;
        }
    }
    return digit && sep;
}

bool state_like(std::string_view t) noexcept {
    if (t.size() < 4) {
        return false;
    }
    for (char c : t) {
        if (!(text::is_alnum(c) || c == '_' || c == '-')) {
            return false;
        }
    }
    return t.find('_') != std::string_view::npos || text::iequals(t, "READY");
}

ike_role role_of(std::string_view t) noexcept {
    if (text::istarts_with(t, "init")) {
        return ike_role::initiator;
    }
    if (text::istarts_with(t, "resp")) {
        return ike_role::responder;
    }
    return ike_role::unknown;
}

// The value after `key` and an optional ':' (`State   : MM_ACTIVE`).
std::string_view value_after_key(std::string_view line, std::string_view key) {
    const std::size_t at = text::find(line, key);
    if (at == std::string_view::npos) {
        return {};
    }
    std::string_view rest = line.substr(at + key.size());
    rest = text::ltrim(rest);
    if (!rest.empty() && rest.front() == ':') {
        rest.remove_prefix(1);
    }
    std::string_view after;
    return text::next_token(rest, after);
}

std::size_t index_of(const std::vector<std::string_view>& t, std::string_view word) {
    const auto it = std::find(t.begin(), t.end(), word);
    return it == t.end() ? std::string_view::npos : static_cast<std::size_t>(it - t.begin());
}

}  // namespace

void to_event(const show_row& row, std::string_view fallback_device, event& e) noexcept {
    e.clear();
    e.kind = event_kind::show_state;
    e.device = row.device.empty() ? fallback_device : std::string_view(row.device);
    e.set_peer(row.peer);
    e.state_name = row.state;
    e.role = row.role;
    e.ike_version = row.ike_version;
    e.set(field::state, row.state);
}

void show_sa_parser::flush_ios() {
    if (pending_.empty()) {
        return;
    }
    // The device's own address is the one every row shares.
    std::string local;
    if (pending_.size() > 1) {
        for (const std::string& cand : {pending_[0].dst, pending_[0].src}) {
            const bool everywhere =
                std::all_of(pending_.begin(), pending_.end(),
                            [&](const ios_row& r) { return r.dst == cand || r.src == cand; });
            if (everywhere) {
                local = cand;
                break;
            }
        }
    }
    if (local.empty()) {
        const auto it = local_address_.find(device_);
        if (it != local_address_.end()) {
            local = it->second;
        }
    } else {
        local_address_[device_] = local;
    }
    for (const ios_row& r : pending_) {
        show_row row;
        row.device = device_;
        row.state = r.state;
        if (r.dst == local) {
            row.peer = r.src;
            row.role = ike_role::responder;  // src is the side that initiated
        } else if (r.src == local) {
            row.peer = r.dst;
            row.role = ike_role::initiator;
        } else {
            row.peer = r.dst;
            row.role = ike_role::initiator;
        }
        out_.push_back(std::move(row));
    }
    pending_.clear();
}

bool show_sa_parser::ios_table_row(const std::vector<std::string_view>& t, std::size_t at) {
    // dst src state conn-id [slot] status
    if (t.size() >= at + 3 && address_like(t[at]) && address_like(t[at + 1]) &&
        state_like(t[at + 2])) {
        pending_.push_back({std::string(t[at]), std::string(t[at + 1]), std::string(t[at + 2])});
        return true;
    }
    return false;
}

void show_sa_parser::asa_fields(std::string_view line) {
    std::string_view peer = value_after_key(line, "IKE Peer:");
    if (!peer.empty() && peer.front() == '{') {
        // A placeholder some posters put in: `{Public IP address of London ASA}`.
        const std::size_t open = text::find(line, peer);
        const std::size_t close = line.find('}', open);
        peer = line.substr(
            open, close == std::string_view::npos ? std::string_view::npos : close - open + 1);
    }
    if (!peer.empty()) {
        asa_peer_ = std::string(peer);
        asa_role_ = ike_role::unknown;
    }
    const std::string_view role = value_after_key(line, "Role");
    if (!role.empty()) {
        asa_role_ = role_of(role);
    }
    const std::string_view state = value_after_key(line, "State");
    if (!state.empty() && !asa_peer_.empty()) {
        show_row row;
        row.device = device_;
        row.peer = asa_peer_;
        row.state = std::string(state);
        row.role = asa_role_;
        out_.push_back(std::move(row));
        asa_peer_.clear();
    }
}

std::span<const show_row> show_sa_parser::feed(std::string_view line) {
    out_.clear();
    line = text::trim(line);
    if (line.empty()) {
        flush_ios();
        if (table_ != table::ios) {
            table_ = table::none;
        }
        return out_;
    }
    if (line.front() == '!') {
        return out_;  // annotations in books
    }
    std::vector<std::string_view> t = tokens_of(line);
    // A command echoed without a prompt starts output of an unnamed device.
    if (t[0] == "sh" || t[0] == "show") {
        flush_ios();
        table_ = table::none;
        device_.clear();
        return out_;
    }
    // A prompt: `Hub-RTR#show crypto isakmp sa`, `ASA-LAB1# show isakmp sa`, `PIX-A#`.
    if (const std::size_t hash = t[0].find('#'); hash != std::string_view::npos && hash > 0) {
        flush_ios();
        table_ = table::none;
        device_ = std::string(t[0].substr(0, hash));
        const std::string_view first_rest = t[0].substr(hash + 1);
        t.erase(t.begin());
        if (!first_rest.empty()) {
            t.insert(t.begin(), first_rest);
        }
    }
    // IOS table header (possibly collapsed with its rows onto one line).
    if (const std::size_t dst = index_of(t, "dst"); dst != std::string_view::npos &&
                                                    dst + 2 < t.size() && t[dst + 1] == "src" &&
                                                    t[dst + 2] == "state") {
        flush_ios();
        table_ = table::ios;
        const std::size_t status = index_of(t, "status");
        if (status != std::string_view::npos) {
            for (std::size_t i = status + 1; i + 2 < t.size(); ++i) {
                if (address_like(t[i]) && address_like(t[i + 1])) {
                    ios_table_row(t, i);
                    break;
                }
            }
        }
        flush_ios();
        return out_;
    }
    if (index_of(t, "C-id") == 0) {
        flush_ios();
        table_ = table::ios_detail;
        return out_;
    }
    if (index_of(t, "Tunnel-id") == 0) {
        table_ = table::ikev2;
        return out_;
    }
    if (t.size() >= 5 && t[0] == "IKE" && t[1] == "Peer" && t[2] == "Type") {
        table_ = table::ntc;
        return out_;
    }
    if (text::find(line, "IKE Peer:") != std::string_view::npos ||
        (!asa_peer_.empty() && (text::find(line, "Role") != std::string_view::npos ||
                                text::find(line, "State") != std::string_view::npos))) {
        asa_fields(line);
        return out_;
    }
    switch (table_) {
        case table::ios:
            // Blank lines never reach us (the record splitter drops them), so any line that is
            // not a row ends the table (e.g. the `IPv6 Crypto ISAKMP SA` title between tables).
            if (!ios_table_row(t, 0)) {
                flush_ios();
            }
            break;
        case table::ios_detail:
            // C-id Local Remote [I-VRF] Status …: no state column; the SA is listed as ACTIVE.
            if (t.size() >= 4 && address_like(t[1]) && address_like(t[2])) {
                show_row row;
                row.device = device_;
                row.peer = std::string(t[2]);
                const std::size_t status = index_of(t, "ACTIVE");
                row.state = status == std::string_view::npos ? "UNKNOWN" : "ACTIVE";
                out_.push_back(std::move(row));
            }
            break;
        case table::ntc:
            // 1 209.165.200.225 User Resp No AM_Active 3des SHA preshrd 86400
            if (t.size() >= 6 && address_like(t[1]) && state_like(t[5])) {
                show_row row;
                row.device = device_;
                row.peer = std::string(t[1]);
                row.role = role_of(t[3]);
                row.state = std::string(t[5]);
                out_.push_back(std::move(row));
            }
            break;
        case table::ikev2:
            // 3686011 2001:db8:2:1::1/500 2001:db8:2:1::2/500 READY INITIATOR
            if (t.size() >= 5 && all_digits(t[0]) && t[1].find('/') != std::string_view::npos &&
                t[2].find('/') != std::string_view::npos) {
                show_row row;
                row.device = device_;
                row.peer = std::string(t[2].substr(0, t[2].rfind('/')));
                row.state = std::string(t[3]);
                row.role = role_of(t[4]);
                row.ike_version = 2;
                out_.push_back(std::move(row));
            }
            break;
        case table::none:
            break;
    }
    return out_;
}

std::span<const show_row> show_sa_parser::finish() {
    out_.clear();
    flush_ios();
    return out_;
}

}  // namespace ikewatch::parsers

#include "parsers/event.hpp"

#include "common/ip_address.hpp"

namespace ikewatch::parsers {

namespace {

constexpr std::array<std::string_view, field_count> field_names{
    "group",         "user",          "reason",     "direction",  "exchange",     "msgid",
    "payloads",      "mode",          "role",       "state",      "old_state",    "new_state",
    "phase",         "protocol",      "src_ip",     "src_port",   "dst_ip",       "dst_port",
    "src_interface", "dst_interface", "interface",  "acl",        "session_type", "tunnel_type",
    "duration",      "local_ip",      "notify",     "spi",        "sa_direction", "conn_id",
    "attribute",     "received",      "configured", "crypto_map", "proxy_local",  "proxy_remote",
    "history",       "nat",           "service",    "server",     "failure",      "type",
    "status"};

bool assign_peer(inline_string<64>& out, std::string_view text) noexcept {
    if (text.empty()) {
        out.clear();
        return false;
    }
    // IPv6 has many spellings; store the canonical one so one peer has one key.
    if (text.find(':') != std::string_view::npos) {
        if (auto a = ip_address::parse(text)) {
            std::array<char, 48> buf{};
            out.assign(a->format(buf));
            return true;
        }
    }
    out.assign(text);
    return true;
}

}  // namespace

std::string_view to_string(event_kind k) noexcept {
    return info(k).name;
}

std::optional<event_kind> event_kind_from(std::string_view name) noexcept {
    for (const event_kind_info& row : event_kinds()) {
        if (row.name == name) {
            return row.kind;
        }
    }
    return std::nullopt;
}

std::string_view to_string(field f) noexcept {
    const auto i = static_cast<std::size_t>(f);
    return i < field_names.size() ? field_names[i] : "";
}

std::optional<field> field_from(std::string_view name) noexcept {
    for (std::size_t i = 0; i < field_names.size(); ++i) {
        if (field_names[i] == name) {
            return static_cast<field>(i);
        }
    }
    return std::nullopt;
}

void event::clear() noexcept {
    kind = event_kind::other;
    device = {};
    time = 0;
    basis = time_basis::arrival;
    raw = {};
    fam = family::none;
    severity = -1;
    ike_version = 0;
    msg_number = 0;
    msg_id = {};
    peer.clear();
    peer2.clear();
    direction = ike_direction::none;
    exchange = ike_exchange::none;
    role = ike_role::unknown;
    payloads = 0;
    phase = 0;
    aggressive = false;
    nat_t = false;
    v2_response = false;
    ike_msgid = 0;
    state_name = {};
    conn_id.clear();
    ipsec = nullptr;
    n_fields_ = 0;
    present_ = 0;
}

void event::replace(field f, std::string_view value) noexcept {
    for (std::uint8_t i = 0; i < n_fields_; ++i) {
        if (fields_[i].key == f) {
            fields_[i] = {value.data(), stored_size(value), f};
            return;
        }
    }
}

std::optional<std::string_view> event::get(field f) const noexcept {
    if ((present_ & bit(f)) == 0) {
        return std::nullopt;
    }
    for (std::uint8_t i = 0; i < n_fields_; ++i) {
        if (fields_[i].key == f) {
            return std::string_view(fields_[i].data, fields_[i].size);
        }
    }
    return std::nullopt;
}

void conn_key::assign(std::string_view prefix, std::string_view id) noexcept {
    std::array<char, capacity> buf{};
    const std::size_t p = prefix.size() < capacity ? prefix.size() : capacity;
    const std::size_t n = id.size() < capacity - p ? id.size() : capacity - p;
    prefix.copy(buf.data(), p);
    id.copy(buf.data() + p, n);
    text_.assign({buf.data(), p + n});
}

bool event::set_peer(std::string_view text) noexcept {
    return assign_peer(peer, text);
}
bool event::set_peer2(std::string_view text) noexcept {
    return assign_peer(peer2, text);
}

}  // namespace ikewatch::parsers

namespace ikewatch::parsers {

std::string_view to_string(ike_exchange x) noexcept {
    switch (x) {
        case ike_exchange::mm_sa:
            return "mm_sa";
        case ike_exchange::mm_ke:
            return "mm_ke";
        case ike_exchange::mm_auth:
            return "mm_auth";
        case ike_exchange::am1:
            return "am1";
        case ike_exchange::am2:
            return "am2";
        case ike_exchange::am3:
            return "am3";
        case ike_exchange::quick:
            return "quick";
        case ike_exchange::info:
            return "info";
        case ike_exchange::v2_sa_init:
            return "IKE_SA_INIT";
        case ike_exchange::v2_auth:
            return "IKE_AUTH";
        case ike_exchange::v2_child:
            return "CREATE_CHILD_SA";
        case ike_exchange::v2_info:
            return "INFORMATIONAL";
        case ike_exchange::none:
            break;
    }
    return "unknown";
}

}  // namespace ikewatch::parsers

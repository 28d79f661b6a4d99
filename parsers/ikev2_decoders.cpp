// IKEv2 messages (ASA 9.x / FTD 750xxx–752xxx). They carry `Local:` and `Remote:` endpoints and
// no MM_* states.

#include "common/text.hpp"
#include "parsers/decode_helpers.hpp"
#include "parsers/decoders.hpp"

namespace ikewatch::parsers::decoders {

using detail::contains;
using detail::starts;

namespace {

// `Remote:2001:db8::2:50470` -> address `2001:db8::2`, port `50470`.
std::string_view endpoint_value(std::string_view text, std::string_view key,
                                std::string_view& port) noexcept {
    const std::size_t at = text.find(key);
    if (at == std::string_view::npos) {
        return {};
    }
    std::string_view v = text.substr(at + key.size());
    v = v.substr(0, v.find(' '));
    const std::size_t colon = v.rfind(':');
    if (colon == std::string_view::npos) {
        return v;
    }
    port = v.substr(colon + 1);
    return v.substr(0, colon);
}

std::string_view failure_class(std::string_view reason) noexcept {
    if (contains(reason, "authenticate")) {
        return "auth";
    }
    if (contains(reason, "AUTH msg") || contains(reason, "timer expired")) {
        return "auth_timeout";
    }
    if (contains(reason, "received TS") || contains(reason, "traffic selector")) {
        return "traffic_selector";
    }
    if (contains(reason, "proposal") || contains(reason, "PROPOSAL")) {
        return "proposal";
    }
    if (contains(reason, "locate an item")) {
        return "config_lookup";
    }
    if (contains(reason, "response") || contains(reason, "timed out")) {
        return "no_response";
    }
    return "other";
}

}  // namespace

// `Local:9.8.7.6:500 Remote:2.3.4.5:500 Username:Unknown IKEv2 Negotiation aborted due to
//  ERROR: Failed to receive the AUTH msg before the timer expired`
void ikev2_message(std::string_view text, event& e) noexcept {
    e.ike_version = 2;
    std::string_view local_port;
    std::string_view remote_port;
    const std::string_view local = endpoint_value(text, "Local:", local_port);
    const std::string_view remote = endpoint_value(text, "Remote:", remote_port);
    if (!remote.empty()) {
        e.set_peer(remote);
        e.nat_t = remote_port == "4500" || local_port == "4500";
    }
    if (!local.empty()) {
        e.set(field::local_ip, local);
    }
    const std::string_view user = detail::word_after(text, "Username:", " ");
    if (!user.empty()) {
        e.set(field::user, user);
    }
    std::string_view rest = text;
    if (const std::size_t u = text::find(text, "Username:"); u != std::string_view::npos) {
        rest = text.substr(u);
        rest = rest.substr(rest.find(' ') == std::string_view::npos ? rest.size()
                                                                    : rest.find(' ') + 1);
    }
    if (starts(rest, "IKEv2 ")) {
        rest.remove_prefix(6);
    }
    switch (e.msg_number) {
        case 750002:
            e.kind = event_kind::ikev2_start;
            break;
        case 750006:
            e.kind = event_kind::ikev2_up;
            break;
        case 750003: {
            e.kind = event_kind::ikev2_failed;
            const std::size_t at = text::find(rest, "ERROR: ");
            const std::string_view reason =
                at == std::string_view::npos ? rest : text::trim(rest.substr(at + 7));
            e.set(field::reason, reason);
            e.set(field::failure, failure_class(reason));
            break;
        }
        default:
            e.kind = e.peer.empty() ? event_kind::other : event_kind::ike_info;
            break;
    }
}

}  // namespace ikewatch::parsers::decoders

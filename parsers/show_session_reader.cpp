#include "parsers/show_session_reader.hpp"

#include <algorithm>
#include <array>

#include "common/text.hpp"
#include "parsers/decode_helpers.hpp"

namespace ikewatch::parsers {

namespace {

// The text after `key` and an optional ':' up to the next run of two spaces or the end
// (`Connection   : 203.0.113.5`, `Bytes Tx     : 1234   Bytes Rx : 0`).
std::string_view value_of(std::string_view line, std::string_view key) {
    const std::size_t at = text::find(line, key);
    if (at == std::string_view::npos) {
        return {};
    }
    std::string_view rest = text::ltrim(line.substr(at + key.size()));
    if (rest.empty() || rest.front() != ':') {
        return {};
    }
    rest = text::ltrim(rest.substr(1));
    std::string_view after;
    return text::next_token(rest, after);
}

// `198.51.100.2/500` -> `198.51.100.2`; IPv6 `2001:db8::1/500` likewise.
std::string_view without_port(std::string_view endpoint) {
    const std::size_t slash = endpoint.rfind('/');
    return slash == std::string_view::npos ? endpoint : endpoint.substr(0, slash);
}

constexpr std::array<std::string_view, 6> dmvpn_states = {"UP",    "NHRP", "IKE",
                                                          "IPSEC", "DOWN", "BFD"};

}  // namespace

void show_session_reader::close() {
    if (open_ && !current_.peer.empty()) {
        done_.push_back(std::move(current_));
    }
    current_ = {};
    open_ = false;
}

void show_session_reader::note(std::string_view line) {
    if (current_.evidence.size() > 900) {
        return;
    }
    if (!current_.evidence.empty()) {
        current_.evidence += "; ";
    }
    current_.evidence += line;
}

bool show_session_reader::crypto_session_line(std::string_view line) {
    if (text::istarts_with(line, "Crypto session current status")) {
        close();
        dmvpn_ = false;
        return true;
    }
    if (line.starts_with("Interface:") && line.find("NHRP") == std::string_view::npos) {
        close();
        open_ = true;
        current_.from = session_snapshot::listing::crypto_session;
        return true;
    }
    if (text::istarts_with(line, "Session status:")) {
        if (!open_ || !current_.status.empty()) {
            close();
            open_ = true;
        }
        current_.from = session_snapshot::listing::crypto_session;
        current_.status = std::string(value_of(line, "Session status"));
        note(line);
        return true;
    }
    if (!open_) {
        return false;
    }
    if (text::istarts_with(line, "Peer:")) {
        if (!current_.peer.empty()) {
            // Another peer under the same interface and status.
            const std::string status = current_.status;
            close();
            open_ = true;
            current_.status = status;
            note("Session status: " + status);
        }
        current_.peer = std::string(value_of(line, "Peer"));
        note(line);
        return true;
    }
    // `IKEv1 SA: local 198.51.100.2/500 remote 203.0.113.2/500 Active`, `IKE SA: …`,
    // `IKEv2 SA: …`.
    if (text::istarts_with(line, "IKE") &&
        text::find(line, " SA: local ") != std::string_view::npos) {
        current_.ike_version = text::istarts_with(line, "IKEv2") ? 2 : 1;
        std::string_view rest = line.substr(text::find(line, " SA: local ") + 11);
        std::string_view after;
        current_.local = std::string(without_port(text::next_token(rest, after)));
        rest = after;
        if (text::next_token(rest, after) == "remote") {
            const std::string_view remote = without_port(text::next_token(after, rest));
            if (current_.peer.empty()) {
                current_.peer = std::string(remote);
            }
            const std::string_view state = text::next_token(rest, after);
            if (text::iequals(state, "Active")) {
                current_.ike_active = 1;
            } else if (text::iequals(state, "Inactive")) {
                current_.ike_active = 0;
            }
        }
        note(line);
        return true;
    }
    if (text::istarts_with(line, "Active SAs:")) {
        const auto n = text::to_number<int>(
            value_of(line, "Active SAs").substr(0, value_of(line, "Active SAs").find(',')));
        current_.active_sas = (current_.active_sas < 0 ? 0 : current_.active_sas) + n.value_or(0);
        note(line);
        return true;
    }
    return text::istarts_with(line, "IPSEC FLOW:") || text::istarts_with(line, "Profile:") ||
           text::istarts_with(line, "Phase1_id:") || text::istarts_with(line, "Desc:") ||
           text::istarts_with(line, "Session ID:") || text::istarts_with(line, "Capabilities:") ||
           text::istarts_with(line, "Inbound:") || text::istarts_with(line, "Outbound:") ||
           text::istarts_with(line, "Uptime:") || text::istarts_with(line, "Connid:");
}

bool show_session_reader::sessiondb_line(std::string_view line) {
    if (text::istarts_with(line, "Connection") && !value_of(line, "Connection").empty()) {
        close();
        open_ = true;
        current_.from = session_snapshot::listing::sessiondb;
        current_.status = "UP";
        current_.peer = std::string(value_of(line, "Connection"));
        note(line);
        return true;
    }
    if (!open_ || current_.from != session_snapshot::listing::sessiondb) {
        return false;
    }
    if (const std::string_view ip = value_of(line, "IP Addr"); detail::address_like(ip)) {
        current_.peer = std::string(ip);
    }
    if (const std::string_view protocol = value_of(line, "Protocol"); !protocol.empty()) {
        current_.ike_version = text::iequals(protocol, "IKEv2") ? 2 : 1;
    }
    // The first byte counts are the session's; `detail` repeats them per IKE and IPsec SA.
    if (!current_.bytes && text::find(line, "Bytes Tx") != std::string_view::npos) {
        current_.bytes = true;
        current_.bytes_tx = text::to_number<std::uint64_t>(value_of(line, "Bytes Tx")).value_or(0);
        current_.bytes_rx = text::to_number<std::uint64_t>(value_of(line, "Bytes Rx")).value_or(0);
        note(line);
    }
    return true;
}

bool show_session_reader::dmvpn_row(std::string_view line) {
    if (text::find(line, "Peer NBMA Addr") != std::string_view::npos) {
        close();
        dmvpn_ = true;
        return true;
    }
    std::string_view rest = line;
    std::array<std::string_view, 5> t{};
    for (std::string_view& tok : t) {
        tok = text::next_token(rest, rest);
    }
    const bool row =
        text::to_number<int>(t[0]).has_value() && detail::address_like(t[1]) &&
        detail::address_like(t[2]) &&
        std::find(dmvpn_states.begin(), dmvpn_states.end(), t[3]) != dmvpn_states.end();
    if (!row) {
        return dmvpn_ &&
               (text::istarts_with(line, "-----") || text::istarts_with(line, "Interface:") ||
                text::istarts_with(line, "Type:"));
    }
    session_snapshot s;
    s.from = session_snapshot::listing::dmvpn;
    s.peer = std::string(t[1]);
    s.status = std::string(t[3]);
    s.evidence = std::string(line);
    done_.push_back(std::move(s));
    return true;
}

bool show_session_reader::feed(std::string_view line) {
    return dmvpn_row(line) || sessiondb_line(line) || crypto_session_line(line);
}

std::vector<session_snapshot> show_session_reader::take() {
    close();
    dmvpn_ = false;
    std::vector<session_snapshot> out = std::move(done_);
    done_.clear();
    return out;
}

}  // namespace ikewatch::parsers

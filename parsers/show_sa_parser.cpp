#include "parsers/show_sa_parser.hpp"

#include <utility>

#include <algorithm>

#include "common/ip_address.hpp"
#include "common/text.hpp"
#include "parsers/decode_helpers.hpp"

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
    e.device = row.device.empty() ? fallback_device : std::string_view(row.device);
    e.set_peer(row.peer);
    e.role = row.role;
    e.ike_version = row.ike_version;
    switch (row.what) {
        case show_row::kind::isakmp:
            e.kind = event_kind::show_state;
            e.state_name = row.state;
            e.set(field::state, row.state);
            if (!row.conn_id.empty()) {
                e.set(field::conn_id, row.conn_id);
            }
            if (row.deleted) {
                e.set(field::status, "deleted");
            }
            break;
        case show_row::kind::ipsec:
            e.kind = event_kind::show_ipsec;
            e.ike_version = 0;
            e.nat_t = row.ipsec.nat_t;
            e.ipsec = &row.ipsec;
            break;
        case show_row::kind::session:
            e.kind = event_kind::show_session;
            e.set(field::status, row.status);
            e.ipsec = &row.ipsec;
            break;
        case show_row::kind::no_route:
            e.kind = event_kind::route_failure;
            e.set(field::reason, "no route to the peer in the routing table shown");
            break;
        case show_row::kind::cleared:
            e.kind = event_kind::sa_cleared;
            break;
        case show_row::kind::ping_failed:
            e.kind = event_kind::ping_failed;
            e.ike_version = 0;
            if (!row.target.empty()) {
                e.set(field::dst_ip, row.target);
            }
            if (!row.source.empty()) {
                e.set(field::src_ip, row.source);
            }
            break;
    }
}

void show_sa_parser::start_output(std::string_view command, bool config_mode) {
    // In configuration mode an ASA runs `show` commands as they are, IOS after `do`; anything
    // else typed there is configuration.
    if (config_mode) {
        if (text::istarts_with(command, "do ")) {
            command.remove_prefix(3);
        }
        const console_block b = classify_command(command);
        block_ = b == console_block::debug ? console_block::ignored : b;
        return;
    }
    block_ = classify_command(command);
}

void show_sa_parser::emit_unrouted() {
    if (!routes_.has_table()) {
        return;
    }
    for (const std::string& peer : endpoints_[device_].remote) {
        const auto address = ip_address::parse(peer);
        if (address && !routes_.routes(*address)) {
            show_row row;
            row.what = show_row::kind::no_route;
            row.device = device_;
            row.peer = peer;
            row.evidence = "show ip route: no route to " + peer + " and no default route";
            out_.push_back(std::move(row));
        }
    }
    routes_.clear();
}

// The output of `ping`: `Sending 5, 100-byte ICMP Echos to 10.10.10.1, timeout is 2 seconds:`,
// `Packet sent with a source address of 30.3.1.1` (an address of the device), then `Success
// rate is 0 percent (0/5)` when nothing came back. A failed ping is reported for every peer the
// session's show output named: which tunnel the ping was meant to cross, the lines do not say.
void show_sa_parser::ping_line(std::string_view line) {
    if (text::istarts_with(line, "Sending ")) {
        const std::string_view target = detail::word_after(line, "Echos to ", ", ");
        ping_target_ = detail::address_like(target) ? std::string(target) : std::string();
        ping_source_.clear();
        return;
    }
    if (text::istarts_with(line, "Packet sent with a source address of")) {
        std::string_view rest = line.substr(36);
        const std::string_view source = text::next_token(rest, rest);
        if (detail::address_like(source)) {
            endpoints_[device_].local.emplace(source);
            ping_source_ = std::string(source);
            resolve_pending(false);
        }
        return;
    }
    if (!text::istarts_with(line, "Success rate is 0 percent")) {
        return;
    }
    // Output pasted before the first prompt belongs to this device too, when every prompt so
    // far named this one.
    std::vector<std::pair<std::string, std::string>> peers;  // (device, peer)
    const bool one_device = std::all_of(endpoints_.begin(), endpoints_.end(), [&](const auto& d) {
        return d.first.empty() || d.first == device_;
    });
    for (const auto& [device, hints] : endpoints_) {
        if (device == device_ || (device.empty() && one_device)) {
            for (const std::string& peer : hints.remote) {
                peers.emplace_back(device, peer);
            }
        }
    }
    std::sort(peers.begin(), peers.end());
    for (auto& [device, peer] : peers) {
        show_row row;
        row.what = show_row::kind::ping_failed;
        row.device = device;
        row.peer = std::move(peer);
        row.target = ping_target_;
        row.source = ping_source_;
        row.evidence = std::string(line);
        out_.push_back(std::move(row));
    }
}

void show_sa_parser::flush_outputs() {
    close_table();
    emit_ipsec(ipsec_.take());
    emit_sessions(sessions_.take());
    emit_unrouted();
    table_ = table::none;
    asa_peer_.clear();
}

std::span<const show_row> show_sa_parser::end_output() {
    out_.clear();
    flush_outputs();
    return out_;
}

std::span<const show_row> show_sa_parser::finish() {
    out_.clear();
    flush_outputs();
    resolve_pending(true);
    block_ = console_block::none;
    return out_;
}

void show_sa_parser::emit_ipsec(std::vector<ipsec_snapshot>&& snapshots) {
    endpoints& hints = endpoints_[device_];
    for (ipsec_snapshot& s : snapshots) {
        if (s.peer.empty()) {
            // Counters pasted without their peer line: the device's only known peer, if any.
            if (hints.remote.empty() && unresolved_device_ == device_) {
                resolve_pending(true);
            }
            if (hints.remote.size() != 1) {
                continue;
            }
            s.peer = *hints.remote.begin();
        }
        if (!s.local.empty()) {
            hints.local.insert(s.local);
        }
        hints.remote.insert(s.peer);
        show_row row;
        row.what = show_row::kind::ipsec;
        row.device = device_;
        row.peer = s.peer;
        row.evidence = s.evidence;
        row.ipsec = std::move(s);
        out_.push_back(std::move(row));
    }
    if (!snapshots.empty()) {
        resolve_pending(false);
    }
}

void show_sa_parser::emit_sessions(std::vector<session_snapshot>&& sessions) {
    endpoints& hints = endpoints_[device_];
    for (session_snapshot& s : sessions) {
        if (!s.local.empty()) {
            hints.local.insert(s.local);
        }
        hints.remote.insert(s.peer);
        show_row row;
        row.what = show_row::kind::session;
        row.device = device_;
        row.peer = s.peer;
        row.status = s.status;
        row.evidence = s.evidence;
        row.ike_version = s.ike_version == 0 ? 1 : s.ike_version;
        if (s.from == session_snapshot::listing::sessiondb && s.bytes) {
            // Bytes out and in stand for packets encrypted and decrypted.
            row.ipsec.counters = true;
            row.ipsec.encaps = s.bytes_tx;
            row.ipsec.decaps = s.bytes_rx;
            row.ipsec.sa = ipsec_snapshot::sa_state::present;
        } else if (s.active_sas >= 0) {
            row.ipsec.sa = s.active_sas > 0 ? ipsec_snapshot::sa_state::present
                                            : ipsec_snapshot::sa_state::none;
        }
        if (s.from == session_snapshot::listing::dmvpn) {
            row.status = "DMVPN-" + s.status;
        }
        if (s.ike_active == 0 && row.status.empty()) {
            row.status = "IKE-INACTIVE";
        }
        out_.push_back(std::move(row));
    }
    if (!sessions.empty()) {
        resolve_pending(false);
    }
}

std::span<const show_row> show_sa_parser::endpoint_hint(std::string_view device,
                                                        std::string_view local,
                                                        std::string_view remote) {
    out_.clear();
    endpoints& hints = endpoints_[std::string(device)];
    if (!local.empty()) {
        hints.local.emplace(local);
    }
    if (!remote.empty()) {
        hints.remote.emplace(remote);
    }
    if (!unresolved_.empty() && unresolved_device_ == device) {
        resolve_pending(false);
    }
    return out_;
}

void show_sa_parser::close_table() {
    if (table_rows_.empty()) {
        return;
    }
    // The device's own address is the one every row shares (when the rows are not all the same
    // pair of addresses, which says nothing).
    const bool pairs = std::any_of(table_rows_.begin(), table_rows_.end(), [&](const ios_row& r) {
        const ios_row& f = table_rows_.front();
        return !((r.dst == f.dst && r.src == f.src) || (r.dst == f.src && r.src == f.dst));
    });
    if (pairs) {
        for (const std::string& cand : {table_rows_[0].dst, table_rows_[0].src}) {
            const bool everywhere =
                std::all_of(table_rows_.begin(), table_rows_.end(),
                            [&](const ios_row& r) { return r.dst == cand || r.src == cand; });
            if (everywhere) {
                endpoints_[device_].local.insert(cand);
                break;
            }
        }
    }
    if (!unresolved_.empty() && unresolved_device_ != device_) {
        resolve_pending(true);
    }
    unresolved_device_ = device_;
    // Past attempts first, so that the SA a device shows as current is the state it leaves.
    std::stable_partition(table_rows_.begin(), table_rows_.end(),
                          [](const ios_row& r) { return r.deleted; });
    for (ios_row& r : table_rows_) {
        unresolved_.push_back(std::move(r));
    }
    table_rows_.clear();
    resolve_pending(false);
}

void show_sa_parser::resolve_pending(bool force) {
    if (unresolved_.empty()) {
        return;
    }
    endpoints& hints = endpoints_[unresolved_device_];
    if (force) {
        // Nothing said which address is the device's own: a current row's `src` (the side that
        // initiated, most often the device the engineer works on) is taken as local.
        for (const ios_row& r : unresolved_) {
            const bool known = hints.local.count(r.dst) + hints.local.count(r.src) +
                                   hints.remote.count(r.dst) + hints.remote.count(r.src) >
                               0;
            if (!r.deleted && !known) {
                hints.local.insert(r.src);
            }
        }
    }
    const auto has = [](const std::unordered_set<std::string>& set, const std::string& a) {
        return set.find(a) != set.end();
    };
    // Rows keep their order: a row is emitted once it and every row before it is resolved.
    std::size_t done = 0;
    for (; done < unresolved_.size(); ++done) {
        const ios_row& r = unresolved_[done];
        show_row row;
        row.device = unresolved_device_;
        row.state = r.state;
        row.conn_id = r.conn_id;
        row.deleted = r.deleted;
        row.evidence = r.line;
        if (has(hints.local, r.dst) || has(hints.remote, r.src)) {
            row.peer = r.src;
            row.role = ike_role::responder;  // src is the side that initiated
        } else if (has(hints.local, r.src) || has(hints.remote, r.dst) || force) {
            row.peer = r.dst;
            row.role = ike_role::initiator;
        } else {
            break;
        }
        endpoints_[unresolved_device_].remote.insert(row.peer);
        out_.push_back(std::move(row));
    }
    unresolved_.erase(unresolved_.begin(), unresolved_.begin() + static_cast<std::ptrdiff_t>(done));
}

bool show_sa_parser::ios_table_row(const std::vector<std::string_view>& t, std::size_t at) {
    // dst src state conn-id [slot] status [(deleted)]
    if (t.size() >= at + 3 && detail::address_like(t[at]) && detail::address_like(t[at + 1]) &&
        state_like(t[at + 2])) {
        ios_row r{
            std::string(t[at]), std::string(t[at + 1]), std::string(t[at + 2]), {}, false, {}};
        // The row's own text (a collapsed line holds more than one row).
        const char* first = t[at].data();
        const char* last = t.back().data() + t.back().size();
        r.line = std::string(first, static_cast<std::size_t>(last - first));
        if (t.size() > at + 3 && text::all_digits(t[at + 3])) {
            r.conn_id = std::string(t[at + 3]);
        }
        r.deleted = std::any_of(t.begin() + static_cast<std::ptrdiff_t>(at), t.end(),
                                [](std::string_view w) { return text::iequals(w, "(deleted)"); });
        table_rows_.push_back(std::move(r));
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
        endpoints_[device_].remote.insert(asa_peer_);
        out_.push_back(std::move(row));
        asa_peer_.clear();
    }
}

bool show_sa_parser::isakmp_line(std::string_view line, std::vector<std::string_view>& t) {
    // IOS table header (possibly collapsed with its rows onto one line).
    if (const std::size_t dst = index_of(t, "dst"); dst != std::string_view::npos &&
                                                    dst + 2 < t.size() && t[dst + 1] == "src" &&
                                                    t[dst + 2] == "state") {
        close_table();
        table_ = table::ios;
        const std::size_t status = index_of(t, "status");
        if (status != std::string_view::npos) {
            for (std::size_t i = status + 1; i + 2 < t.size(); ++i) {
                if (detail::address_like(t[i]) && detail::address_like(t[i + 1])) {
                    ios_table_row(t, i);
                    break;
                }
            }
        }
        return true;
    }
    if (index_of(t, "C-id") == 0) {
        close_table();
        table_ = table::ios_detail;
        return true;
    }
    if (index_of(t, "Tunnel-id") == 0) {
        table_ = table::ikev2;
        ikev2_status_.clear();
        last_ikev2_ = show_row{};
        return true;
    }
    if (t.size() >= 5 && t[0] == "IKE" && t[1] == "Peer" && t[2] == "Type") {
        table_ = table::ntc;
        return true;
    }
    if (text::find(line, "IKE Peer:") != std::string_view::npos ||
        (!asa_peer_.empty() && (text::find(line, "Role") != std::string_view::npos ||
                                text::find(line, "State") != std::string_view::npos))) {
        asa_fields(line);
        return true;
    }
    if (text::istarts_with(line, "IPv4 Crypto ISAKMP SA") ||
        text::istarts_with(line, "IPv6 Crypto ISAKMP SA")) {
        close_table();
        table_ = table::ios;
        return true;
    }
    switch (table_) {
        case table::ios:
            if (ios_table_row(t, 0)) {
                return true;
            }
            close_table();
            table_ = table::none;
            return false;
        case table::ios_detail:
            // C-id Local Remote [I-VRF] Status …: no state column; the SA is listed as ACTIVE.
            if (t.size() >= 4 && detail::address_like(t[1]) && detail::address_like(t[2])) {
                show_row row;
                row.device = device_;
                row.peer = std::string(t[2]);
                const std::size_t status = index_of(t, "ACTIVE");
                row.state = status == std::string_view::npos ? "UNKNOWN" : "ACTIVE";
                out_.push_back(std::move(row));
                return true;
            }
            return false;
        case table::ntc:
            // 1 209.165.200.225 User Resp No AM_Active 3des SHA preshrd 86400
            if (t.size() >= 6 && detail::address_like(t[1]) && state_like(t[5])) {
                show_row row;
                row.device = device_;
                row.peer = std::string(t[1]);
                row.role = role_of(t[3]);
                row.state = std::string(t[5]);
                out_.push_back(std::move(row));
                return true;
            }
            return false;
        case table::ikev2: {
            // ASA:  3686011 2001:db8:2:1::1/500 2001:db8:2:1::2/500 READY INITIATOR
            //       442665449 10.1.1.1/500 10.2.2.2/500 Global/Global READY INITIATOR
            // IOS:  1 172.16.1.1/500 172.16.1.2/500 none/none READY
            // IOS-XE, IPv6:  1 none/none READY   then   Local 2001:DB8::1/500, Remote …/500
            // The optional fvrf/ivrf column comes before the status; only the ASA has a role.
            if (t.size() == 3 && text::all_digits(t[0]) &&
                t[1].find('/') != std::string_view::npos && !detail::address_like(t[1])) {
                ikev2_status_.assign(t[2]);
                return true;
            }
            // IOS `sa detailed`: `Initiator of SA : Yes` names the role the table row lacks; the
            // row is given again with it.
            if (t.size() == 5 && t[0] == "Initiator" && t[1] == "of" && t[2] == "SA" &&
                !last_ikev2_.peer.empty()) {
                show_row row = last_ikev2_;
                row.role = t[4] == "Yes" ? ike_role::initiator : ike_role::responder;
                out_.push_back(std::move(row));
                return true;
            }
            if (t.size() == 2 && (t[0] == "Local" || t[0] == "Remote") && !ikev2_status_.empty()) {
                if (t[0] == "Remote") {
                    show_row row;
                    row.device = device_;
                    row.peer = std::string(t[1].substr(0, t[1].rfind('/')));
                    row.state = std::move(ikev2_status_);
                    row.ike_version = 2;
                    ikev2_status_.clear();
                    last_ikev2_ = row;
                    out_.push_back(std::move(row));
                }
                return true;
            }
            const std::size_t status =
                t.size() > 4 && t[3].find('/') != std::string_view::npos ? 4 : 3;
            if (t.size() > status && text::all_digits(t[0]) &&
                t[1].find('/') != std::string_view::npos &&
                t[2].find('/') != std::string_view::npos) {
                show_row row;
                row.device = device_;
                row.peer = std::string(t[2].substr(0, t[2].rfind('/')));
                row.state = std::string(t[status]);
                if (status + 1 < t.size()) {
                    row.role = role_of(t[status + 1]);
                }
                row.ike_version = 2;
                last_ikev2_ = row;
                out_.push_back(std::move(row));
                return true;
            }
            return false;
        }
        case table::none:
            // Rows of a filtered `show crypto isakmp sa | include …` come without a header.
            if (block_ == console_block::isakmp_sa && ios_table_row(t, 0)) {
                table_ = table::ios;
                return true;
            }
            return false;
    }
    return false;
}

std::span<const show_row> show_sa_parser::feed(std::string_view raw) {
    out_.clear();
    const std::string_view line = text::trim(raw);
    if (line.empty()) {
        close_table();
        if (table_ != table::ios) {
            table_ = table::none;
        }
        return out_;
    }
    if (line.front() == '!') {
        return out_;  // annotations in books
    }
    std::vector<std::string_view> t = tokens_of(line);
    // A prompt names the device and the command whose output follows: what came before is
    // complete. A command echoed without a prompt starts output of an unnamed device.
    if (const auto prompt = parse_prompt(line)) {
        flush_outputs();
        if (prompt->host != device_) {
            resolve_pending(true);
            device_ = std::string(prompt->host);
        }
        start_output(prompt->command, prompt->config_mode);
        if (block_ == console_block::clear) {
            show_row row;
            row.what = show_row::kind::cleared;
            row.device = device_;
            row.evidence = std::string(line);
            out_.push_back(std::move(row));
        }
        // Output a page collapsed onto the prompt line: `R1#show crypto isakmp sa dst src …`.
        std::vector<std::string_view> rest = tokens_of(prompt->command);
        if (!rest.empty() && block_ == console_block::isakmp_sa) {
            isakmp_line(prompt->command, rest);
        }
        return out_;
    }
    if (t[0] == "sh" || t[0] == "show") {
        flush_outputs();
        resolve_pending(true);
        device_.clear();
        start_output(line, false);
        return out_;
    }
    // `172.16.0.1 E NBMA Address: 203.0.113.2 …` (show dmvpn detail, show ip nhrp nhs): the
    // address of a peer.
    if (const std::size_t at = text::find(line, "NBMA Address:"); at != std::string_view::npos) {
        std::string_view rest = line.substr(at + 13);
        const std::string_view nbma = text::next_token(rest, rest);
        if (detail::address_like(nbma)) {
            endpoints_[device_].remote.emplace(nbma);
            resolve_pending(false);
        }
    }
    switch (block_) {
        case console_block::ignored:
        case console_block::logging:
        case console_block::debug:
        case console_block::clear:
            return out_;  // configuration, other commands' output, echoed debug banners
        case console_block::isakmp_sa:
        case console_block::ikev2_sa:
            isakmp_line(line, t);
            return out_;
        case console_block::ipsec_sa:
            ipsec_.feed(line);
            return out_;
        case console_block::crypto_session:
        case console_block::dmvpn:
        case console_block::sessiondb:
            sessions_.feed(line);
            return out_;
        case console_block::routes:
            routes_.feed(line);
            return out_;
        case console_block::ping:
            ping_line(line);
            return out_;
        case console_block::none:
            break;
    }
    // No command named the output: whichever layout recognises the line reads it, and the
    // output another layout was reading is complete.
    if (isakmp_line(line, t)) {
        emit_ipsec(ipsec_.take());
        emit_sessions(sessions_.take());
    } else if (ipsec_.feed(line)) {
        close_table();
        emit_sessions(sessions_.take());
    } else if (sessions_.feed(line)) {
        close_table();
        emit_ipsec(ipsec_.take());
    }
    return out_;
}

}  // namespace ikewatch::parsers

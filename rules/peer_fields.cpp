#include "rules/peer_fields.hpp"

#include <charconv>

#include "ike/states.hpp"

namespace ikewatch::rules {

namespace {

using ike::peer_record;
using text = std::optional<std::string_view>;
using count = std::optional<std::uint64_t>;

count flag(bool v) {
    return v ? 1U : 0U;
}

template <typename Enum>
count position(Enum v) {
    return static_cast<std::uint64_t>(v);
}

// The names of an enum's values, from its own to_string, enumerators 0 … N-1.
template <typename Enum, std::size_t N>
const std::array<std::string_view, N>& names() {
    static const std::array<std::string_view, N> all = [] {
        std::array<std::string_view, N> out{};
        for (std::size_t i = 0; i < N; ++i) {
            out[i] = ike::to_string(static_cast<Enum>(i));
        }
        return out;
    }();
    return all;
}

const auto& roles = names<parsers::ike_role, 3>();
const auto& modes = names<ike::ike_mode, 3>();
const auto& statuses = names<ike::p1_status, 5>();
const auto& phase2s = names<ike::p2_status, 5>();
const auto& ipsec_sas = names<ike::ipsec_sa, 3>();

const peer_field table[] = {
    {"state", field_type::state,
     "phase-1 state, ASA name (MM_WAIT_MSG4) or PIX/IOS name (MM_SA_SETUP), or a state the device "
     "printed that is not modelled (AM_TM_INIT_XAUTH_V6C)",
     false, [](const peer_record& p, const device_facts&) -> text { return p.state_asa(); }},
    {"state_ios", field_type::text, "the PIX/IOS name of the state (placeholder)", false,
     [](const peer_record& p, const device_facts&) -> text { return p.state_ios(); }},
    {"role", field_type::name, "who started the negotiation, seen from the device", false, nullptr,
     [](const peer_record& p, const device_facts&) -> count { return position(p.role); }, roles},
    {"mode", field_type::name, "main or aggressive mode", false, nullptr,
     [](const peer_record& p, const device_facts&) -> count { return position(p.mode); }, modes},
    {"status", field_type::name,
     "where phase 1 stands: idle, negotiating, up, failed (the device gave up), down (a tunnel "
     "that was up went away)",
     false, nullptr,
     [](const peer_record& p, const device_facts&) -> count { return position(p.status); },
     statuses},
    {"phase2", field_type::name, "where phase 2 (quick mode, child SA) stands", false, nullptr,
     [](const peer_record& p, const device_facts&) -> count { return position(p.phase2); },
     phase2s},
    {"retransmits", field_type::number, "this side's resends in the current negotiation", false,
     nullptr, [](const peer_record& p, const device_facts&) -> count { return p.retransmits; }},
    {"peer_retransmits", field_type::number,
     "the peer's repeats of its first message (duplicates) in the current negotiation", false,
     nullptr,
     [](const peer_record& p, const device_facts&) -> count { return p.peer_retransmits; }},
    {"replies", field_type::number, "IKE messages received in the current negotiation", false,
     nullptr, [](const peer_record& p, const device_facts&) -> count { return p.replies; }},
    {"negotiations", field_type::number, "phase-1 negotiations started with the peer", false,
     nullptr, [](const peer_record& p, const device_facts&) -> count { return p.negotiations; }},
    {"lines", field_type::number,
     "lines that named the peer, or reached it by connection or SA id, since its record was made "
     "(a spoofed address seen once has 1)",
     false, nullptr, [](const peer_record& p, const device_facts&) -> count { return p.events; }},
    {"failure_rank", field_type::number,
     "how specific the IKEv2 failures of the current negotiation are: 3 when one names its "
     "cause (identity, certificate, method, proposals, DH group, selectors, fragmentation, load), "
     "2 for a generic authentication failure or no answer, 1 for a failed configuration lookup "
     "or an IKE_AUTH failure with no reason, 0 when none failed",
     false, nullptr,
     [](const peer_record& p, const device_facts&) -> count { return p.failure_rank; }},
    {"failure_phase", field_type::number,
     "the phase the current negotiation's latest failure is about: 1 the IKE SA (phase 1, "
     "IKE_SA_INIT and IKE_AUTH's authentication), 2 the IPsec or child SA, 0 none yet",
     false, nullptr,
     [](const peer_record& p, const device_facts&) -> count { return p.failure_phase; }},
    {"proxy_unmatched", field_type::flag,
     "the device's crypto-map lookup of the current negotiation's traffic selectors found no "
     "entry (ASA IKEv2 debug 'No proxy match on map …' or an entry 'incomplete due to missing "
     "ACL', with no 'PROXY MATCH' after it)",
     false, nullptr,
     [](const peer_record& p, const device_facts&) -> count { return flag(p.proxy_unmatched); }},
    {"declined", field_type::number,
     "phase-1 transforms this side refused in the current negotiation (IOS 'atts are not "
     "acceptable')",
     false, nullptr, [](const peer_record& p, const device_facts&) -> count { return p.declined; }},
    {"accepted", field_type::number,
     "phase-1 transforms accepted in the current negotiation ('atts are acceptable', 715028)",
     false, nullptr, [](const peer_record& p, const device_facts&) -> count { return p.accepted; }},
    {"ike_version", field_type::number, "1 or 2", false, nullptr,
     [](const peer_record& p, const device_facts&) -> count {
         return p.ike_version == 0 ? 1U : p.ike_version;
     }},
    {"nat_t", field_type::flag, "NAT traversal is in use (UDP 4500, NAT detected)", false, nullptr,
     [](const peer_record& p, const device_facts&) -> count { return flag(p.nat_t); }},
    {"debug_seen", field_type::flag, "debug-level (7) IKE messages were seen for the peer", false,
     nullptr,
     [](const peer_record& p, const device_facts&) -> count { return flag(p.debug_seen); }},
    {"device_debug_seen", field_type::flag,
     "debug-level (7) IKE messages were seen from the device, for any peer", true, nullptr,
     [](const peer_record&, const device_facts& d) -> count { return flag(d.debug_seen); }},
    {"device_isakmp_off", field_type::flag,
     "the device's latest %CRYPTO-6-ISAKMP_ON_OFF said OFF: no crypto map or tunnel protection "
     "is in use on it",
     true, nullptr,
     [](const peer_record&, const device_facts& d) -> count { return flag(d.isakmp_off); }},
    {"device_sa_cleared", field_type::flag,
     "SAs were cleared by hand on the device ('clear crypto sa' in a pasted console session): "
     "messages about the old SAs are expected for a while",
     true, nullptr,
     [](const peer_record&, const device_facts& d) -> count { return flag(d.cleared); }},
    {"device_negotiation_held", field_type::flag,
     "the device refused to start an IKEv2 negotiation because it holds one it considers in "
     "progress (IOS 'SA is already in negotiation, hence not negotiating again'), at most 10 "
     "minutes before the peer's latest line",
     true, nullptr,
     [](const peer_record&, const device_facts& d) -> count { return flag(d.held); }},
    {"group", field_type::text, "the tunnel group", false,
     [](const peer_record& p, const device_facts&) -> text {
         return p.group.empty() ? text() : text(p.group.view());
     }},
    {"last_failure", field_type::event, "the kind of the latest failure event", false,
     [](const peer_record& p, const device_facts&) -> text {
         return p.last_failure == parsers::event_kind::other
                    ? text()
                    : text(parsers::to_string(p.last_failure));
     }},
    {"ipsec_sa", field_type::name,
     "whether pasted show output lists an IPsec SA: present, none (SPI 0, no ESP SAs, no "
     "active SAs), unknown (not shown)",
     false, nullptr,
     [](const peer_record& p, const device_facts&) -> count { return position(p.ipsec.installed); },
     ipsec_sas},
    {"encaps", field_type::number,
     "packets encrypted towards the peer (show crypto ipsec sa #pkts encaps; ASA sessiondb "
     "bytes sent); absent when not shown",
     false, nullptr,
     [](const peer_record& p, const device_facts&) -> count {
         return p.ipsec.counters ? count(p.ipsec.encaps) : count();
     }},
    {"decaps", field_type::number,
     "packets decrypted from the peer (#pkts decaps; ASA sessiondb bytes received)", false, nullptr,
     [](const peer_record& p, const device_facts&) -> count {
         return p.ipsec.counters ? count(p.ipsec.decaps) : count();
     }},
    {"send_errors", field_type::number, "IPsec send errors (#send errors)", false, nullptr,
     [](const peer_record& p, const device_facts&) -> count {
         return p.ipsec.counters ? count(p.ipsec.send_errors) : count();
     }},
    {"recv_errors", field_type::number, "IPsec receive errors (#recv errors)", false, nullptr,
     [](const peer_record& p, const device_facts&) -> count {
         return p.ipsec.counters ? count(p.ipsec.recv_errors) : count();
     }},
    {"deleted_attempts", field_type::number,
     "rows of show crypto isakmp sa marked (deleted): earlier attempts that ended", false, nullptr,
     [](const peer_record& p, const device_facts&) -> count { return p.deleted_attempts; }},
    {"session_status", field_type::text,
     "the tunnel's status in show crypto session (UP-ACTIVE, UP-IDLE, DOWN-NEGOTIATING, DOWN) "
     "or show dmvpn (DMVPN-UP, DMVPN-NHRP, DMVPN-IPSEC, DMVPN-IKE)",
     false,
     [](const peer_record& p, const device_facts&) -> text {
         return p.session_status.empty() ? text() : text(p.session_status.view());
     }},
};

}  // namespace

std::optional<std::string_view> peer_field::get(const ike::peer_record& p, const device_facts& d,
                                                field_buffer& buf) const {
    if (read_text != nullptr) {
        return read_text(p, d);
    }
    const count n = read_number(p, d);
    if (!n) {
        return std::nullopt;
    }
    switch (type) {
        case field_type::flag:
            return *n != 0 ? std::string_view("true") : std::string_view("false");
        case field_type::name:
            return *n < allowed.size() ? text(allowed[*n]) : text();
        case field_type::number:
        case field_type::text:
        case field_type::state:
        case field_type::event:
            break;
    }
    const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), *n);
    return std::string_view(buf.data(), static_cast<std::size_t>(end - buf.data()));
}

std::span<const peer_field> peer_fields() noexcept {
    return table;
}

const peer_field* find_peer_field(std::string_view name) noexcept {
    for (const peer_field& f : table) {
        if (f.name == name) {
            return &f;
        }
    }
    return nullptr;
}

}  // namespace ikewatch::rules

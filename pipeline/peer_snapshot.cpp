#include "pipeline/peer_snapshot.hpp"

#include "pipeline/snapshot_json.hpp"

namespace ikewatch::pipeline {

namespace {

using nlohmann::json;

// Counts of the enums a record holds (their last member + 1).
constexpr std::size_t p1_status_count = 5;
constexpr std::size_t p2_status_count = 5;
constexpr std::size_t role_count = 3;
constexpr std::size_t mode_count = 3;
constexpr std::size_t ipsec_sa_count = 3;
constexpr std::size_t exchange_count = static_cast<std::size_t>(parsers::ike_exchange::v2_info) + 1;
constexpr std::size_t ladder_exchange_count =
    static_cast<std::size_t>(ike::ladder_exchange::ikev2) + 1;

template <typename T, std::size_t N>
json array_json(const std::array<T, N>& a) {
    json out = json::array();
    for (const T& v : a) {
        out.push_back(static_cast<std::int64_t>(v));
    }
    return out;
}

template <typename T, std::size_t N>
void array_from(const json& j, std::array<T, N>& a) {
    if (!j.is_array() || j.size() != N) {
        throw snapshot_invalid("an array of the wrong size in a ladder");
    }
    for (std::size_t i = 0; i < N; ++i) {
        a[i] = j[i].get<T>();
    }
}

json ladder_json(const ike::ladder_record& l) {
    json out = {{"base", l.base},
                {"at_ms", array_json(l.at_ms)},
                {"sightings", array_json(l.sightings)},
                {"resends", array_json(l.resends)},
                {"seen", array_json(l.seen)},
                {"exchange", enum_number(l.exchange)},
                {"qm_msgid", l.qm_msgid},
                {"tag_hash", array_json(l.tag_hash)},
                {"tag_slot", array_json(l.tag_slot)},
                {"tag_next", l.tag_next},
                {"history_base", l.history_base},
                {"history_at_s", array_json(l.history_at_s)},
                {"history_status", array_json(l.history_status)},
                {"history_next", l.history_next},
                {"history_size", l.history_size}};
    json states = json::array();
    for (const ike::p1_state s : l.history_state) {
        states.push_back(enum_number(s));
    }
    out["history_state"] = std::move(states);
    if (l.local.family != ip_address::family_t::none) {
        out["local"] = l.local.to_string();
    }
    return out;
}

void ladder_from(const json& j, ike::ladder_record& l) {
    l.base = j.at("base").get<micros>();
    array_from(j.at("at_ms"), l.at_ms);
    array_from(j.at("sightings"), l.sightings);
    array_from(j.at("resends"), l.resends);
    array_from(j.at("seen"), l.seen);
    l.exchange = enum_at<ike::ladder_exchange>(j, "exchange", ladder_exchange_count);
    l.qm_msgid = j.at("qm_msgid").get<std::uint32_t>();
    array_from(j.at("tag_hash"), l.tag_hash);
    array_from(j.at("tag_slot"), l.tag_slot);
    l.tag_next = j.at("tag_next").get<std::uint8_t>();
    l.history_base = j.at("history_base").get<micros>();
    array_from(j.at("history_at_s"), l.history_at_s);
    array_from(j.at("history_status"), l.history_status);
    l.history_next = j.at("history_next").get<std::uint8_t>();
    l.history_size = j.at("history_size").get<std::uint8_t>();
    const json& states = j.at("history_state");
    if (!states.is_array() || states.size() != ike::ladder_record::history ||
        l.tag_next >= ike::ladder_record::tags || l.history_next >= ike::ladder_record::history ||
        l.history_size > ike::ladder_record::history) {
        throw snapshot_invalid("a ladder out of its bounds");
    }
    for (std::size_t i = 0; i < states.size(); ++i) {
        const auto v = states[i].get<unsigned>();
        if (v >= ike::p1_state_count) {
            throw snapshot_invalid("a state out of range in a ladder");
        }
        l.history_state[i] = static_cast<ike::p1_state>(v);
    }
    if (const auto local = j.find("local"); local != j.end()) {
        const auto a = ip_address::parse(local->get<std::string>());
        if (!a) {
            throw snapshot_invalid("a ladder's local address is no address");
        }
        l.local = *a;
    }
}

}  // namespace

json peer_to_json(const ike::peer_table& table, const ike::peer_record& p, std::uint8_t lines) {
    json j = {{"peer", std::string(p.peer.view())},
              {"lines", lines},
              {"ike_version", p.ike_version},
              {"state", enum_number(p.state)},
              {"status", enum_number(p.status)},
              {"phase2", enum_number(p.phase2)},
              {"role", enum_number(p.role)},
              {"mode", enum_number(p.mode)},
              {"nat_t", p.nat_t},
              {"debug_seen", p.debug_seen},
              {"untimed", p.untimed},
              {"ipsec",
               {{"encaps", p.ipsec.encaps},
                {"decaps", p.ipsec.decaps},
                {"send_errors", p.ipsec.send_errors},
                {"recv_errors", p.ipsec.recv_errors},
                {"installed", enum_number(p.ipsec.installed)},
                {"counters", p.ipsec.counters}}},
              {"deleted_attempts", p.deleted_attempts},
              {"session_status", std::string(p.session_status.view())},
              {"reported_state", std::string(p.reported_state.view())},
              {"reported_unknown", p.reported_unknown},
              {"group", std::string(p.group.view())},
              {"since", p.since},
              {"first_seen", p.first_seen},
              {"last_event", p.last_event},
              {"p2_since", p.p2_since},
              {"retransmits", p.retransmits},
              {"peer_retransmits", p.peer_retransmits},
              {"replies", p.replies},
              {"negotiations", p.negotiations},
              {"declined", p.declined},
              {"accepted", p.accepted},
              {"failure_rank", p.failure_rank},
              {"failure_phase", p.failure_phase},
              {"proxy_unmatched", p.proxy_unmatched},
              {"events", p.events},
              {"last_sent", enum_number(p.last_sent)},
              {"last_received", enum_number(p.last_received)},
              {"last_kind", enum_number(p.last_kind)},
              {"last_failure", enum_number(p.last_failure)},
              {"last_failure_at", p.last_failure_at},
              {"ladder", ladder_json(p.ladder)}};
    // The lines the table's evidence store still holds, oldest first, and whether the first is
    // the negotiation's pinned start line.
    json ring = json::array();
    table.for_each_evidence(p, [&](const ike::evidence_entry& e) {
        ring.push_back({{"time", e.time}, {"text", std::string(e.text)}});
    });
    if (!ring.empty()) {
        j["evidence"] = std::move(ring);
        j["evidence_pinned"] = table.evidence().get(p.evidence.refs[0]).has_value();
    }
    return j;
}

void peer_from_json(const json& j, ike::peer_table& table, ike::peer_record& p) {
    p.ike_version = j.at("ike_version").get<std::uint8_t>();
    p.state = enum_at<ike::p1_state>(j, "state", ike::p1_state_count);
    p.status = enum_at<ike::p1_status>(j, "status", p1_status_count);
    p.phase2 = enum_at<ike::p2_status>(j, "phase2", p2_status_count);
    p.role = enum_at<parsers::ike_role>(j, "role", role_count);
    p.mode = enum_at<ike::ike_mode>(j, "mode", mode_count);
    p.nat_t = j.at("nat_t").get<bool>();
    p.debug_seen = j.at("debug_seen").get<bool>();
    p.untimed = j.at("untimed").get<bool>();
    const json& ipsec = j.at("ipsec");
    p.ipsec.encaps = ipsec.at("encaps").get<std::uint32_t>();
    p.ipsec.decaps = ipsec.at("decaps").get<std::uint32_t>();
    p.ipsec.send_errors = ipsec.at("send_errors").get<std::uint32_t>();
    p.ipsec.recv_errors = ipsec.at("recv_errors").get<std::uint32_t>();
    p.ipsec.installed = enum_at<ike::ipsec_sa>(ipsec, "installed", ipsec_sa_count);
    p.ipsec.counters = ipsec.at("counters").get<bool>();
    p.deleted_attempts = j.at("deleted_attempts").get<std::uint8_t>();
    p.session_status.assign(j.at("session_status").get<std::string>());
    p.reported_state.assign(j.at("reported_state").get<std::string>());
    p.reported_unknown = j.at("reported_unknown").get<bool>();
    p.group.assign(j.at("group").get<std::string>());
    p.since = j.at("since").get<micros>();
    p.first_seen = j.at("first_seen").get<micros>();
    p.last_event = j.at("last_event").get<micros>();
    p.p2_since = j.at("p2_since").get<micros>();
    p.retransmits = j.at("retransmits").get<std::uint32_t>();
    p.peer_retransmits = j.at("peer_retransmits").get<std::uint32_t>();
    p.replies = j.at("replies").get<std::uint32_t>();
    p.negotiations = j.at("negotiations").get<std::uint32_t>();
    p.declined = j.at("declined").get<std::uint8_t>();
    p.accepted = j.at("accepted").get<std::uint8_t>();
    p.failure_rank = j.at("failure_rank").get<std::uint8_t>();
    p.failure_phase = j.value("failure_phase", std::uint8_t{0});
    p.proxy_unmatched = j.value("proxy_unmatched", false);
    p.events = j.at("events").get<std::uint32_t>();
    p.last_sent = enum_at<parsers::ike_exchange>(j, "last_sent", exchange_count);
    p.last_received = enum_at<parsers::ike_exchange>(j, "last_received", exchange_count);
    p.last_kind = enum_at<parsers::event_kind>(j, "last_kind", parsers::event_kind_count);
    p.last_failure = enum_at<parsers::event_kind>(j, "last_failure", parsers::event_kind_count);
    p.last_failure_at = j.at("last_failure_at").get<micros>();
    ladder_from(j.at("ladder"), p.ladder);
    const std::uint8_t tier = p.evidence.tier;  // the arena of the class restore_peer set
    p.evidence = ike::evidence_refs{};
    p.evidence.tier = tier;
    if (const auto ring = j.find("evidence"); ring != j.end()) {
        if (!ring->is_array() || ring->size() > ike::evidence_refs::slots) {
            throw snapshot_invalid("an evidence ring of the wrong size");
        }
        bool pinned = j.at("evidence_pinned").get<bool>();
        // Added again oldest first: the lines read back as they were.
        for (const json& l : *ring) {
            table.add_evidence(p, l.at("time").get<micros>(), l.at("text").get<std::string>(),
                               pinned);
            pinned = false;
        }
    }
}

}  // namespace ikewatch::pipeline

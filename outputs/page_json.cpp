#include "outputs/page_json.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

#include "common/ip_address.hpp"
#include "common/text.hpp"
#include "outputs/alert_format.hpp"
#include "outputs/parse_json.hpp"

namespace ikewatch::outputs {

namespace {

using ike::ladder_exchange;
using ike::ladder_record;
using ike::peer_group;
using ike::peer_record;
namespace step_seen = ike::step_seen;
using nlohmann::json;
using parsers::ike_role;

constexpr int schema_version = 1;
constexpr micros day = 24 * 3600 * micros_per_second;
constexpr std::string_view debug_code = "ike-debug-not-logged";

json time_or_null(micros t) {
    return t != 0 ? json(rfc3339(t)) : json(nullptr);
}

std::string key_of(std::string_view device, std::string_view peer) {
    std::string k(device);
    k += '\x1f';
    k += peer;
    return k;
}

// The worst active alert of a (device, peer): highest severity, then the latest raised.
struct alert_brief {
    std::string id;
    std::string code;
    std::string title;
    rules::severity sev = rules::severity::info;
    micros raised = 0;
};

bool worse(const rules::alert& a, const alert_brief& b) {
    return a.sev != b.sev ? a.sev > b.sev : a.raised_at > b.raised;
}

bool worse_alert(const rules::alert& a, const rules::alert& b) {
    return a.sev != b.sev ? a.sev > b.sev : a.raised_at > b.raised_at;
}

// Each device's clock, looked up once per device and shard.
class clock_cache {
  public:
    explicit clock_cache(const shard_view& s) : s_(s) {}
    micros operator()(std::uint32_t device) {
        const auto it = now_.find(device);
        if (it != now_.end()) {
            return it->second;
        }
        const micros t = s_.now_of ? s_.now_of(s_.table.device_name(device)) : 0;
        now_.emplace(device, t);
        return t;
    }

  private:
    const shard_view& s_;
    std::unordered_map<std::uint32_t, micros> now_;
};

micros engine_now(const shard_visitor& shards, const page_context& ctx) {
    micros now = 0;
    shards([&](const shard_view& s) {
        clock_cache clocks(s);
        s.table.for_each([&](const peer_record& p) { now = std::max(now, clocks(p.device)); });
    });
    return now != 0 ? now : ctx.fallback_now;
}

json envelope(const page_context& ctx, micros now, std::size_t alerts_active) {
    json j;
    j["schema"] = schema_version;
    j["now"] = time_or_null(now);
    j["seq"] = ctx.seq;
    j["live"] = ctx.live;
    j["alerts_active"] = alerts_active;
    return j;
}

std::size_t active_count(const shard_visitor& shards) {
    std::size_t n = 0;
    shards([&](const shard_view& s) {
        if (s.engine != nullptr) {
            n += s.engine->active_count();
        }
    });
    return n;
}

// The checks of the rule that tells a device to send debug-level IKE messages: the one line of
// configuration the sources line and a coarse ladder show.
json debug_fix(const shard_visitor& shards) {
    json out = json::array();
    shards([&](const shard_view& s) {
        if (s.engine == nullptr || !out.empty()) {
            return;
        }
        for (const rules::rule& r : s.engine->rules().rules) {
            if (r.code == debug_code) {
                for (const rules::text_template& c : r.checks) {
                    out.push_back(c.render_unfilled());
                }
                return;
            }
        }
    });
    return out;
}

std::string_view role_letter(ike_role r) {
    return r == ike_role::initiator ? "i" : r == ike_role::responder ? "r" : "";
}

json role_json(ike_role r) {
    const std::string_view l = role_letter(r);
    return l.empty() ? json(nullptr) : json(std::string(l));
}

// ---- fleet rows -----------------------------------------------------------------------------

struct fleet_row {
    std::string device;
    std::string peer;
    std::string tunnel_group;
    std::string state;
    std::string state_ios;
    std::string last_line;
    micros last_line_time = 0;
    micros since = 0;
    micros last_event = 0;
    micros device_now = 0;
    peer_group group = peer_group::down;
    std::uint8_t version = 1;
    ike::ike_mode mode = ike::ike_mode::unknown;
    ike_role role = ike_role::unknown;
    ike::p1_status status = ike::p1_status::idle;
    ike::p2_status phase2 = ike::p2_status::none;
    std::uint32_t retransmits = 0;
    bool nat_t = false;
    bool debug_seen = false;
    bool untimed = false;
    std::optional<alert_brief> alert;
};

fleet_row make_row(const ike::peer_table& table, const peer_record& p, micros device_now,
                   const alert_brief* alert) {
    fleet_row r;
    r.device = table.device_name(p.device);
    r.peer = p.peer.view();
    r.tunnel_group = p.group.view();
    r.state = p.state_asa();
    r.state_ios = p.state_ios();
    table.for_each_evidence(p, [&](const ike::evidence_entry& l) {
        if (l.time >= r.last_line_time) {
            r.last_line_time = l.time;
            r.last_line.assign(l.text);
        }
    });
    r.since = p.since;
    r.last_event = p.last_event;
    r.device_now = device_now;
    const bool problem = alert != nullptr && alert->sev > rules::severity::info;
    r.group = ike::group_of(p, problem);
    r.version = p.ike_version == 0 ? 1 : p.ike_version;
    r.mode = p.mode;
    r.role = p.role;
    r.status = p.status;
    r.phase2 = p.phase2;
    r.retransmits = p.retransmits;
    r.nat_t = p.nat_t;
    r.debug_seen = p.debug_seen;
    r.untimed = p.untimed;
    if (alert != nullptr) {
        r.alert = *alert;
    }
    return r;
}

json in_state_ms(micros since, micros device_now, bool untimed) {
    if (since == 0 || device_now == 0 || untimed || device_now < since) {
        return nullptr;
    }
    return (device_now - since) / 1000;
}

json row_json(const fleet_row& r) {
    json j;
    j["device"] = text_value(r.device);
    j["peer"] = text_value(r.peer);
    j["tunnel_group"] = r.tunnel_group.empty() ? json(nullptr) : text_value(r.tunnel_group);
    j["ike"] = {{"version", r.version},
                {"mode", std::string(ike::to_string(r.mode))},
                {"role", std::string(ike::to_string(r.role))},
                {"state", text_value(r.state)},
                {"state_ios", text_value(r.state_ios)},
                {"status", std::string(ike::to_string(r.status))},
                {"group", std::string(ike::to_string(r.group))},
                {"state_since", time_or_null(r.untimed ? 0 : r.since)},
                {"in_state_ms", in_state_ms(r.since, r.device_now, r.untimed)},
                {"retransmits", r.retransmits},
                {"phase2", std::string(ike::to_string(r.phase2))},
                {"nat_t", r.nat_t}};
    if (r.alert) {
        j["alert"] = {{"id", text_value(r.alert->id)},
                      {"code", r.alert->code},
                      {"severity", std::string(rules::to_string(r.alert->sev))},
                      {"title", text_value(r.alert->title)}};
    } else {
        j["alert"] = nullptr;
    }
    j["last_line"] = r.last_line.empty() ? json(nullptr)
                                         : json{{"time", rfc3339(r.last_line_time)},
                                                {"text", text_value(r.last_line)}};
    j["last_event"] = time_or_null(r.last_event);
    j["debug_seen"] = r.debug_seen;
    return j;
}

bool matches_text(const fleet_row& r, std::string_view q) {
    if (q.empty()) {
        return true;
    }
    const auto in = [&](std::string_view s) { return text::ifind(s, q) != std::string_view::npos; };
    return in(r.device) || in(r.peer) || in(r.tunnel_group) || in(r.state) || in(r.state_ios) ||
           (r.alert && in(r.alert->code));
}

// Active alerts of a shard by (device, peer): the worst one each.
std::unordered_map<std::string, alert_brief> worst_alerts(const shard_view& s) {
    std::unordered_map<std::string, alert_brief> out;
    if (s.engine == nullptr) {
        return out;
    }
    s.engine->for_each_active([&](const rules::alert& a) {
        if (!a.peer_key) {
            return;
        }
        alert_brief& b = out[key_of(a.device, a.key)];
        if (b.id.empty() || worse(a, b)) {
            b = {a.id, a.code, a.message, a.sev, a.raised_at};
        }
    });
    return out;
}

// ---- ladder ---------------------------------------------------------------------------------

ladder_exchange exchange_of(const peer_record& p) {
    if (p.ladder.exchange != ladder_exchange::none) {
        return p.ladder.exchange;
    }
    if (p.ike_version == 2) {
        return ladder_exchange::ikev2;
    }
    return p.mode == ike::ike_mode::aggressive ? ladder_exchange::aggressive
                                               : ladder_exchange::main;
}

bool we_send(ladder_exchange x, std::size_t slot, ike_role role) {
    return ike::sent_by_initiator(x, slot) == (role != ike_role::responder);
}

bool seen_any(const ladder_record& l, std::size_t s) {
    return (l.seen[s] & (step_seen::sent | step_seen::received)) != 0;
}

std::optional<std::size_t> latest_seen(const ladder_record& l, std::size_t from, std::size_t to) {
    std::optional<std::size_t> last;
    for (std::size_t s = from; s < to; ++s) {
        if (seen_any(l, s)) {
            last = s;
        }
    }
    return last;
}

// What one side knows of one step.
struct step_view {
    std::string seen;  // sent, received, retransmitted, rejected, missing, future
    bool inferred = false;
    micros time = 0;
    micros expected_since = 0;
    int count = 0;
    int resends = 0;
    std::string rejected_by;  // us, peer
};

step_view seen_step(const ladder_record& l, std::size_t s) {
    step_view v;
    const std::uint8_t bits = l.seen[s];
    v.inferred = (bits & step_seen::inferred) != 0;
    v.time = v.inferred ? 0 : l.time_of(s);
    v.count = l.sightings[s];
    v.resends = l.resends[s];
    if ((bits & step_seen::rejected) != 0) {
        v.seen = "rejected";
        v.rejected_by = (bits & step_seen::received) != 0 ? "us" : "peer";
    } else if ((bits & step_seen::resent) != 0) {
        v.seen = "retransmitted";
    } else {
        v.seen = (bits & step_seen::sent) != 0 ? "sent" : "received";
    }
    return v;
}

step_view unseen(bool ours) {
    step_view v;
    v.seen = ours ? "sent" : "received";
    v.inferred = true;
    return v;
}

// The phase-1 steps as the device that logged `p` saw them; unseen steps that its state proves
// are marked inferred, the step it waits for is missing, later ones are not yet.
std::vector<step_view> phase1_views(const peer_record& p, ladder_exchange x) {
    const ladder_record& l = p.ladder;
    const std::size_t n = ike::phase1_steps(x);
    std::vector<step_view> out(n);
    const bool up = p.status == ike::p1_status::up || ike::is_active(p.state);
    const bool open = p.status == ike::p1_status::negotiating || p.status == ike::p1_status::failed;
    const auto waited = open ? ike::waited_slot(p.state) : std::nullopt;
    const auto last = latest_seen(l, 0, n);
    for (std::size_t s = 0; s < n; ++s) {
        const bool ours = we_send(x, s, p.role);
        if (seen_any(l, s)) {
            out[s] = seen_step(l, s);
        } else if (up || (waited && s < *waited) || (last && s < *last)) {
            out[s] = unseen(ours);
        } else if ((waited && s == *waited) ||
                   (!waited && last && s == *last + 1 && p.status == ike::p1_status::failed)) {
            out[s].seen = "missing";
            out[s].expected_since = waited ? p.since : l.time_of(*last);
        } else {
            out[s].seen = "future";
        }
    }
    return out;
}

// Whether the logging device started the quick-mode exchange drawn.
bool quick_started_by_us(const ladder_record& l) {
    const std::size_t q = ike::ladder_qm_first;
    if (seen_any(l, q)) {
        return (l.seen[q] & step_seen::sent) != 0 && (l.seen[q] & step_seen::by_peer) == 0;
    }
    if (seen_any(l, q + 1)) {
        return (l.seen[q + 1] & step_seen::received) != 0;
    }
    return (l.seen[q + 2] & step_seen::sent) != 0;
}

std::vector<step_view> quick_views(const peer_record& p) {
    const ladder_record& l = p.ladder;
    const std::size_t q = ike::ladder_qm_first;
    std::vector<step_view> out(3);
    const bool by_us = quick_started_by_us(l);
    const auto last = latest_seen(l, q, ike::ladder_slots);
    for (std::size_t i = 0; i < 3; ++i) {
        const std::size_t s = q + i;
        const bool ours = (i != 1) == by_us;
        if (seen_any(l, s)) {
            out[i] = seen_step(l, s);
        } else if (p.phase2 == ike::p2_status::up || (last && s < *last)) {
            out[i] = unseen(ours);
        } else if (last && s == *last + 1 &&
                   (p.phase2 == ike::p2_status::negotiating ||
                    p.phase2 == ike::p2_status::failed)) {
            out[i].seen = "missing";
            out[i].expected_since = l.time_of(*last);
        } else {
            out[i].seen = "future";
        }
    }
    return out;
}

json step_json(const step_view& v) {
    json j;
    j["seen"] = v.seen;
    j["inferred"] = v.inferred;
    j["time"] = time_or_null(v.time);
    if (v.count > 0) {
        j["count"] = v.count;
    }
    if (v.resends > 0) {
        j["resends"] = v.resends;
    }
    if (v.expected_since != 0) {
        j["expected_since"] = rfc3339(v.expected_since);
    }
    if (!v.rejected_by.empty()) {
        j["rejected_by"] = v.rejected_by;
    }
    return j;
}

// The state a side enters after sending (or, last, receiving) a phase-1 step, as ASA and IOS
// name it; empty when it passes through no waiting state there.
std::optional<ike::p1_state> state_after(ladder_exchange x, std::size_t slot, bool ours) {
    using ike::p1_state;
    if (x == ladder_exchange::main) {
        static constexpr std::array<p1_state, 6> after{
            p1_state::mm_wait_msg2, p1_state::mm_wait_msg3, p1_state::mm_wait_msg4,
            p1_state::mm_wait_msg5, p1_state::mm_wait_msg6, p1_state::mm_active};
        return ours || slot == 5 ? std::optional(after[slot]) : std::nullopt;
    }
    if (x == ladder_exchange::aggressive) {
        static constexpr std::array<p1_state, 3> after{p1_state::am_wait_msg2,
                                                       p1_state::am_wait_msg3, p1_state::am_active};
        return ours || slot == 2 ? std::optional(after[slot]) : std::nullopt;
    }
    return std::nullopt;
}

json steps_json(const peer_record& p, ladder_exchange x, const peer_record* other) {
    const std::vector<step_view> mine = phase1_views(p, x);
    std::vector<step_view> theirs;
    if (other != nullptr && other->ladder.any_phase1()) {
        theirs = phase1_views(*other, x);
    }
    json steps = json::array();
    for (std::size_t s = 0; s < mine.size(); ++s) {
        json j = step_json(mine[s]);
        j["msg"] = std::string(ike::step_name(x, s));
        j["slot"] = s;
        j["from"] = ike::sent_by_initiator(x, s) ? "i" : "r";
        const bool ours = we_send(x, s, p.role);
        const bool done = mine[s].seen != "missing" && mine[s].seen != "future";
        if (const auto st = state_after(x, s, ours); st && done) {
            j["state_after"] = {{"state", std::string(ike::asa_name(*st))},
                                {"state_ios", std::string(ike::ios_name(*st))}};
        }
        if (s < theirs.size()) {
            j["other"] = step_json(theirs[s]);
        }
        steps.push_back(std::move(j));
    }
    return steps;
}

json quick_json(const peer_record& p, const peer_record* other) {
    const ladder_record& l = p.ladder;
    if (!l.any_quick()) {
        return nullptr;
    }
    const bool by_us = quick_started_by_us(l);
    const std::string us(p.role == ike_role::responder ? "r" : "i");
    const std::string them(us == "i" ? "r" : "i");
    const std::vector<step_view> mine = quick_views(p);
    std::vector<step_view> theirs;
    if (other != nullptr && other->ladder.any_quick()) {
        theirs = quick_views(*other);
    }
    json steps = json::array();
    for (std::size_t i = 0; i < mine.size(); ++i) {
        json j = step_json(mine[i]);
        j["msg"] = std::string(ike::step_name(ladder_exchange::main, ike::ladder_qm_first + i));
        j["slot"] = ike::ladder_qm_first + i;
        j["from"] = ((i != 1) == by_us) ? us : them;
        if (i < theirs.size()) {
            j["other"] = step_json(theirs[i]);
        }
        steps.push_back(std::move(j));
    }
    char id[16];
    std::snprintf(id, sizeof id, "%08x", l.qm_msgid);
    return {{"msgid", l.qm_msgid != 0 ? json(std::string(id)) : json(nullptr)},
            {"started_by", by_us ? "us" : "peer"},
            {"phase2", std::string(ike::to_string(p.phase2))},
            {"steps", std::move(steps)}};
}

json waiting_json(const peer_record& p, ladder_exchange x, micros device_now) {
    const bool open = p.status == ike::p1_status::negotiating || p.status == ike::p1_status::failed;
    const auto w = open ? ike::waited_slot(p.state) : std::nullopt;
    if (!w || *w == 0 || *w >= ike::phase1_steps(x) || we_send(x, *w, p.role) ||
        p.role == ike_role::unknown) {
        return nullptr;
    }
    json j;
    j["side"] = std::string(role_letter(p.role));
    j["for"] = std::string(ike::step_name(x, *w));
    j["since"] = time_or_null(p.untimed ? 0 : p.since);
    j["for_ms"] = in_state_ms(p.since, device_now, p.untimed);
    j["active"] = p.status == ike::p1_status::negotiating;
    j["state"] = std::string(p.state_asa());
    j["state_ios"] = std::string(p.state_ios());
    const std::size_t prev = *w - 1;
    if (we_send(x, prev, p.role)) {
        j["last_sent"] = std::string(ike::step_name(x, prev));
        j["resent"] = p.ladder.resends[prev];
    }
    return j;
}

json other_side_json(const ike::peer_table& table, const peer_record& o, micros device_now) {
    return {{"device", text_value(table.device_name(o.device))},
            {"peer", text_value(o.peer.view())},
            {"role", role_json(o.role)},
            {"state", text_value(o.state_asa())},
            {"state_ios", text_value(o.state_ios())},
            {"status", std::string(ike::to_string(o.status))},
            {"state_since", time_or_null(o.untimed ? 0 : o.since)},
            {"in_state_ms", in_state_ms(o.since, device_now, o.untimed)},
            {"debug_seen", o.debug_seen}};
}

json ladder_json(const peer_record& p, micros device_now, const peer_record* other,
                 const json& fix) {
    const ladder_exchange x = exchange_of(p);
    json j;
    j["exchange"] = std::string(ike::to_string(x));
    j["us"] = role_json(p.role);
    j["state"] = text_value(p.state_asa());
    j["state_ios"] = text_value(p.state_ios());
    j["status"] = std::string(ike::to_string(p.status));
    const bool detailed = p.ladder.any_phase1() || (p.debug_seen && ike::waited_slot(p.state));
    if (!detailed) {
        // Informational-level lines only: the messages cannot be told apart.
        j["detail"] = "coarse";
        j["steps"] = json::array();
        j["coarse"] = {{"first", std::string(ike::step_name(x, 0))},
                       {"last", std::string(ike::step_name(x, ike::phase1_steps(x) - 1))},
                       {"debug_seen", p.debug_seen},
                       {"fix", fix}};
        if (p.last_failure != parsers::event_kind::other) {
            j["coarse"]["last_failure"] = std::string(parsers::to_string(p.last_failure));
        }
        j["waiting"] = nullptr;
        j["quick"] = quick_json(p, nullptr);
        return j;
    }
    j["detail"] = "steps";
    j["steps"] = steps_json(p, x, other);
    j["waiting"] = waiting_json(p, x, device_now);
    j["quick"] = quick_json(p, other);
    return j;
}

json timeline_json(const peer_record& p) {
    json out = json::array();
    p.ladder.for_each_change([&](micros t, ike::p1_state s, ike::p1_status st, ike::p2_status p2) {
        out.push_back({{"time", rfc3339(t)},
                       {"state", std::string(ike::asa_name(s))},
                       {"state_ios", std::string(ike::ios_name(s))},
                       {"status", std::string(ike::to_string(st))},
                       {"phase2", std::string(ike::to_string(p2))},
                       {"group", std::string(ike::to_string(ike::group_of(st, p2)))}});
    });
    return out;
}

json evidence_json(const ike::peer_table& table, const peer_record& p) {
    json out = json::array();
    const ladder_exchange x = exchange_of(p);
    table.for_each_evidence(p, [&](const ike::evidence_entry& l) {
        json e{{"time", rfc3339(l.time)}, {"text", text_value(l.text)}, {"step", nullptr}};
        if (const auto s = ike::evidence_step(p.ladder, l.text)) {
            e["step"] = std::string(ike::step_name(x, *s));
            e["slot"] = *s;
        }
        out.push_back(std::move(e));
    });
    return out;
}

// The addresses that name a device: its name when it is an address (no host name in its
// syslog), and the local addresses its lines gave for its peers.
void add_addresses(std::map<std::string, std::set<std::string>>& owners, const shard_view& s) {
    s.table.for_each([&](const peer_record& p) {
        const std::string device(s.table.device_name(p.device));
        if (p.ladder.local.family != ip_address::family_t::none) {
            owners[p.ladder.local.to_string()].insert(device);
        }
        if (const auto a = ip_address::parse(device)) {
            owners[a->to_string()].insert(device);
        }
    });
}

std::string canonical(std::string_view addr) {
    const auto a = ip_address::parse(addr);
    return a ? a->to_string() : std::string(addr);
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '%') {
            if (i + 2 >= s.size() || !text::is_hex(s[i + 1]) || !text::is_hex(s[i + 2])) {
                return std::nullopt;
            }
            const auto v = text::hex_to_number(s.substr(i + 1, 2));
            out += static_cast<char>(v.value_or(0));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

fleet_query parse_fleet_query(std::string_view query) {
    fleet_query q;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const std::size_t eq = pair.find('=');
        const std::string_view key = pair.substr(0, eq);
        const std::string value =
            eq == std::string_view::npos
                ? std::string()
                : percent_decode(pair.substr(eq + 1), true).value_or(std::string());
        if (key == "q") {
            q.q = value.substr(0, 256);
        } else if (key == "group") {
            q.group = ike::peer_group_from(value);
        } else if (key == "device") {
            q.device = value;
        } else if (key == "code") {
            q.code = value.substr(0, 128);
        } else if (key == "has_alert") {
            q.has_alert = value == "1" || value == "true";
        } else if (key == "limit") {
            if (const auto n = text::to_number<std::size_t>(value); n && *n > 0) {
                q.limit = std::min(*n, fleet_query::max_limit);
            }
        } else if (key == "offset") {
            q.offset = text::to_number<std::size_t>(value).value_or(0);
        }
    }
    return q;
}

json fleet_json(const shard_visitor& shards, const fleet_query& query, const page_context& ctx) {
    std::vector<fleet_row> rows;
    std::array<std::size_t, 4> counts{};
    std::map<std::string, std::pair<std::size_t, bool>> devices;  // peers, debug seen
    std::set<std::string> codes;
    std::size_t total = 0;
    std::size_t alerts = 0;
    micros now = 0;
    shards([&](const shard_view& s) {
        const auto worst = worst_alerts(s);
        if (s.engine != nullptr) {
            alerts += s.engine->active_count();
        }
        clock_cache clocks(s);
        s.table.for_each([&](const peer_record& p) {
            ++total;
            const std::string_view device = s.table.device_name(p.device);
            const micros dnow = clocks(p.device);
            now = std::max(now, dnow);
            auto& d = devices[std::string(device)];
            ++d.first;
            d.second = s.table.device_debug(p.device);
            const auto it = worst.find(key_of(device, p.peer.view()));
            const alert_brief* a = it == worst.end() ? nullptr : &it->second;
            if (a != nullptr) {
                codes.insert(a->code);
            }
            if ((!query.device.empty() && device != query.device) ||
                (!query.code.empty() && (a == nullptr || a->code != query.code)) ||
                (query.has_alert && a == nullptr)) {
                return;
            }
            fleet_row r = make_row(s.table, p, dnow, a);
            if (!matches_text(r, query.q)) {
                return;
            }
            ++counts[static_cast<std::size_t>(r.group)];
            if (query.group && r.group != *query.group) {
                return;
            }
            rows.push_back(std::move(r));
        });
    });
    // Stuck, down, negotiating, established; within a group the longest in its state first.
    std::sort(rows.begin(), rows.end(), [](const fleet_row& a, const fleet_row& b) {
        if (a.group != b.group) {
            return a.group < b.group;
        }
        const micros sa = a.since == 0 || a.untimed ? std::numeric_limits<micros>::max() : a.since;
        const micros sb = b.since == 0 || b.untimed ? std::numeric_limits<micros>::max() : b.since;
        if (sa != sb) {
            return sa < sb;
        }
        return a.device != b.device ? a.device < b.device : a.peer < b.peer;
    });
    json j = envelope(ctx, now != 0 ? now : ctx.fallback_now, alerts);
    j["total"] = total;
    j["matched"] = rows.size();
    j["offset"] = query.offset;
    j["limit"] = query.limit;
    j["counts"] = json::object();
    for (const peer_group g :
         {peer_group::stuck, peer_group::down, peer_group::negotiating, peer_group::established}) {
        j["counts"][std::string(ike::to_string(g))] = counts[static_cast<std::size_t>(g)];
    }
    json page = json::array();
    for (std::size_t i = query.offset; i < rows.size() && i < query.offset + query.limit; ++i) {
        page.push_back(row_json(rows[i]));
    }
    j["peers"] = std::move(page);
    json device_list = json::array();
    json without_debug = json::array();
    std::size_t without_debug_count = 0;
    for (const auto& [name, info] : devices) {
        if (device_list.size() < 1000) {
            device_list.push_back(text_value(name));
        }
        if (!info.second) {
            ++without_debug_count;
            if (without_debug.size() < 20) {
                without_debug.push_back(text_value(name));
            }
        }
    }
    j["devices"] = std::move(device_list);
    j["codes"] = json(std::vector<std::string>(codes.begin(), codes.end()));
    j["sources"] = {{"devices", devices.size()},
                    {"without_debug", std::move(without_debug)},
                    {"without_debug_count", without_debug_count},
                    {"fix", without_debug_count > 0 ? debug_fix(shards) : json::array()}};
    return j;
}

std::optional<json> peer_page_json(const shard_visitor& shards, std::string_view device,
                                   std::string_view peer, const page_context& ctx) {
    std::optional<json> out;
    std::string local;
    shards([&](const shard_view& s) {
        const peer_record* p = s.table.find(device, peer);
        if (p == nullptr) {
            return;
        }
        if (p->ladder.local.family != ip_address::family_t::none) {
            local = p->ladder.local.to_string();
        }
    });
    // Both ends: a record of another device that this device's address names, and that names
    // an address of this device.
    std::map<std::string, std::set<std::string>> owners;
    shards([&](const shard_view& s) { add_addresses(owners, s); });
    std::set<std::string> our_addresses;
    for (const auto& [addr, names] : owners) {
        if (names.count(std::string(device)) != 0) {
            our_addresses.insert(addr);
        }
    }
    const auto peer_owners = owners.find(canonical(peer));
    const json fix = debug_fix(shards);
    const micros now = engine_now(shards, ctx);
    const std::size_t alerts = active_count(shards);
    // Found in one shard; its other side may be in another one, so it is rendered there.
    json other_side = nullptr;
    std::unique_ptr<peer_record> other_copy;
    shards([&](const shard_view& s) {
        if (peer_owners == owners.end() || !other_side.is_null()) {
            return;
        }
        clock_cache clocks(s);
        s.table.for_each([&](const peer_record& o) {
            if (!other_side.is_null()) {
                return;
            }
            const std::string od(s.table.device_name(o.device));
            if (od == device || peer_owners->second.count(od) == 0 ||
                our_addresses.count(canonical(o.peer.view())) == 0) {
                return;
            }
            other_side = other_side_json(s.table, o, clocks(o.device));
            other_copy = std::make_unique<peer_record>();
            // The ladder and state are all the other side contributes to the steps.
            other_copy->ladder = o.ladder;
            other_copy->state = o.state;
            other_copy->status = o.status;
            other_copy->phase2 = o.phase2;
            other_copy->role = o.role;
            other_copy->since = o.since;
        });
    });
    shards([&](const shard_view& s) {
        const peer_record* p = s.table.find(device, peer);
        if (p == nullptr) {
            return;
        }
        clock_cache clocks(s);
        const micros dnow = clocks(p->device);
        std::vector<const rules::alert*> mine;
        std::vector<const rules::alert*> device_notes;
        if (s.engine != nullptr) {
            s.engine->for_each_active([&](const rules::alert& a) {
                if (a.device != device) {
                    return;
                }
                if (a.peer_key && a.key == peer) {
                    mine.push_back(&a);
                } else if (!a.peer_key && a.key == device) {
                    device_notes.push_back(&a);
                }
            });
        }
        std::sort(mine.begin(), mine.end(),
                  [](const rules::alert* a, const rules::alert* b) { return worse_alert(*a, *b); });
        alert_brief worst;
        if (!mine.empty()) {
            worst = {mine.front()->id, mine.front()->code, mine.front()->message, mine.front()->sev,
                     mine.front()->raised_at};
        }
        const fleet_row row = make_row(s.table, *p, dnow, mine.empty() ? nullptr : &worst);
        // The engine clock of this peer's device: its durations and timeline run on it.
        json j = envelope(ctx, dnow != 0 ? dnow : now, alerts);
        j["peer"] = row_json(row);
        j["peer"]["first_seen"] = time_or_null(p->first_seen);
        j["peer"]["negotiations"] = p->negotiations;
        j["peer"]["peer_retransmits"] = p->peer_retransmits;
        j["peer"]["last_failure"] = p->last_failure == parsers::event_kind::other
                                        ? json(nullptr)
                                        : json(std::string(parsers::to_string(p->last_failure)));
        j["peer"]["local"] = local.empty() ? json(nullptr) : json(local);
        j["ladder"] = ladder_json(*p, dnow, other_copy.get(), fix);
        j["other_side"] = other_side;
        json diag = json::array();
        for (const rules::alert* a : mine) {
            diag.push_back(alert_json(*a));
        }
        j["diagnoses"] = std::move(diag);
        json notes = json::array();
        for (const rules::alert* a : device_notes) {
            notes.push_back(alert_json(*a));
        }
        j["device_notes"] = std::move(notes);
        j["evidence"] = evidence_json(s.table, *p);
        j["timeline"] = timeline_json(*p);
        out = std::move(j);
    });
    return out;
}

json alerts_page_json(const shard_visitor& shards, const alert_history& history,
                      const page_context& ctx) {
    std::vector<rules::alert> active;
    json clocks = json::object();  // each alerting device's clock: how long an alert has lasted
    shards([&](const shard_view& s) {
        if (s.engine != nullptr) {
            s.engine->for_each_active([&](const rules::alert& a) {
                active.push_back(a);
                if (s.now_of && !clocks.contains(a.device)) {
                    clocks[a.device] = time_or_null(s.now_of(a.device));
                }
            });
        }
    });
    std::sort(active.begin(), active.end(),
              [](const rules::alert& a, const rules::alert& b) { return worse_alert(a, b); });
    const micros now = engine_now(shards, ctx);
    json j = envelope(ctx, now, active.size());
    json act = json::array();
    for (const rules::alert& a : active) {
        act.push_back(alert_json(a));
    }
    j["active"] = std::move(act);
    j["device_now"] = std::move(clocks);
    json resolved = json::array();
    history.for_each_since(now - day, [&](const rules::alert& a) {
        if (resolved.size() < 500) {
            resolved.push_back(alert_json(a));
        }
    });
    j["resolved"] = std::move(resolved);
    return j;
}

json report_json(const shard_visitor& shards, const alert_history& history, const page_context& ctx,
                 std::string_view inputs, std::size_t max_peers) {
    fleet_query all;
    all.limit = std::numeric_limits<std::size_t>::max() / 2;
    json fleet = fleet_json(shards, all, ctx);
    json peers = json::array();
    // The fleet rows come stuck first, so the peers most worth a look get their view.
    for (const json& row : fleet["peers"]) {
        if (peers.size() >= max_peers) {
            break;
        }
        const std::string device = row["device"].get<std::string>();
        const std::string peer = row["peer"].get<std::string>();
        if (auto view = peer_page_json(shards, device, peer, ctx)) {
            peers.push_back(std::move(*view));
        }
    }
    json out;
    out["report"] = {{"now", fleet["now"]},
                     {"inputs", text_value(inputs)},
                     {"peer_views", peers.size()},
                     {"peers", fleet["total"]}};
    out["fleet"] = std::move(fleet);
    out["alerts"] = alerts_page_json(shards, history, ctx);
    out["peers"] = std::move(peers);
    return out;
}

page_fingerprint fingerprint(const shard_visitor& shards, const alert_history& history) {
    page_fingerprint f;
    shards([&](const shard_view& s) {
        s.table.for_each([&](const peer_record& p) { f.events += p.events; });
        f.peers += s.table.size();
        f.removed += s.table.stats().evicted + s.table.stats().expired;
        if (s.engine != nullptr) {
            const rules::engine_stats& e = s.engine->stats();
            f.alerts += e.raised + e.resolved + e.repeats;
        }
    });
    f.history = history.recorded();
    return f;
}

}  // namespace ikewatch::outputs

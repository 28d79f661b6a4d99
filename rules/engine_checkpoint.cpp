// The rule engine's part in checkpoints: one device's rule state, raised alerts, suppression
// memory and timers, written by save() and read back by restore().

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "rules/engine.hpp"

namespace ikewatch::rules {

namespace {

using nlohmann::json;

constexpr std::size_t severity_count = 5;
constexpr std::size_t confidence_count = 3;

template <typename E>
E enum_of(const json& j, const char* key, std::size_t count) {
    const auto v = j.at(key).get<unsigned>();
    if (v >= count) {
        throw std::invalid_argument(std::string("value out of range at '") + key + "'");
    }
    return static_cast<E>(v);
}

json line_json(const evidence_line& l) {
    return {{"time", l.time}, {"text", l.text}};
}

evidence_line line_from(const json& j) {
    return {j.at("time").get<micros>(), j.at("text").get<std::string>()};
}

json lines_json(const std::vector<evidence_line>& lines) {
    json out = json::array();
    for (const evidence_line& l : lines) {
        out.push_back(line_json(l));
    }
    return out;
}

std::vector<evidence_line> lines_from(const json& j) {
    std::vector<evidence_line> out;
    for (const json& l : j) {
        out.push_back(line_from(l));
    }
    return out;
}

json fields_json(const std::vector<std::pair<parsers::field, std::string>>& fields) {
    json out = json::array();
    for (const auto& [f, v] : fields) {
        out.push_back({std::string(parsers::to_string(f)), v});
    }
    return out;
}

std::vector<std::pair<parsers::field, std::string>> fields_from(const json& j) {
    std::vector<std::pair<parsers::field, std::string>> out;
    for (const json& f : j) {
        // A field this build does not know is left out (its placeholder renders empty).
        if (const auto field = parsers::field_from(f.at(0).get<std::string>())) {
            out.emplace_back(*field, f.at(1).get<std::string>());
        }
    }
    return out;
}

json alert_json(const alert& a) {
    json checks = a.checks;
    return {{"id", a.id},
            {"time", a.time},
            {"created", a.created},
            {"raised_at", a.raised_at},
            {"last_seen", a.last_seen},
            {"count", a.count},
            {"rule_id", a.rule_id},
            {"rule_name", a.rule_name},
            {"rule_version", a.rule_version},
            {"severity", static_cast<unsigned>(a.sev)},
            {"confidence", static_cast<unsigned>(a.conf)},
            {"code", a.code},
            {"message", a.message},
            {"cause", a.cause},
            {"checks", std::move(checks)},
            {"device", a.device},
            {"key", a.key},
            {"peer_key", a.peer_key},
            {"peer", a.peer},
            {"ike_version", a.ike_version},
            {"phase", a.phase},
            {"state", a.state},
            {"state_ios", a.state_ios},
            {"role", a.role},
            {"mode", a.mode},
            {"status", a.status},
            {"phase2", a.phase2},
            {"state_since", a.state_since},
            {"retransmits", a.retransmits},
            {"nat_t", a.nat_t},
            {"group", a.group},
            {"evidence", lines_json(a.evidence)}};
}

alert alert_from(const json& j) {
    alert a;
    a.action = alert::action_t::raised;
    a.id = j.at("id").get<std::string>();
    a.time = j.at("time").get<micros>();
    a.created = j.at("created").get<micros>();
    a.raised_at = j.at("raised_at").get<micros>();
    a.last_seen = j.at("last_seen").get<micros>();
    a.count = j.at("count").get<std::uint32_t>();
    a.rule_id = j.at("rule_id").get<std::string>();
    a.rule_name = j.at("rule_name").get<std::string>();
    a.rule_version = j.at("rule_version").get<int>();
    a.sev = enum_of<severity>(j, "severity", severity_count);
    a.conf = enum_of<confidence>(j, "confidence", confidence_count);
    a.code = j.at("code").get<std::string>();
    a.message = j.at("message").get<std::string>();
    a.cause = j.at("cause").get<std::string>();
    a.checks = j.at("checks").get<std::vector<std::string>>();
    a.device = j.at("device").get<std::string>();
    a.key = j.at("key").get<std::string>();
    a.peer_key = j.at("peer_key").get<bool>();
    a.peer = j.at("peer").get<std::string>();
    a.ike_version = j.at("ike_version").get<int>();
    a.phase = j.at("phase").get<int>();
    a.state = j.at("state").get<std::string>();
    a.state_ios = j.at("state_ios").get<std::string>();
    a.role = j.at("role").get<std::string>();
    a.mode = j.at("mode").get<std::string>();
    a.status = j.at("status").get<std::string>();
    a.phase2 = j.at("phase2").get<std::string>();
    a.state_since = j.at("state_since").get<micros>();
    a.retransmits = j.at("retransmits").get<std::uint32_t>();
    a.nat_t = j.at("nat_t").get<bool>();
    a.group = j.at("group").get<std::string>();
    a.evidence = lines_from(j.at("evidence"));
    return a;
}

// The device an alert id (`rule/device/key`) names, when it is `device`.
bool alert_of_device(std::string_view id, std::string_view device) {
    const std::size_t slash = id.find('/');
    if (slash == std::string_view::npos) {
        return false;
    }
    const std::string_view rest = id.substr(slash + 1);
    return rest.size() > device.size() && rest.starts_with(device) && rest[device.size()] == '/';
}

// The device of a key id (device \x1f key \x1f p|o).
std::string_view device_of_key_id(std::string_view id) {
    return id.substr(0, id.find('\x1f'));
}

// The key of a key id (device \x1f key \x1f p|o); empty when it has none.
std::string_view key_of_key_id(std::string_view id) {
    const std::size_t a = id.find('\x1f');
    if (a == std::string_view::npos) {
        return {};
    }
    const std::string_view rest = id.substr(a + 1);
    return rest.substr(0, rest.find('\x1f'));
}

}  // namespace

void engine::save(const ike::peer_table& peers,
                  const std::function<json*(std::string_view device)>& slot) const {
    const auto part = [&](std::string_view device, const char* name) -> json* {
        json* out = slot(device);
        if (out == nullptr) {
            return nullptr;
        }
        json& p = (*out)[name];
        if (p.is_null()) {
            p = json::array();
        }
        return &p;
    };
    keys_.for_each([&](const std::string&, const key_entry& k) {
        json* out = part(k.device, "keys");
        if (out == nullptr) {
            return;
        }
        json states = json::array();
        for (const rule_state& s : k.states) {
            states.push_back({{"rule", rules_->rules[s.rule].id},
                              {"times", s.times},
                              {"pending", s.pending},
                              {"gen", s.gen},
                              {"corr_at", s.corr_at},
                              {"trigger_at", s.trigger_at},
                              {"corr_fields", fields_json(s.corr_fields)},
                              {"trigger_fields", fields_json(s.trigger_fields)},
                              {"corr_line", line_json(s.corr_line)},
                              {"trigger_line", line_json(s.trigger_line)},
                              {"lines", lines_json(s.lines)}});
        }
        json alerts = json::array();
        for (const raised_ref& ref : k.alerts) {
            alerts.push_back(ref.id);
        }
        out->push_back({{"key", k.key},
                        {"peer_key", k.peer_key},
                        {"states", std::move(states)},
                        {"alerts", std::move(alerts)}});
    });
    for (const auto& [id, a] : alerts_) {
        if (json* out = part(a.data.device, "alerts")) {
            out->push_back(alert_json(a.data));
        }
    }
    for (const auto& [id, at] : resolved_at_) {
        const std::size_t slash = id.find('/');
        const std::size_t next = slash == std::string::npos ? slash : id.find('/', slash + 1);
        if (next == std::string::npos) {
            continue;
        }
        // Device names may hold '/': the slot decides which prefix names a device.
        for (std::size_t end = next; end != std::string::npos; end = id.find('/', end + 1)) {
            const std::string_view device = std::string_view(id).substr(slash + 1, end - slash - 1);
            if (slot(device) != nullptr) {
                part(device, "resolved")->push_back({id, at});
                break;
            }
        }
    }
    timers_.for_each([&](const std::string& device, const timer_heap& heap) {
        json* out = part(device, "timers");
        if (out == nullptr) {
            return;
        }
        heap.for_each([&](const timer& t) {
            json one = {{"kind", static_cast<unsigned>(t.kind)},
                        {"at", t.at},
                        {"seq", t.seq},
                        {"gen", t.gen},
                        {"key_id", t.key_id}};
            switch (t.kind) {
                case timer::what::state: {
                    const auto& list = rules_->by_state[static_cast<std::size_t>(t.state)];
                    // A timer of a peer no longer in the table would do nothing when it fired.
                    const ike::peer_record* p = peers.at(t.peer_slot, t.peer_serial);
                    if (p == nullptr || t.rule >= list.size()) {
                        return;
                    }
                    one["key_id"] = peer_key_id(peers.device_name(p->device), p->peer.view());
                    one["rule"] = rules_->rules[list[t.rule]].id;
                    one["state"] = static_cast<unsigned>(t.state);
                    break;
                }
                case timer::what::absence:
                    one["rule"] = rules_->rules[t.rule].id;
                    break;
                case timer::what::resolve: {
                    one["rule"] = rules_->rules[t.rule].id;
                    // A repeat since the timer was set: the place the moved timer takes.
                    const auto a = alerts_.find(t.key_id);
                    if (a != alerts_.end() && a->second.resolve_timer == t.seq &&
                        a->second.repeat_seq != 0) {
                        one["then"] = a->second.repeat_seq;
                    }
                    break;
                }
            }
            out->push_back(std::move(one));
        });
    });
}

void engine::restore(std::string_view device, const json& j, const ike::peer_table& peers) {
    peers_ = &peers;
    const rule_set& rs = *rules_;
    const auto rule_index = [&](const std::string& id) -> std::optional<std::uint32_t> {
        if (rs.find(id) == nullptr) {
            return std::nullopt;
        }
        return static_cast<std::uint32_t>(rs.find_index(id));
    };
    std::unordered_map<std::string, std::string> key_of_alert;
    std::vector<std::string> restored_keys;
    if (const auto keys = j.find("keys"); keys != j.end()) {
        for (const json& one : *keys) {
            const std::string key = one.at("key").get<std::string>();
            const bool peer_key = one.at("peer_key").get<bool>();
            const std::string* key_id = nullptr;
            key_entry& k = entry(device, key, peer_key, key_id);
            const std::string id = *key_id;
            k.states.clear();
            for (const json& s : one.at("states")) {
                const auto ri = rule_index(s.at("rule").get<std::string>());
                if (!ri) {
                    continue;  // a rule the running set does not have: its window is gone
                }
                rule_state st;
                st.rule = *ri;
                st.times = s.at("times").get<std::vector<micros>>();
                st.pending = s.at("pending").get<bool>();
                st.gen = s.at("gen").get<std::uint64_t>();
                st.corr_at = s.at("corr_at").get<micros>();
                st.trigger_at = s.at("trigger_at").get<micros>();
                st.corr_fields = fields_from(s.at("corr_fields"));
                st.trigger_fields = fields_from(s.at("trigger_fields"));
                st.corr_line = line_from(s.at("corr_line"));
                st.trigger_line = line_from(s.at("trigger_line"));
                st.lines = lines_from(s.at("lines"));
                next_gen_ = std::max(next_gen_, st.gen + 1);
                k.states.push_back(std::move(st));
            }
            k.alerts.clear();
            for (std::string& a : one.at("alerts").get<std::vector<std::string>>()) {
                key_of_alert[a] = id;
                k.alerts.push_back({std::move(a)});
            }
            restored_keys.push_back(id);
        }
    }
    if (const auto alerts = j.find("alerts"); alerts != j.end()) {
        for (const json& one : *alerts) {
            alert a = alert_from(one);
            if (a.device != device) {
                throw std::invalid_argument("an alert of another device");
            }
            const auto key = key_of_alert.find(a.id);
            std::string key_id = key != key_of_alert.end()
                                     ? key->second
                                     : std::string(key_of(a.device, a.key, a.peer_key));
            std::string id = a.id;
            alerts_.insert_or_assign(std::move(id), active_alert{std::move(a), std::move(key_id)});
        }
    }
    for (const std::string& key_id : restored_keys) {
        if (key_entry* k = keys_.find(key_id)) {
            link_rules(*k);
        }
    }
    if (const auto resolved = j.find("resolved"); resolved != j.end()) {
        for (const json& one : *resolved) {
            resolved_at_[one.at(0).get<std::string>()] = one.at(1).get<micros>();
        }
    }
    if (const auto timers = j.find("timers"); timers != j.end()) {
        // Scheduled again in the order they were scheduled: timers due at one instant keep
        // their firing order. A quiet-period timer's latest repeat (`then`) takes its place in
        // that order too, for when the timer moves.
        struct step {
            std::uint64_t seq;
            const json* timer;
            bool repeat;
        };
        std::vector<step> order;
        for (const json& one : *timers) {
            order.push_back({one.at("seq").get<std::uint64_t>(), &one, false});
            if (const auto then = one.find("then"); then != one.end()) {
                order.push_back({then->get<std::uint64_t>(), &one, true});
            }
        }
        std::stable_sort(order.begin(), order.end(),
                         [](const step& a, const step& b) { return a.seq < b.seq; });
        for (const auto& [saved_seq, one, repeat] : order) {
            if (repeat) {
                if (const auto a = alerts_.find(one->at("key_id").get<std::string>());
                    a != alerts_.end()) {
                    a->second.repeat_seq = ++timer_seq_;
                }
                continue;
            }
            const auto ri = rule_index(one->at("rule").get<std::string>());
            if (!ri) {
                continue;
            }
            timer t;
            t.at = one->at("at").get<micros>();
            t.gen = one->at("gen").get<std::uint64_t>();
            t.key_id = one->at("key_id").get<std::string>();
            t.kind = enum_of<timer::what>(*one, "kind", 3);
            if (t.kind == timer::what::resolve ? !alert_of_device(t.key_id, device)
                                               : device_of_key_id(t.key_id) != device) {
                throw std::invalid_argument("a timer of another device");
            }
            t.rule = *ri;
            if (t.kind == timer::what::state) {
                t.state = enum_of<ike::p1_state>(*one, "state", ike::p1_state_count);
                // State timers name the rule by its place among the state's rules.
                const auto& list = rs.by_state[static_cast<std::size_t>(t.state)];
                const auto at = std::find(list.begin(), list.end(), *ri);
                if (at == list.end()) {
                    continue;
                }
                t.rule = static_cast<std::uint32_t>(at - list.begin());
                // Found by its record from now on (its key id names the peer).
                if (t.key_id.size() <= device.size()) {
                    throw std::invalid_argument("a time-in-state timer without its peer");
                }
                const ike::peer_record* p = peers.find(device, key_of_key_id(t.key_id));
                if (p == nullptr) {
                    continue;
                }
                t.peer_slot = p->slot;
                t.peer_serial = p->serial;
                t.key_id.clear();
            }
            const bool resolve = t.kind == timer::what::resolve;
            const std::string alert_id = resolve ? t.key_id : std::string();
            const std::uint64_t seq = schedule(device, std::move(t));
            if (const auto a = resolve ? alerts_.find(alert_id) : alerts_.end();
                a != alerts_.end()) {
                a->second.resolve_timer = seq;  // the latest, as saved, is the alert's own
            }
        }
    }
}

void engine::forget_device(std::string_view device) {
    keys_.erase_if([&](const std::string&, const key_entry& k) { return k.device == device; });
    std::erase_if(alerts_, [&](const auto& a) { return a.second.data.device == device; });
    std::erase_if(resolved_at_, [&](const auto& r) { return alert_of_device(r.first, device); });
    if (timer_heap* heap = timers_.find(device)) {
        timer_total_ -= heap->size();
        timers_.erase(device);
    }
}

}  // namespace ikewatch::rules

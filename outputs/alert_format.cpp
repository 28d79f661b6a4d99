#include "outputs/alert_format.hpp"

#include "outputs/json_writer.hpp"
#include "outputs/parse_json.hpp"
#include "outputs/peers_format.hpp"

namespace ikewatch::outputs {

nlohmann::json alert_json(const rules::alert& a) {
    const bool raised = a.action == rules::alert::action_t::raised;
    nlohmann::json j;
    j["@timestamp"] = rfc3339(a.time);
    j["event"] = {{"kind", "alert"},
                  {"action", raised ? "raised" : "resolved"},
                  {"severity", rules::severity_number(a.sev)},
                  {"category", "network"},
                  {"dataset", "ikewatch.alert"}};
    if (a.created != 0) {
        j["event"]["created"] = rfc3339(a.created);
    }
    j["rule"] = {{"id", a.rule_id},
                 {"name", text_value(a.rule_name)},
                 {"version", a.rule_version},
                 {"severity", std::string(rules::to_string(a.sev))}};
    nlohmann::json checks = nlohmann::json::array();
    for (const std::string& c : a.checks) {
        checks.push_back(text_value(c));
    }
    j["diagnosis"] = {{"code", a.code},
                      {"cause", text_value(a.cause)},
                      {"checks", std::move(checks)},
                      {"confidence", std::string(rules::to_string(a.conf))}};
    j["observer"] = {{"hostname", text_value(a.device)}};
    nlohmann::json ike;
    ike["peer"] = a.peer.empty() ? nlohmann::json(nullptr) : text_value(a.peer);
    ike["version"] = a.ike_version == 0 ? nlohmann::json(nullptr) : nlohmann::json(a.ike_version);
    ike["phase"] = a.phase == 0 ? nlohmann::json(nullptr) : nlohmann::json(a.phase);
    auto opt = [](const std::string& s) {
        return s.empty() ? nlohmann::json(nullptr) : text_value(s);
    };
    ike["state"] = opt(a.state);
    ike["state_ios"] = opt(a.state_ios);
    ike["role"] = opt(a.role);
    ike["mode"] = opt(a.mode);
    ike["status"] = opt(a.status);
    ike["phase2"] = opt(a.phase2);
    ike["state_since"] = a.peer.empty() || a.state_since == 0
                             ? nlohmann::json(nullptr)
                             : nlohmann::json(rfc3339(a.state_since));
    ike["retransmits"] = a.retransmits;
    ike["nat_t"] = a.nat_t;
    ike["group"] = opt(a.group);
    j["ike"] = std::move(ike);
    if (!a.peer_key && !a.key.empty()) {
        j["source"] = {{"address", text_value(a.key)}};
    }
    nlohmann::json ev = nlohmann::json::array();
    for (const rules::evidence_line& l : a.evidence) {
        ev.push_back({{"time", rfc3339(l.time)}, {"line", text_value(l.text)}});
    }
    j["evidence"] = std::move(ev);
    j["alert"] = {{"id", text_value(a.id)},
                  {"count", a.count},
                  {"raised_at", rfc3339(a.raised_at)},
                  {"last_seen", rfc3339(a.last_seen)}};
    j["message"] = text_value(a.message);
    return j;
}

// Keys in byte order, as the document prints them.
void append_alert_json(const rules::alert& a, std::string& out) {
    json_time_memo times;
    append_alert_json(a, out, times);
}

void append_alert_json(const rules::alert& a, std::string& out, json_time_memo& times) {
    const bool raised = a.action == rules::alert::action_t::raised;
    json_writer w(out, times);
    w.begin_object();
    w.key("@timestamp");
    w.timestamp(a.time);
    w.key("alert");
    w.begin_object();
    w.key("count");
    w.number(a.count);
    w.key("id");
    w.string(a.id);
    w.key("last_seen");
    w.timestamp(a.last_seen);
    w.key("raised_at");
    w.timestamp(a.raised_at);
    w.end_object();
    w.key("diagnosis");
    w.begin_object();
    w.key("cause");
    w.string(a.cause);
    w.key("checks");
    w.begin_array();
    for (const std::string& c : a.checks) {
        w.string(c);
    }
    w.end_array();
    w.key("code");
    w.string(a.code);
    w.key("confidence");
    w.string(rules::to_string(a.conf));
    w.end_object();
    w.key("event");
    w.begin_object();
    w.key("action");
    w.string(raised ? "raised" : "resolved");
    w.key("category");
    w.string("network");
    if (a.created != 0) {
        w.key("created");
        w.timestamp(a.created);
    }
    w.key("dataset");
    w.string("ikewatch.alert");
    w.key("kind");
    w.string("alert");
    w.key("severity");
    w.number(rules::severity_number(a.sev));
    w.end_object();
    w.key("evidence");
    w.begin_array();
    for (const rules::evidence_line& l : a.evidence) {
        w.begin_object();
        w.key("line");
        w.string(l.text);
        w.key("time");
        w.timestamp(l.time);
        w.end_object();
    }
    w.end_array();
    w.key("ike");
    w.begin_object();
    w.key("group");
    w.string_or_null(a.group);
    w.key("mode");
    w.string_or_null(a.mode);
    w.key("nat_t");
    w.boolean(a.nat_t);
    w.key("peer");
    w.string_or_null(a.peer);
    w.key("phase");
    w.number_or_null(a.phase);
    w.key("phase2");
    w.string_or_null(a.phase2);
    w.key("retransmits");
    w.number(a.retransmits);
    w.key("role");
    w.string_or_null(a.role);
    w.key("state");
    w.string_or_null(a.state);
    w.key("state_ios");
    w.string_or_null(a.state_ios);
    w.key("state_since");
    if (a.peer.empty() || a.state_since == 0) {
        w.null();
    } else {
        w.timestamp(a.state_since);
    }
    w.key("status");
    w.string_or_null(a.status);
    w.key("version");
    w.number_or_null(a.ike_version);
    w.end_object();
    w.key("message");
    w.string(a.message);
    w.key("observer");
    w.begin_object();
    w.key("hostname");
    w.string(a.device);
    w.end_object();
    w.key("rule");
    w.begin_object();
    w.key("id");
    w.string(a.rule_id);
    w.key("name");
    w.string(a.rule_name);
    w.key("severity");
    w.string(rules::to_string(a.sev));
    w.key("version");
    w.number(a.rule_version);
    w.end_object();
    if (!a.peer_key && !a.key.empty()) {
        w.key("source");
        w.begin_object();
        w.key("address");
        w.string(a.key);
        w.end_object();
    }
    w.end_object();
}

std::string alert_json_line(const rules::alert& a) {
    std::string out;
    out.reserve(4096);
    append_alert_json(a, out);
    return out;
}

std::string alert_text(const rules::alert& a) {
    const bool raised = a.action == rules::alert::action_t::raised;
    std::string out = rfc3339(a.time);
    out += raised ? " RAISED   " : " RESOLVED ";
    out += '[' + std::string(rules::to_string(a.sev)) + "] " + a.code + ' ' + a.rule_id + ": ";
    out += printable(a.message);
    if (!raised) {
        out += " (after " + format_duration(a.time - a.raised_at) + ", seen " +
               std::to_string(a.count) + (a.count == 1 ? " time)" : " times)");
        return out + '\n';
    }
    out += '\n';
    out += "    cause: " + printable(a.cause) + " (confidence " +
           std::string(rules::to_string(a.conf)) + ")\n";
    for (const std::string& c : a.checks) {
        out += "    check: " + printable(c) + '\n';
    }
    for (const rules::evidence_line& l : a.evidence) {
        out += "    | " + printable(l.text) + '\n';
    }
    return out;
}

}  // namespace ikewatch::outputs

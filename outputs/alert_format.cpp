#include "outputs/alert_format.hpp"

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

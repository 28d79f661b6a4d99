#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "rules/alert.hpp"

namespace ikewatch::outputs {

class json_time_memo;

/// The alert as ECS-aligned nested JSON: `@timestamp`, `event` {kind, action, severity},
/// `rule` {id, name, version, severity}, `diagnosis` {code, cause, checks, confidence},
/// `observer.hostname`, `ike` {peer, version, phase, state, state_ios, role, mode, state_since,
/// …}, `evidence` [{time, line}], `alert` {id, count, raised_at}, `message`.
[[nodiscard]] nlohmann::json alert_json(const rules::alert& a);

/// The same JSON as one line, `dump_json(alert_json(a))` byte for byte, written without building
/// the document (the alert log and the forwarders write one per alert).
void append_alert_json(const rules::alert& a, std::string& out);
/// The same, with the times written through `times` (kept from one alert to the next).
void append_alert_json(const rules::alert& a, std::string& out, json_time_memo& times);
[[nodiscard]] std::string alert_json_line(const rules::alert& a);

/// One readable line, then the checks and the evidence indented beneath it. Untrusted text is
/// made printable (no control characters reach the terminal).
[[nodiscard]] std::string alert_text(const rules::alert& a);

}  // namespace ikewatch::outputs

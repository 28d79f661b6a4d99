#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/enum_names.hpp"
#include "rules/alert.hpp"

namespace ikewatch::outputs {

/// The formats alerts are forwarded in; their names are those of `forwarders[].format` and
/// `--forward-format`.
enum class siem_format : std::uint8_t { rfc5424, cef, leef, json, count_ };

}  // namespace ikewatch::outputs

namespace ikewatch {

template <>
struct enum_names<outputs::siem_format> {
    static constexpr std::array<std::string_view, 4> names{"rfc5424", "cef", "leef", "json"};
};

}  // namespace ikewatch

namespace ikewatch::outputs {

/// One severity scale for every format, from the rule's severity:
///
/// | rule.severity | syslog (RFC 5424) | CEF | LEEF `sev` |
/// |---|---|---|---|
/// | critical | 2 critical | 10 | 10 |
/// | high     | 3 error    | 8  | 8  |
/// | medium   | 4 warning  | 5  | 5  |
/// | low      | 5 notice   | 3  | 3  |
/// | info     | 6 informational | 1 | 1 |
///
/// A resolved alert is sent at syslog severity 5 (notice), CEF/LEEF 1, whatever the rule's.
struct severity_levels {
    int syslog;
    int cef;
};
[[nodiscard]] severity_levels severity_of(const rules::alert& a) noexcept;

struct siem_options {
    std::string hostname = "-";  ///< the ikewatch host (RFC 5424 HOSTNAME)
    int facility = 20;           ///< local4
    std::size_t max_evidence = 8;
    std::size_t max_line = 512;  ///< evidence line length kept in CEF and LEEF
};

/// One message for the SIEM, without any transport framing: the RFC 5424 line (alert JSON as
/// MSG, the key facts as structured data), a CEF or LEEF 2.0 event, or the alert JSON. Every
/// value taken from logs is escaped as its format requires; control characters never pass.
[[nodiscard]] std::string format_alert(const rules::alert& a, siem_format f,
                                       const siem_options& options);

/// Escaping, exposed for tests: RFC 5424 PARAM-VALUE (`"`, `\` and `]`), CEF header fields
/// (`|` and `\`), CEF extension values (`=`, `\`, newlines), LEEF values (the `^` delimiter,
/// tabs and newlines). Other controls (text::is_layout_control: C0, DEL, C1, line separators,
/// bidirectional controls) become the visible text `\x1B` / `\u202E` (its backslash escaped as
/// the format wants), and each maximal run of bytes that are not UTF-8 one U+FFFD, as in the
/// alert JSON.
[[nodiscard]] std::string escape_sd_value(std::string_view s);
[[nodiscard]] std::string escape_cef_header(std::string_view s);
[[nodiscard]] std::string escape_cef_value(std::string_view s);
[[nodiscard]] std::string escape_leef_value(std::string_view s);

}  // namespace ikewatch::outputs

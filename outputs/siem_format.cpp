#include "outputs/siem_format.hpp"

#include <cstdio>

#include "common/ip_address.hpp"
#include "common/text.hpp"
#include "outputs/alert_format.hpp"
#include "outputs/parse_json.hpp"

namespace ikewatch::outputs {

namespace {

constexpr std::string_view product_version = "0.1.0";
constexpr std::string_view sd_id = "ikewatch@32473";  // 32473: the documentation enterprise
constexpr char leef_delimiter = '^';

// Length of the valid UTF-8 sequence at s[i] (`valid` true), or of the bytes there that start
// one but stop short (a "maximal subpart", at least 1; `valid` false). Replacing each maximal
// subpart with one U+FFFD is what Unicode recommends and what the alert JSON (nlohmann's
// `replace`) does, so every format shows the same text for the same bytes.
std::size_t utf8_length(std::string_view s, std::size_t i, bool& valid) noexcept {
    const auto b = static_cast<unsigned char>(s[i]);
    valid = true;
    if (b < 0x80) {
        return 1;
    }
    std::size_t n = 0;
    unsigned char lo = 0x80;  // the range of the second byte (Unicode table 3-7)
    unsigned char hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
        n = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        n = 3;
        lo = b == 0xE0 ? 0xA0 : 0x80;  // no overlong forms
        hi = b == 0xED ? 0x9F : 0xBF;  // no UTF-16 surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 4;
        lo = b == 0xF0 ? 0x90 : 0x80;
        hi = b == 0xF4 ? 0x8F : 0xBF;  // nothing above U+10FFFF
    } else {
        valid = false;
        return 1;
    }
    for (std::size_t k = 1; k < n; ++k) {
        const auto c = i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0;
        if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) {
            valid = false;
            return k;
        }
    }
    return n;
}

// Walks `s` as text: calls `on_char(c)` for printable ASCII, `on_control(c)` for the code points
// that change how text is shown (text::is_layout_control: C0 controls, DEL, C1 controls, line
// separators, bidirectional controls), appends other valid UTF-8 as is, and one U+FFFD for each
// maximal subpart of bytes that are not UTF-8.
template <typename Char, typename Control>
std::string walk(std::string_view s, Char&& on_char, Control&& on_control) {
    std::string out;
    out.reserve(s.size() + 8);
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            if (text::is_layout_control(b)) {
                on_control(out, static_cast<char32_t>(b));
            } else {
                on_char(out, static_cast<char>(b));
            }
            ++i;
            continue;
        }
        bool valid = false;
        const std::size_t n = utf8_length(s, i, valid);
        if (!valid) {
            out += "\xEF\xBF\xBD";
        } else if (const text::utf8_char c = text::utf8_decode(s.substr(i, n));
                   text::is_layout_control(c.code)) {
            on_control(out, c.code);
        } else {
            out.append(s.substr(i, n));
        }
        i += n;
    }
    return out;
}

// A control as visible text, `\x1B` (C0, DEL) or `\u202E`, its backslash written as `backslash`.
void visible(std::string& out, char32_t c, std::string_view backslash) {
    char buf[12];
    std::snprintf(buf, sizeof buf, c < 0x80 ? "x%02X" : "u%04X", static_cast<unsigned>(c));
    out += backslash;
    out += buf;
}

std::string iso_ms(micros t) {
    return rfc3339(t);
}

std::string epoch_ms(micros t) {
    return std::to_string(t / 1000);
}

micros sent_at(const rules::alert& a) {
    return a.created != 0 ? a.created : a.time;
}

std::string joined_evidence(const rules::alert& a, const siem_options& o, std::string_view sep) {
    std::string out;
    std::size_t n = 0;
    for (const rules::evidence_line& l : a.evidence) {
        if (n++ == o.max_evidence) {
            break;
        }
        if (!out.empty()) {
            out += sep;
        }
        out += text::utf8_prefix(l.text, o.max_line);
    }
    return out;
}

std::string joined_checks(const rules::alert& a) {
    std::string out;
    for (const std::string& c : a.checks) {
        if (!out.empty()) {
            out += " / ";
        }
        out += c;
    }
    return out;
}

bool raised(const rules::alert& a) {
    return a.action == rules::alert::action_t::raised;
}

// RFC 5424 MSGID and other header fields: printable US-ASCII without spaces, at most `max`.
std::string header_token(std::string_view s, std::size_t max) {
    std::string out;
    for (const char c : s) {
        if (out.size() == max) {
            break;
        }
        out += c > 32 && c < 127 ? c : '_';
    }
    return out.empty() ? "-" : out;
}

std::string rfc5424(const rules::alert& a, const siem_options& o) {
    const severity_levels sev = severity_of(a);
    std::string out = "<" + std::to_string(o.facility * 8 + sev.syslog) + ">1 ";
    out += iso_ms(sent_at(a));
    out += ' ';
    out += header_token(o.hostname, 255);
    out += " ikewatch - ";
    out += header_token(a.rule_id, 32);
    out += " [";
    out += sd_id;
    const auto param = [&](std::string_view name, std::string_view value) {
        out += ' ';
        out += name;
        out += "=\"";
        out += escape_sd_value(value);
        out += '"';
    };
    param("action", raised(a) ? "raised" : "resolved");
    param("alert_id", a.id);
    param("rule_id", a.rule_id);
    param("rule_version", std::to_string(a.rule_version));
    param("code", a.code);
    param("severity", rules::to_string(a.sev));
    param("device", a.device);
    param(a.peer_key ? "peer" : "key", a.key);
    param("device_time", iso_ms(a.time));
    param("count", std::to_string(a.count));
    if (!a.state.empty()) {
        param("state", a.state);
    }
    out += ']';
    if (!a.evidence.empty()) {
        out += "[evidence@32473";
        std::size_t n = 0;
        for (const rules::evidence_line& l : a.evidence) {
            if (n++ == o.max_evidence) {
                break;
            }
            param("line", text::utf8_prefix(l.text, o.max_line));
        }
        out += ']';
    }
    out += ' ';
    append_alert_json(a, out);
    return out;
}

std::string cef(const rules::alert& a, const siem_options& o) {
    const severity_levels sev = severity_of(a);
    std::string out = "CEF:0|ikewatch|ikewatch|";
    out += escape_cef_header(product_version);
    out += '|';
    out += escape_cef_header(a.rule_id);
    out += '|';
    out += escape_cef_header(a.message);
    out += '|';
    out += std::to_string(sev.cef);
    out += '|';
    bool first = true;
    const auto ext = [&](std::string_view key, std::string_view value) {
        if (!first) {
            out += ' ';
        }
        first = false;
        out += key;
        out += '=';
        out += escape_cef_value(value);
    };
    ext("rt", epoch_ms(sent_at(a)));
    ext("start", epoch_ms(a.time));
    ext("act", raised(a) ? "raised" : "resolved");
    ext("cat", a.code);
    ext("externalId", a.id);
    ext("dvchost", a.device);
    if (a.peer_key && ip_address::parse(a.key)) {
        ext("dst", a.key);
    } else if (!a.peer_key && ip_address::parse(a.key)) {
        ext("src", a.key);
    }
    ext("msg", a.cause);
    ext("cs1Label", "checks");
    ext("cs1", joined_checks(a));
    ext("cs2Label", "evidence");
    ext("cs2", joined_evidence(a, o, "\n"));
    ext("cs3Label", "ikeState");
    ext("cs3", a.state);
    ext("cs4Label", "confidence");
    ext("cs4", rules::to_string(a.conf));
    ext("cn1Label", "count");
    ext("cn1", std::to_string(a.count));
    ext("cn2Label", "ruleVersion");
    ext("cn2", std::to_string(a.rule_version));
    return out;
}

std::string leef(const rules::alert& a, const siem_options& o) {
    const severity_levels sev = severity_of(a);
    std::string out = "LEEF:2.0|ikewatch|ikewatch|";
    out += escape_cef_header(product_version);
    out += '|';
    out += escape_cef_header(a.rule_id);
    out += '|';
    out += leef_delimiter;
    out += '|';
    bool first = true;
    const auto attr = [&](std::string_view key, std::string_view value) {
        if (!first) {
            out += leef_delimiter;
        }
        first = false;
        out += key;
        out += '=';
        out += escape_leef_value(value);
    };
    attr("devTime", iso_ms(a.time));
    attr("devTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX");
    attr("sev", std::to_string(sev.cef));
    attr("cat", a.code);
    attr("action", raised(a) ? "raised" : "resolved");
    attr("alertId", a.id);
    attr("ruleVersion", std::to_string(a.rule_version));
    attr("identHostName", a.device);
    if (ip_address::parse(a.key)) {
        attr(a.peer_key ? "dst" : "src", a.key);
    } else {
        attr("key", a.key);
    }
    attr("ikeState", a.state);
    attr("msg", a.message);
    attr("cause", a.cause);
    attr("checks", joined_checks(a));
    attr("evidence", joined_evidence(a, o, "\n"));
    attr("count", std::to_string(a.count));
    attr("sentTime", iso_ms(sent_at(a)));
    return out;
}

}  // namespace

severity_levels severity_of(const rules::alert& a) noexcept {
    if (!raised(a)) {
        return {5, 1};
    }
    switch (a.sev) {
        case rules::severity::critical:
            return {2, 10};
        case rules::severity::high:
            return {3, 8};
        case rules::severity::medium:
            return {4, 5};
        case rules::severity::low:
            return {5, 3};
        case rules::severity::info:
            return {6, 1};
    }
    return {4, 5};
}

std::string escape_sd_value(std::string_view s) {
    return walk(
        s,
        [](std::string& out, char c) {
            if (c == '"' || c == '\\' || c == ']') {
                out += '\\';
            }
            out += c;
        },
        [](std::string& out, char32_t c) { visible(out, c, "\\\\"); });
}

std::string escape_cef_header(std::string_view s) {
    return walk(
        s,
        [](std::string& out, char c) {
            if (c == '|' || c == '\\') {
                out += '\\';
            }
            out += c;
        },
        [](std::string& out, char32_t c) { visible(out, c, "\\\\"); });
}

std::string escape_cef_value(std::string_view s) {
    return walk(
        s,
        [](std::string& out, char c) {
            if (c == '=' || c == '\\') {
                out += '\\';
            }
            out += c;
        },
        [](std::string& out, char32_t c) {
            if (c == '\n') {
                out += "\\n";
            } else if (c == '\r') {
                out += "\\r";
            } else {
                visible(out, c, "\\\\");
            }
        });
}

std::string escape_leef_value(std::string_view s) {
    return walk(
        s,
        [](std::string& out, char c) {
            if (c == leef_delimiter || c == '\\') {
                out += '\\';
            }
            out += c;
        },
        [](std::string& out, char32_t c) {
            if (c == '\n') {
                out += "\\n";
            } else if (c == '\t') {
                out += "\\t";
            } else {
                visible(out, c, "\\\\");
            }
        });
}

std::string format_alert(const rules::alert& a, siem_format f, const siem_options& options) {
    switch (f) {
        case siem_format::rfc5424:
            return rfc5424(a, options);
        case siem_format::cef:
            return cef(a, options);
        case siem_format::leef:
            return leef(a, options);
        case siem_format::json:
        case siem_format::count_:
            break;
    }
    return alert_json_line(a);
}

}  // namespace ikewatch::outputs

#include "outputs/parse_json.hpp"

#include <algorithm>
#include <cstdio>

#include "common/text.hpp"

namespace ikewatch::outputs {

nlohmann::json parsed_record_json(std::size_t line, const parsers::syslog_record& rec,
                                  const parsers::event& e, std::optional<micros> timestamp) {
    nlohmann::json j;
    j["line"] = line;
    j["device"] = text_value(e.device);
    j["timestamp"] = timestamp ? nlohmann::json(rfc3339(*timestamp)) : nlohmann::json(nullptr);
    j["framing"] = std::string(parsers::to_string(rec.form));
    const std::string_view fam = parsers::to_string(e.fam);
    j["family"] = fam.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::string(fam));
    j["severity"] = e.severity >= 0 ? nlohmann::json(e.severity) : nlohmann::json(nullptr);
    j["msg_id"] = e.msg_id.empty() ? nlohmann::json(nullptr) : text_value(e.msg_id);
    nlohmann::json ev;
    ev["kind"] = std::string(parsers::to_string(e.kind));
    ev["peer"] = e.peer.empty() ? nlohmann::json(nullptr) : text_value(e.peer.view());
    if (!e.peer2.empty()) {
        ev["peer2"] = text_value(e.peer2.view());
    }
    if (e.ike_version != 0) {
        ev["ike_version"] = e.ike_version;
    }
    for (std::size_t i = 0; i < e.field_size(); ++i) {
        ev[std::string(parsers::to_string(e.field_at(i)))] = text_value(e.value_at(i));
    }
    j["event"] = std::move(ev);
    return j;
}

nlohmann::json parse_error_json(std::size_t line, std::string_view device,
                                parsers::parse_error error) {
    nlohmann::json j;
    j["line"] = line;
    j["device"] = text_value(device);
    j["error"] = std::string(parsers::to_string(error));
    return j;
}

std::string dump_json(const nlohmann::json& j) {
    std::string out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    // The dump escapes C0 controls only. DEL, the C1 controls, the line separators and the
    // bidirectional controls are valid JSON, yet reach whoever tails the log in a terminal or a
    // viewer: escape them too. They can only be inside strings (JSON's own syntax is ASCII), and
    // the dump is valid UTF-8 (invalid input was replaced), so each is a whole sequence here.
    if (std::all_of(out.begin(), out.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x7f; })) {
        return out;
    }
    std::string escaped;
    escaped.reserve(out.size() + 16);
    const std::string_view v(out);
    std::size_t copied = 0;  // v[copied, i) is plain text not yet appended
    for (std::size_t i = 0; i < v.size();) {
        if (static_cast<unsigned char>(v[i]) < 0x7f) {
            ++i;
            continue;
        }
        const text::utf8_char c = text::utf8_decode(v.substr(i));
        const std::size_t n = c.size == 0 ? 1 : c.size;
        if (c.size != 0 && text::is_layout_control(c.code)) {
            escaped.append(v.substr(copied, i - copied));
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c.code));
            escaped += buf;
            copied = i + n;
        }
        i += n;
    }
    escaped.append(v.substr(copied));
    return escaped;
}

}  // namespace ikewatch::outputs

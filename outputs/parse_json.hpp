#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "parsers/event.hpp"
#include "parsers/parse_error.hpp"
#include "parsers/syslog_record.hpp"

namespace ikewatch::outputs {

/// The `ikewatch parse` object for one framed record:
/// `{"line":N,"device":…,"timestamp":…,"family":…,"severity":…,"msg_id":…,"event":{…}}`.
[[nodiscard]] nlohmann::json parsed_record_json(std::size_t line, const parsers::syslog_record& rec,
                                                const parsers::event& e,
                                                std::optional<micros> timestamp);

/// The `ikewatch parse` object for a record that could not be framed.
[[nodiscard]] nlohmann::json parse_error_json(std::size_t line, std::string_view device,
                                              parsers::parse_error error);

/// Serialises with invalid UTF-8 replaced, so hostile input can never break the output.
[[nodiscard]] std::string dump_json(const nlohmann::json& j);

/// A JSON string value from untrusted bytes (invalid UTF-8 is replaced when dumped).
[[nodiscard]] inline nlohmann::json text_value(std::string_view s) {
    return std::string(s);
}

}  // namespace ikewatch::outputs

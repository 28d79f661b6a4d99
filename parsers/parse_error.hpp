#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace ikewatch::parsers {

/// Why a record could not be framed. Bounded: every value is a counter in `parse --stats` and in
/// the daemon's metrics.
enum class parse_error : std::uint8_t {
    empty,             ///< nothing but whitespace
    too_long,          ///< longer than max_record_bytes
    nul_byte,          ///< contains a NUL byte
    binary,            ///< mostly non-printable bytes
    truncated_header,  ///< a header began (`<PRI>`, timestamp) and ended before any message
    count_
};

inline constexpr std::array<std::string_view, static_cast<std::size_t>(parse_error::count_)>
    parse_error_names{"empty", "too_long", "nul_byte", "binary", "truncated_header"};

[[nodiscard]] constexpr std::string_view to_string(parse_error e) noexcept {
    return parse_error_names[static_cast<std::size_t>(e)];
}

/// Records longer than this are refused (real Cisco lines stay well below 4 KiB).
inline constexpr std::size_t max_record_bytes = 32 * 1024;

}  // namespace ikewatch::parsers

#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "common/enum_names.hpp"

namespace ikewatch::outputs {

/// How alerts and peers are written for people and programs: JSON lines or readable text
/// (`alerts.format`, `--alert-format`, and `--format` of `ikewatch replay`, `peers`, `status`).
enum class output_format : std::uint8_t { json, text, count_ };

}  // namespace ikewatch::outputs

namespace ikewatch {

template <>
struct enum_names<outputs::output_format> {
    static constexpr std::array<std::string_view, 2> names{"json", "text"};
};

}  // namespace ikewatch

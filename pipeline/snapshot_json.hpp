#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace ikewatch::pipeline {

/// A snapshot that does not hold what its format says (thrown while one is restored, caught at
/// the one place that restores: pipeline::restore_device).
class snapshot_invalid : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Reads enum `E` (stored as its number, below `count`) at `key`.
template <typename E>
[[nodiscard]] E enum_at(const nlohmann::json& j, const char* key, std::size_t count) {
    const auto v = j.at(key).get<unsigned>();
    if (v >= count) {
        throw snapshot_invalid(std::string("value out of range at '") + key + "'");
    }
    return static_cast<E>(v);
}

template <typename E>
[[nodiscard]] unsigned enum_number(E e) noexcept {
    return static_cast<unsigned>(e);
}

}  // namespace ikewatch::pipeline

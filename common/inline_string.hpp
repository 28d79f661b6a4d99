#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ikewatch {

/// A short string stored inline (no heap). Longer input is truncated to `Capacity` bytes.
template <std::size_t Capacity>
class inline_string {
    static_assert(Capacity < 256, "size is stored in one byte");

  public:
    constexpr inline_string() noexcept = default;
    explicit inline_string(std::string_view s) noexcept { assign(s); }

    void assign(std::string_view s) noexcept {
        size_ = static_cast<std::uint8_t>(std::min(s.size(), Capacity));
        std::copy_n(s.data(), size_, data_.data());
    }
    void clear() noexcept { size_ = 0; }

    [[nodiscard]] std::string_view view() const noexcept { return {data_.data(), size_}; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] static constexpr std::size_t capacity() noexcept { return Capacity; }

    friend bool operator==(const inline_string& a, const inline_string& b) noexcept {
        return a.view() == b.view();
    }

  private:
    std::array<char, Capacity> data_{};
    std::uint8_t size_ = 0;
};

}  // namespace ikewatch

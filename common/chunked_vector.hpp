#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace ikewatch {

/// A growing array kept in chunks of 2^Shift elements. Growth never moves an element: memory is
/// taken one chunk at a time, so a table that fills up touches only the pages it uses, and never
/// holds an old and a new copy of itself at once (as a vector does while it doubles). Elements
/// are built when their chunk is taken, and stay until the array is destroyed.
template <typename T, unsigned Shift>
class chunked_vector {
  public:
    static constexpr std::size_t chunk_size = std::size_t{1} << Shift;

    [[nodiscard]] std::size_t size() const noexcept { return size_; }

    [[nodiscard]] T& operator[](std::size_t i) noexcept {
        return chunks_[i >> Shift][i & (chunk_size - 1)];
    }
    [[nodiscard]] const T& operator[](std::size_t i) const noexcept {
        return chunks_[i >> Shift][i & (chunk_size - 1)];
    }

    /// Appends a default-built element and returns it.
    T& emplace_back() {
        if ((size_ >> Shift) == chunks_.size()) {
            chunks_.push_back(std::make_unique<T[]>(chunk_size));
        }
        T& added = (*this)[size_];
        ++size_;
        return added;
    }

  private:
    std::vector<std::unique_ptr<T[]>> chunks_;
    std::size_t size_ = 0;
};

}  // namespace ikewatch

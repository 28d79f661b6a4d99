#pragma once

#include <utility>

#include <cassert>
#include <type_traits>
#include <variant>

namespace ikewatch {

/// Wraps an error value so that `result<T, E>` can be built from it unambiguously.
template <typename E>
struct failure {
    E error;
};

template <typename E>
failure(E) -> failure<E>;

/// A value or an error, without exceptions (std::expected is not in GCC 12's C++20).
template <typename T, typename E>
class [[nodiscard]] result {
  public:
    result(T value)
        : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
    result(failure<E> f) : state_(std::in_place_index<1>, std::move(f.error)) {}  // NOLINT
    /// A default value built in place, for a function that fills it where its caller gets it.
    explicit result(std::in_place_t) : state_(std::in_place_index<0>) {}

    [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    [[nodiscard]] T& value() & {
        assert(ok());
        return std::get<0>(state_);
    }
    [[nodiscard]] const T& value() const& {
        assert(ok());
        return std::get<0>(state_);
    }
    [[nodiscard]] T&& value() && {
        assert(ok());
        return std::get<0>(std::move(state_));
    }
    [[nodiscard]] const E& error() const& {
        assert(!ok());
        return std::get<1>(state_);
    }

    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

  private:
    std::variant<T, E> state_;
};

}  // namespace ikewatch

#pragma once

#include <array>
#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace ikewatch {

/// The names of an enum's values, declared once, beside the enum. The enum ends with `count_`
/// (the project's convention for enums that index tables); the names are in declaration order:
///
/// ```cpp
/// enum class output_format : std::uint8_t { json, text, count_ };
/// template <>
/// struct enum_names<output_format> {
///     static constexpr std::array<std::string_view, 2> names{"json", "text"};
/// };
/// ```
///
/// The specialisation lives in namespace `ikewatch`, in the enum's header. The functions below
/// then serve the enum; a list of the wrong length, or with a name twice, does not compile.
/// Call them qualified (`ikewatch::to_string(f)`): a module's own `to_string` overloads hide
/// them from unqualified calls inside that module's namespace.
template <typename E>
struct enum_names;

/// An enum with a `count_` enumerator and an `enum_names` specialisation.
template <typename E>
concept named_enum = std::is_enum_v<E> && requires {
    E::count_;
    enum_names<E>::names;
};

namespace detail {

template <typename Names>
constexpr bool distinct_and_non_empty(const Names& names) noexcept {
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i].empty()) {
            return false;
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (names[i] == names[j]) {
                return false;
            }
        }
    }
    return true;
}

}  // namespace detail

/// The checked list of `E`'s names, indexed by value.
template <named_enum E>
[[nodiscard]] constexpr const auto& names_table() noexcept {
    static_assert(enum_names<E>::names.size() == static_cast<std::size_t>(E::count_),
                  "enum_names<E>::names must name every value of E before count_, in order");
    static_assert(detail::distinct_and_non_empty(enum_names<E>::names),
                  "enum_names<E>::names must be distinct and non-empty");
    return enum_names<E>::names;
}

/// The name of `e`; empty for a value outside the enum (`count_`, a cast integer).
template <named_enum E>
[[nodiscard]] constexpr std::string_view to_string(E e) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return i < names_table<E>().size() ? names_table<E>()[i] : std::string_view{};
}

/// The value named `name` (an exact match), or nullopt.
template <named_enum E>
[[nodiscard]] constexpr std::optional<E> from_string(std::string_view name) noexcept {
    for (std::size_t i = 0; i < names_table<E>().size(); ++i) {
        if (names_table<E>()[i] == name) {
            return static_cast<E>(i);
        }
    }
    return std::nullopt;
}

/// Names for people: `a, b or c`; with `separator` and `last_separator` both `|`: `a|b|c`.
template <typename Range>
[[nodiscard]] std::string join_names(const Range& names, std::string_view separator = ", ",
                                     std::string_view last_separator = " or ") {
    std::string out;
    std::size_t i = 0;
    for (const auto& name : names) {
        if (i > 0) {
            out += i + 1 == std::size(names) ? last_separator : separator;
        }
        out += name;
        ++i;
    }
    return out;
}

/// `E`'s names for people: `rfc5424, cef, leef or json` (see join_names).
template <named_enum E>
[[nodiscard]] std::string name_list(std::string_view separator = ", ",
                                    std::string_view last_separator = " or ") {
    return join_names(names_table<E>(), separator, last_separator);
}

/// The names as owning strings (for command-line validators such as CLI::IsMember).
template <named_enum E>
[[nodiscard]] std::vector<std::string> names_of() {
    const auto& names = names_table<E>();
    return {names.begin(), names.end()};
}

}  // namespace ikewatch

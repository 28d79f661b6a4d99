#pragma once

// For the two command lines (ikewatch, ikewatchd): options that take one of an enum's names.

#include <string>

#include <CLI/CLI.hpp>

#include "common/enum_names.hpp"

namespace ikewatch {

/// Adds `flag`, taking one of E's names, into `out`: an E, or a std::optional<E> that stays
/// empty when the flag is not given. Other values are usage errors. The help text ends with the
/// names in parentheses.
template <named_enum E, typename Out>
CLI::Option* add_enum_option(CLI::App& app, const std::string& flag, Out& out,
                             const std::string& help) {
    return app
        .add_option_function<std::string>(
            flag,
            [&out](const std::string& name) {
                if (const auto value = from_string<E>(name)) {
                    out = *value;
                }
            },
            help + " (" + name_list<E>() + ")")
        ->check(CLI::IsMember(names_of<E>()));
}

}  // namespace ikewatch

#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace ikewatch::rules {

/// A diagnosis code with its meaning. The design's codes are stable; SIEM rules key on them.
struct code_info {
    std::string_view code;
    std::string_view meaning;  ///< one sentence
    std::string_view explain;  ///< what it means and what to check, for `ikewatch explain`
};

/// The built-in diagnosis codes (the design's table plus the few ikewatch adds).
[[nodiscard]] std::span<const code_info> builtin_codes() noexcept;
[[nodiscard]] const code_info* find_code(std::string_view code) noexcept;

/// What an IKE state means, in either vocabulary, for `ikewatch explain`.
struct state_info {
    std::string_view names;  ///< e.g. "MM_WAIT_MSG4 / MM_SA_SETUP"
    std::string_view explain;
};

/// Every state entry naming `name` (IOS names such as MM_SA_SETUP stand for two ASA states).
[[nodiscard]] std::vector<const state_info*> state_infos(std::string_view name);

/// For a name devices print that `state_infos` does not list (the IKEv2 debug state machine's
/// `I_WAIT_AUTH`, `UP-IDLE`, FSM history names, `CHILD_I_WAIT`): a name of the state it stands
/// for, to look up with `state_infos`; empty when there is none.
[[nodiscard]] std::string_view state_alias_of(std::string_view name);

}  // namespace ikewatch::rules

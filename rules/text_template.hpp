#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ikewatch::rules {

/// A message with `{name}` placeholders (`{device}`, `{peer}`, `{state}`, `{duration}`, event
/// fields such as `{reason}` …), split once into literal and placeholder parts. `{{` and `}}`
/// write literal braces.
class text_template {
  public:
    text_template() = default;

    /// Splits `text`; on unbalanced braces returns false and leaves a message in `error`.
    [[nodiscard]] static bool compile(std::string_view text, text_template& out,
                                      std::string& error);

    /// The placeholder names used, for validation.
    [[nodiscard]] std::vector<std::string> names() const;

    /// Fills the placeholders; names the lookup does not know render as `(unknown)`.
    [[nodiscard]] std::string render(
        const std::function<std::optional<std::string>(std::string_view)>& lookup) const;

    [[nodiscard]] bool empty() const noexcept { return parts_.empty(); }

  private:
    struct part {
        bool placeholder = false;
        std::string text;
    };
    std::vector<part> parts_;
};

}  // namespace ikewatch::rules

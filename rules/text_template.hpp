#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/placeholder.hpp"

namespace ikewatch::rules {

/// A message with `{name}` placeholders (`{device}`, `{peer}`, `{state}`, `{duration}`, event
/// fields such as `{reason}` …), split once into literal and placeholder parts, each placeholder
/// looked up once. `{{` and `}}` write literal braces.
class text_template {
  public:
    text_template() = default;

    /// Splits `text`; on unbalanced braces returns false and leaves a message in `error`. A name
    /// nothing can fill is kept (see `unknown_names`) and renders as `(unknown)`.
    [[nodiscard]] static bool compile(std::string_view text, text_template& out,
                                      std::string& error);

    /// The placeholder names nothing can fill, for validation.
    [[nodiscard]] std::vector<std::string> unknown_names() const;

    /// Appends the text to `out`, each placeholder written by
    /// `fill(const placeholder&, std::string& out)`, which returns false when it has no value:
    /// then `(unknown)` is written.
    template <typename Fill>
    void render_into(std::string& out, Fill&& fill) const {
        // Room for the whole text at once: the literal parts, and a typical value for each
        // placeholder (an address, a name, a duration), so that it grows rarely while written.
        out.reserve(out.size() + size_hint_);
        for (const part& p : parts_) {
            if (!p.what) {
                out += p.text;
            } else if (!fill(*p.what, out)) {
                out += "(unknown)";
            }
        }
    }

    /// The text with every placeholder as `(unknown)`: how a rule reads with no alert.
    [[nodiscard]] std::string render_unfilled() const;

    [[nodiscard]] bool empty() const noexcept { return parts_.empty(); }

  private:
    struct part {
        std::optional<placeholder> what;  ///< empty for literal text
        std::string text;                 ///< the literal text, or the placeholder's name
    };
    std::vector<part> parts_;
    std::size_t size_hint_ = 0;  ///< the literal parts' length and 32 bytes per placeholder
};

}  // namespace ikewatch::rules

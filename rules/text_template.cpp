#include "rules/text_template.hpp"

namespace ikewatch::rules {

bool text_template::compile(std::string_view text, text_template& out, std::string& error) {
    out.parts_.clear();
    std::string literal;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
            literal += '{';
            ++i;
        } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
            literal += '}';
            ++i;
        } else if (c == '{') {
            const std::size_t close = text.find('}', i);
            if (close == std::string_view::npos) {
                error = "unclosed '{' in text";
                return false;
            }
            const std::string_view name = text.substr(i + 1, close - i - 1);
            if (name.empty() || name.find_first_of("{ \t") != std::string_view::npos) {
                error = "bad placeholder '{" + std::string(name) + "}'";
                return false;
            }
            if (!literal.empty()) {
                out.parts_.push_back({std::nullopt, std::move(literal)});
                literal.clear();
            }
            out.parts_.push_back(
                {find_placeholder(name).value_or(placeholder{}), std::string(name)});
            i = close;
        } else if (c == '}') {
            error = "unmatched '}' in text (write '}}' for a brace)";
            return false;
        } else {
            literal += c;
        }
    }
    if (!literal.empty()) {
        out.parts_.push_back({std::nullopt, std::move(literal)});
    }
    constexpr std::size_t typical_value = 32;
    out.size_hint_ = 0;
    for (const part& p : out.parts_) {
        out.size_hint_ += p.what ? typical_value : p.text.size();
    }
    return true;
}

std::vector<std::string> text_template::unknown_names() const {
    std::vector<std::string> out;
    for (const part& p : parts_) {
        if (p.what && !p.what->fillable()) {
            out.push_back(p.text);
        }
    }
    return out;
}

std::string text_template::render_unfilled() const {
    std::string out;
    render_into(out, [](const placeholder&, std::string&) { return false; });
    return out;
}

}  // namespace ikewatch::rules

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
                out.parts_.push_back({false, std::move(literal)});
                literal.clear();
            }
            out.parts_.push_back({true, std::string(name)});
            i = close;
        } else if (c == '}') {
            error = "unmatched '}' in text (write '}}' for a brace)";
            return false;
        } else {
            literal += c;
        }
    }
    if (!literal.empty()) {
        out.parts_.push_back({false, std::move(literal)});
    }
    return true;
}

std::vector<std::string> text_template::names() const {
    std::vector<std::string> out;
    for (const part& p : parts_) {
        if (p.placeholder) {
            out.push_back(p.text);
        }
    }
    return out;
}

std::string text_template::render(
    const std::function<std::optional<std::string>(std::string_view)>& lookup) const {
    // Sized once for the literal text and a short value per placeholder (an address, a state).
    constexpr std::size_t value_guess = 16;
    std::size_t size = 0;
    for (const part& p : parts_) {
        size += p.placeholder ? value_guess : p.text.size();
    }
    std::string out;
    out.reserve(size);
    for (const part& p : parts_) {
        if (!p.placeholder) {
            out += p.text;
            continue;
        }
        const auto v = lookup(p.text);
        out += v ? *v : "(unknown)";
    }
    return out;
}

}  // namespace ikewatch::rules

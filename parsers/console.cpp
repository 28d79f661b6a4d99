#include "parsers/console.hpp"

#include <array>

#include "common/text.hpp"

namespace ikewatch::parsers {

namespace {

bool host_char(char c) noexcept {
    return text::is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '/';
}

// A command the classifier knows: its words in full, and what it prints. Longer commands come
// first where one is a prefix of another.
struct known_command {
    std::array<std::string_view, 4> words;
    console_block block;
};

constexpr known_command commands[] = {
    {{"show", "crypto", "isakmp", "sa"}, console_block::isakmp_sa},
    {{"show", "crypto", "ikev1", "sa"}, console_block::isakmp_sa},
    {{"show", "isakmp", "sa"}, console_block::isakmp_sa},
    {{"show", "crypto", "ipsec", "sa"}, console_block::ipsec_sa},
    {{"show", "ipsec", "sa"}, console_block::ipsec_sa},
    {{"show", "crypto", "session"}, console_block::crypto_session},
    {{"show", "dmvpn"}, console_block::dmvpn},
    {{"show", "vpn-sessiondb"}, console_block::sessiondb},
    {{"show", "crypto", "ikev2", "sa"}, console_block::ikev2_sa},
    {{"show", "crypto", "ikev2", "session"}, console_block::ikev2_sa},
    {{"show", "ip", "route"}, console_block::routes},
    {{"show", "route"}, console_block::routes},
    {{"ping"}, console_block::ping},
    {{"clear", "crypto"}, console_block::clear},
    {{"show", "logging"}, console_block::logging},
    {{"debug"}, console_block::debug},
    {{"undebug"}, console_block::debug},
    {{"terminal", "monitor"}, console_block::debug},
};

// `typed` abbreviates `word`: IOS accepts any unambiguous prefix; two letters are the least
// that is ever typed for these words.
bool abbreviates(std::string_view typed, std::string_view word) noexcept {
    const std::size_t least = word.size() < 2 ? word.size() : 2;
    return typed.size() >= least && typed.size() <= word.size() && text::istarts_with(word, typed);
}

}  // namespace

std::optional<console_prompt> parse_prompt(std::string_view line) noexcept {
    line = text::ltrim(line);
    if (line.empty() || !text::is_alpha(line.front())) {
        return std::nullopt;
    }
    std::size_t i = 0;
    while (i < line.size() && host_char(line[i])) {
        ++i;
    }
    if (i == 0 || i >= line.size()) {
        return std::nullopt;
    }
    console_prompt p;
    p.host = line.substr(0, i);
    if (line[i] == '(') {
        const std::size_t close = line.find(')', i);
        if (close == std::string_view::npos || !text::istarts_with(line.substr(i + 1), "config")) {
            return std::nullopt;
        }
        p.config_mode = true;
        i = close + 1;
    }
    if (i >= line.size() || (line[i] != '#' && line[i] != '>')) {
        return std::nullopt;
    }
    // `R1>enable` is a prompt; `Legend: Attrb --> S` and `a->b` are not (no letter host before
    // the marker, or a dash right before it).
    if (line[i - 1] == '-') {
        return std::nullopt;
    }
    p.command = text::trim(line.substr(i + 1));
    return p;
}

console_block classify_command(std::string_view command) noexcept {
    // What comes after a pipe only filters the output.
    const std::size_t pipe = command.find('|');
    std::string_view rest = text::trim(command.substr(0, pipe));
    std::array<std::string_view, 8> typed{};
    std::size_t n = 0;
    while (n < typed.size()) {
        const std::string_view w = text::next_token(rest, rest);
        if (w.empty()) {
            break;
        }
        typed[n++] = w;
    }
    if (n == 0) {
        return console_block::none;
    }
    for (const known_command& c : commands) {
        std::size_t words = 0;
        while (words < c.words.size() && !c.words[words].empty()) {
            ++words;
        }
        if (n < words) {
            continue;
        }
        bool match = true;
        for (std::size_t k = 0; k < words && match; ++k) {
            match = abbreviates(typed[k], c.words[k]);
        }
        if (match) {
            return c.block;
        }
    }
    return console_block::ignored;
}

}  // namespace ikewatch::parsers

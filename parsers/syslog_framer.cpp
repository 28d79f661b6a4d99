#include "parsers/syslog_framer.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>

#include "common/ip_address.hpp"
#include "common/text.hpp"
#include "parsers/header_time_parser.hpp"

namespace ikewatch::parsers {

std::string_view to_string(framing f) noexcept {
    switch (f) {
        case framing::bare:
            return "bare";
        case framing::rfc3164:
            return "rfc3164";
        case framing::rfc5424:
            return "rfc5424";
        case framing::asa_buffer:
            return "asa_buffer";
        case framing::ios:
            return "ios";
        case framing::iso8601:
            return "iso8601";
        case framing::relay:
            return "relay";
        case framing::pipe:
            return "pipe";
    }
    return "bare";
}

namespace {

using text::is_alnum;
using text::is_alpha;
using text::is_digit;
using text::is_upper;

bool at_token_start(std::string_view s, std::size_t i) noexcept {
    if (i == 0) {
        return true;
    }
    const char p = s[i - 1];
    return p == ' ' || p == ':' || p == '>' || p == '|' || p == '\t';
}

bool starts_with(std::string_view s, std::size_t i, std::string_view prefix) noexcept {
    return s.size() - i >= prefix.size() && s.compare(i, prefix.size(), prefix) == 0;
}

// `%FAC…-` : a percent sign, a letter, then letters/digits/underscores (or a `<…>` annotation)
// up to a dash.
bool percent_marker(std::string_view s, std::size_t i) noexcept {
    std::size_t p = i + 1;
    if (p >= s.size() || !is_alpha(s[p])) {
        return false;
    }
    while (p < s.size() && (is_alnum(s[p]) || s[p] == '_')) {
        ++p;
    }
    if (p < s.size() && s[p] == '<') {
        while (p < s.size() && s[p] != '>' && p - i < 40) {
            ++p;
        }
        ++p;
    }
    return p < s.size() && s[p] == '-' && p - i <= 40;
}

// `ASA-6-302013` without the percent sign.
bool bare_tag_marker(std::string_view s, std::size_t i) noexcept {
    static constexpr std::string_view families[] = {"ASA-", "PIX-", "FTD-", "FWSM-"};
    for (std::string_view f : families) {
        if (starts_with(s, i, f)) {
            const std::size_t p = i + f.size();
            return p + 3 < s.size() && is_digit(s[p]) && s[p + 1] == '-' && is_digit(s[p + 2]);
        }
    }
    return false;
}

bool word_marker(std::string_view s, std::size_t i) noexcept {
    const char c = s[i];
    if (c == '[') {
        return starts_with(s, i, "[IKEv");
    }
    if (c == 'I') {
        // `ISAKMP:`, `ISAKMP-PAK:`, `ISAKMP (0:2):` but not the `IPv4 Crypto ISAKMP SA` title.
        if (starts_with(s, i, "ISAKMP")) {
            const std::size_t p = i + 6;
            return p < s.size() &&
                   (s[p] == ':' || s[p] == '-' || s[p] == '(' || starts_with(s, p, " ("));
        }
        if (starts_with(s, i, "IPSEC")) {
            const std::size_t p = i + 5;
            return p < s.size() && (s[p] == ':' || s[p] == '(' || starts_with(s, p, " DEBUG"));
        }
        // IKEv2 debug: ASA `IKEv2-PROTO-4:`, `IKEv2-PLAT-3:`; IOS `IKEv2:(…)`, `IKEv2-ERROR:`.
        if (starts_with(s, i, "IKEv2")) {
            const std::size_t p = i + 5;
            return p < s.size() && (s[p] == ':' || s[p] == '-');
        }
        return starts_with(s, i, "IP = ");
    }
    if (c == 'C') {
        return starts_with(s, i, "CryptoEngine") || starts_with(s, i, "CRYPTO_ENGINE");
    }
    if (c == 'G') {
        return starts_with(s, i, "Group = ");
    }
    return false;
}

std::size_t first_line_end(std::string_view s) noexcept {
    const std::size_t nl = s.find('\n');
    return nl == std::string_view::npos ? s.size() : nl;
}

bool looks_binary(std::string_view s) noexcept {
    const std::size_t n = s.size() < 512 ? s.size() : 512;
    std::size_t bad = 0;
    std::size_t letters = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
            ++bad;
        } else if (is_alnum(static_cast<char>(c))) {
            ++letters;
        }
    }
    return bad * 4 > n || letters == 0;
}

bool host_char(char c) noexcept {
    return is_alnum(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '<' || c == '>' ||
           c == '/' || c == '@';
}

bool looks_like_host(std::string_view t) noexcept {
    if (t.empty() || t.size() > 255) {
        return false;
    }
    for (char c : t) {
        if (!host_char(c)) {
            return false;
        }
    }
    return true;
}

// `IP:PORT : facility.level ` -> sender and severity.
std::size_t relay_prefix(std::string_view s, std::size_t i, syslog_record& r) noexcept {
    const std::size_t sp = s.find(' ', i);
    if (sp == std::string_view::npos) {
        return 0;
    }
    const std::string_view hostport = s.substr(i, sp - i);
    const std::size_t colon = hostport.rfind(':');
    if (colon == std::string_view::npos || !text::all_digits(hostport.substr(colon + 1)) ||
        !is_ipv4(hostport.substr(0, colon))) {
        return 0;
    }
    if (!starts_with(s, sp, " : ")) {
        return 0;
    }
    const std::size_t fl = sp + 3;
    const std::size_t end = s.find(' ', fl);
    const std::string_view faclevel =
        s.substr(fl, end == std::string_view::npos ? s.npos : end - fl);
    const std::size_t dot = faclevel.find('.');
    if (dot == std::string_view::npos) {
        return 0;
    }
    static constexpr std::string_view levels[] = {"emerg",   "alert",  "crit", "error",
                                                  "warning", "notice", "info", "debug"};
    const std::string_view level = faclevel.substr(dot + 1);
    for (std::size_t k = 0; k < 8; ++k) {
        if (level == levels[k] || (k == 3 && level == "err") || (k == 4 && level == "warn")) {
            r.relay_severity = static_cast<std::int8_t>(k);
        }
    }
    r.sender = hostport.substr(0, colon);
    r.host = r.sender;
    r.form = framing::relay;
    return (end == std::string_view::npos ? s.size() : end) - i;
}

// RFC 5424 after PRI: `1 TIMESTAMP HOST APP PROCID MSGID [SD]`.
std::size_t rfc5424_header(std::string_view s, std::size_t i, syslog_record& r) noexcept {
    if (!starts_with(s, i, "1 ") || i + 2 >= s.size() || !is_digit(s[i + 2])) {
        return 0;
    }
    std::size_t p = i + 2;
    header_time t;
    const std::size_t n = parse_header_time(s.substr(p), t);
    if (n == 0 || !t.has_year) {
        return 0;
    }
    p += n;
    std::string_view rest = s.substr(p);
    std::string_view fields[4];
    for (auto& f : fields) {
        f = text::next_token(rest, rest);
    }
    if (fields[0].empty()) {
        return 0;
    }
    r.time = t;
    r.host = fields[0] == "-" ? std::string_view{} : fields[0];
    r.tag = fields[1] == "-" ? std::string_view{} : fields[1];
    r.form = framing::rfc5424;
    std::size_t consumed = static_cast<std::size_t>(rest.data() - s.data()) - i;
    // Structured data: "-" or one or more [..] blocks. Some relays (Kiwi) omit it.
    if (!rest.empty() && rest.front() == '-' && (rest.size() == 1 || rest[1] == ' ')) {
        consumed += rest.size() == 1 ? 1U : 2U;
    } else if (!rest.empty() && rest.front() == '[') {
        std::size_t q = 0;
        while (q < rest.size() && rest[q] == '[') {
            bool escaped = false;
            ++q;
            while (q < rest.size() && (escaped || rest[q] != ']')) {
                escaped = !escaped && rest[q] == '\\';
                ++q;
            }
            ++q;
        }
        consumed += q;
    }
    return consumed;
}

// The header form is decided by the first element that names one.
void note_stamp_form(syslog_record& r, char first) noexcept {
    if (r.form != framing::bare) {
        return;
    }
    if (r.time.uptime_only || r.time.unsynced) {
        r.form = framing::ios;
    } else if (is_digit(first) || first == '.') {
        r.form = r.time.zone.empty() && r.time.has_offset ? framing::iso8601 : framing::rfc3164;
    } else {
        r.form = r.time.has_year ? framing::asa_buffer : framing::rfc3164;
    }
}

// A timestamp at s[i]; applies it to the record when found.
std::size_t stamp(std::string_view s, std::size_t i, syslog_record& r) noexcept {
    header_time t;
    const std::size_t n = parse_header_time(s.substr(i), t);
    if (n == 0) {
        return 0;
    }
    // A relay's stamp with a year, then the device's own without one: the device's year is the
    // relay's (or the one before/after across New Year).
    if (!t.has_year && t.month != 0 && r.time.present && r.time.has_year) {
        int year = r.time.year;
        if (t.month > r.time.month + 6) {
            --year;
        } else if (t.month + 6 < r.time.month) {
            ++year;
        }
        t.has_year = true;
        t.year = static_cast<std::int16_t>(year);
    }
    r.time = t;
    return n;
}

// Header elements in [i, end) when `end` is known (a marker follows). Returns false when an
// element could not be read (the rest is then treated as part of the body).
void read_header(std::string_view s, std::size_t i, std::size_t end, syslog_record& r) noexcept {
    while (i < end) {
        while (i < end && (s[i] == ' ' || s[i] == ':' || s[i] == '\t')) {
            ++i;
        }
        if (i >= end) {
            break;
        }
        const char c = s[i];
        if (c == 'O' && starts_with(s, i, "Original Address=")) {
            std::string_view rest;
            const std::string_view v = text::next_token(s.substr(i + 17, end - i - 17), rest);
            r.sender = v;
            i = static_cast<std::size_t>(rest.data() - s.data());
            continue;
        }
        if (c == '1' && i + 1 < end && s[i + 1] == ' ') {
            if (std::size_t n = rfc5424_header(s.substr(0, end), i, r); n > 0) {
                i += n;
                continue;
            }
        }
        // Stamps start with a digit, `*`, `.` or a capitalised month name; hosts rarely do.
        if (is_digit(c) || c == '*' || c == '.' ||
            ((c == 'J' || c == 'F' || c == 'M' || c == 'A' || c == 'S' || c == 'O' || c == 'N' ||
              c == 'D') &&
             i + 3 < end && s[i + 3] == ' ')) {
            if (std::size_t n = stamp(s.substr(0, end), i, r); n > 0) {
                note_stamp_form(r, s[i]);
                i += n;
                continue;
            }
        }
        if (is_digit(c)) {
            if (std::size_t n = relay_prefix(s.substr(0, end), i, r); n > 0) {
                i += n;
                continue;
            }
        }
        // One token up to a space (or end of header).
        std::size_t t_end = i;
        while (t_end < end && s[t_end] != ' ') {
            ++t_end;
        }
        std::string_view token = s.substr(i, t_end - i);
        // IOS-XR location glued to its timestamp: `RP/0/RP0/CPU0:Oct 7 07:19:43.630 UTC:`.
        if (const std::size_t slash = token.find('/'); slash != std::string_view::npos) {
            const std::size_t colon = token.find(':');
            if (colon != std::string_view::npos && colon > slash) {
                i += colon + 1;
                continue;
            }
        }
        const bool had_colon = !token.empty() && token.back() == ':';
        if (had_colon) {
            token.remove_suffix(1);
        }
        if (text::all_digits(token) && had_colon) {
            if (r.form == framing::bare) {
                r.form = framing::ios;
            }
            i = t_end;
            continue;  // IOS sequence number
        }
        if (const std::size_t lb = token.find('[');
            lb != std::string_view::npos && lb > 0 && token.back() == ']') {
            r.tag = token;
            i = t_end;
            continue;
        }
        if (looks_like_host(token)) {
            r.host = token;
            if (r.form == framing::bare) {
                r.form = framing::rfc3164;
            }
        }
        i = t_end;
    }
}

// Without a marker: only a strict header is accepted. If a timestamp starts one of the first
// tokens, everything before it is read as header elements (sequence numbers, hosts), then the
// stamp, then at most one host right after it; otherwise only the PRI is header.
std::size_t read_strict_header(std::string_view s, std::size_t i, syslog_record& r) noexcept {
    const std::size_t end = first_line_end(s);
    const std::string_view line = s.substr(0, end);
    std::size_t p = i;
    while (p < end && (line[p] == ' ' || line[p] == ':')) {
        ++p;
    }
    // Pipe form: `6|Nov 28 2014 12:59:03|302021: …`
    if (p + 1 < end && is_digit(line[p]) && line[p + 1] == '|') {
        const std::size_t n = stamp(line, p + 2, r);
        if (n > 0 && p + 2 + n < end && line[p + 2 + n] == '|') {
            r.relay_severity = static_cast<std::int8_t>(line[p] - '0');
            r.form = framing::pipe;
            return p + 3 + n;
        }
    }
    constexpr std::size_t max_header = 96;
    std::size_t stamp_at = std::string_view::npos;
    for (std::size_t q = p; q < end && q < p + max_header; ++q) {
        if ((q == p || line[q - 1] == ' ') && line[q] != ' ') {
            header_time probe;
            if (parse_header_time(line.substr(q), probe) > 0) {
                stamp_at = q;
                break;
            }
        }
    }
    if (stamp_at == std::string_view::npos) {
        return p;
    }
    read_header(line, p, stamp_at, r);
    const std::size_t n = stamp(line, stamp_at, r);
    note_stamp_form(r, line[stamp_at]);
    i = stamp_at + n;
    // One host right after the stamp: `… 216.160.83.56 : AAA user …`, `… host: text`.
    std::size_t t = i;
    while (t < end && line[t] == ' ') {
        ++t;
    }
    std::size_t t_end = t;
    while (t_end < end && line[t_end] != ' ') {
        ++t_end;
    }
    std::string_view token = line.substr(t, t_end - t);
    const bool had_colon = !token.empty() && token.back() == ':';
    if (had_colon) {
        token.remove_suffix(1);
    }
    const bool colon_next = t_end + 2 <= end && line.substr(t_end, 2) == " :";
    if (looks_like_host(token) && !text::all_digits(token) &&
        (had_colon || colon_next || ip_address::parse(token))) {
        r.host = token;
        return colon_next ? t_end + 2 : t_end;
    }
    return i;
}

// Character classes of a host in the fast path: letters, digits, `.`, `-`, `_`; the space or
// colon that ends it; anything else.
constexpr unsigned host_letter = 1;
constexpr unsigned host_digit = 2;
constexpr unsigned host_dash = 4;
constexpr unsigned host_other = 8;
constexpr unsigned host_end = 16;
constexpr unsigned host_invalid = 32;
constexpr auto host_class = [] {
    std::array<std::uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        const char ch = static_cast<char>(c);
        t[static_cast<std::size_t>(c)] =
            static_cast<std::uint8_t>(is_alpha(ch)             ? host_letter
                                      : is_digit(ch)           ? host_digit
                                      : ch == '-'              ? host_dash
                                      : ch == '.' || ch == '_' ? host_other
                                      : ch == ' ' || ch == ':' ? host_end
                                                               : host_invalid);
    }
    return t;
}();

// The usual header after the PRI, read at fixed positions. Returns the marker's position, or
// npos for the general reading (which gives the same result, only slower); `r.time` may then
// hold the stamp read.
std::size_t fast_header(std::string_view s, std::size_t i, syslog_record& r,
                        fixed_stamp_memo& stamps) noexcept {
    constexpr std::size_t npos = std::string_view::npos;
    // The general reading looks for stamps only where a capitalised month starts one.
    const std::size_t n = i < s.size() && is_upper(s[i])
                              ? stamps.parse(std::string_view(s.data() + i, s.size() - i), r.time)
                              : 0;
    if (n == 0) {
        return npos;
    }
    std::size_t p = i + n;
    // The reads below go at most seven bytes past here, or past the end of a host (a separator,
    // then the five bytes of `%ASA-`): a record with fewer left takes the general reading.
    const char* const d = s.data();
    if (p + 7 > s.size()) {
        return npos;
    }
    std::string_view host;
    if (d[p] == ':' && d[p + 1] == ' ') {
        p += 2;
    } else if (d[p] == ' ' && d[p + 1] != '%') {
        // A host of letters, digits, `.`, `-`, `_`; not a shape the general reading takes for
        // something else (a sequence number, a time-zone name such as `EST` or `UTC-5`).
        const std::size_t h = ++p;
        unsigned seen = 0;  // union of the classes met
        for (; p < s.size(); ++p) {
            const unsigned c = host_class[static_cast<unsigned char>(s[p])];
            if (c >= host_end) {
                break;
            }
            seen |= c;
        }
        if (p < s.size() && host_class[static_cast<unsigned char>(s[p])] == host_invalid) {
            return npos;
        }
        const bool letters_only = seen == host_letter;
        const bool digits_only = seen == host_digit;
        const bool dash = (seen & host_dash) != 0;
        host = std::string_view(s.data() + h, p - h);
        int offset = 0;
        if (host.empty() || digits_only || (letters_only && host.size() <= 5) ||
            (dash && zone_offset(host, offset))) {
            return npos;
        }
        if (p + 8 > s.size()) {
            return npos;
        }
        if (d[p] == ' ' && d[p + 1] == ':' && d[p + 2] == ' ') {
            p += 3;
        } else if (d[p] == ':' && d[p + 1] == ' ') {
            p += 2;
        } else if (d[p] == ' ') {
            p += 1;
        } else {
            return npos;
        }
    } else if (d[p] == ' ') {
        ++p;
    } else {
        return npos;
    }
    // `%ASA-`, `%FTD-`, `%PIX-` in one test; other families through the general check.
    const bool three_letters =
        is_upper(d[p + 1]) && is_upper(d[p + 2]) && is_upper(d[p + 3]) && d[p + 4] == '-';
    if (d[p] != '%' || !(three_letters || percent_marker(s, p))) {
        return npos;
    }
    r.host = host;
    r.form = r.time.has_year ? framing::asa_buffer : framing::rfc3164;
    return p;
}

// `ddd>` at `at`: the usual PRI's three digits and its closing bracket, read as one
// little-endian word. XOR with `000>` turns the digits into their values and the bracket into
// zero; adding 0x76 carries any byte above 9 into its top bit.
bool three_digit_pri(const char* at, int& pri) noexcept {
    static_assert(std::endian::native == std::endian::little);
    const std::uint32_t x = text::load_word<std::uint32_t>(at) ^ 0x3E303030U;
    if ((x >> 24) != 0 || (((x + 0x767676U) | x) & 0x808080U) != 0) {
        return false;
    }
    pri = static_cast<int>((x & 0xFF) * 100 + ((x >> 8) & 0xFF) * 10 + ((x >> 16) & 0xFF));
    return true;
}

// Frames `record` into `r` (default-built); returns why it cannot be framed, if it cannot.
// `stamps` is null for the general reading only.
std::optional<parse_error> frame_into(std::string_view record, fixed_stamp_memo* stamps,
                                      syslog_record& r) noexcept {
    // A record that starts with text is not blank: only others need trimming to tell.
    const bool blank_start =
        !record.empty() && (text::is_space(record[0]) || record[0] == '\r' || record[0] == '\n');
    if (record.empty() || (blank_start && text::trim(record).empty())) {
        return parse_error::empty;
    }
    if (record.size() > max_record_bytes) {
        return parse_error::too_long;
    }
    if (std::memchr(record.data(), '\0', record.size()) != nullptr) {
        return parse_error::nul_byte;
    }
    std::string_view s = text::ltrim(record);
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ')) {
        s.remove_suffix(1);
    }
    std::size_t i = 0;
    int pri = 0;
    if (s[0] == '<' && s.size() > 4 && three_digit_pri(s.data() + 1, pri)) {
        if (pri <= 191) {
            r.pri = static_cast<std::int16_t>(pri);
            i = 5;
        }
    } else if (s[0] == '<') {
        std::size_t p = 1;
        const std::size_t digits_end = std::min<std::size_t>(s.size(), 4);  // at most three
        while (p < digits_end && is_digit(s[p])) {
            pri = pri * 10 + (s[p] - '0');
            ++p;
        }
        if (p > 1 && p < s.size() && s[p] == '>' && pri <= 191) {
            r.pri = static_cast<std::int16_t>(pri);
            i = p + 1;
        } else if (p > 1 && p == s.size()) {
            return parse_error::truncated_header;
        }
    }
    if (stamps != nullptr) {
        if (const std::size_t m = fast_header(s, i, r, *stamps); m != std::string_view::npos) {
            r.body = std::string_view(s.data() + m, s.size() - m);
            return std::nullopt;
        }
        r.time = header_time{};  // a stamp the fast path read
    }
    const std::size_t line_end = first_line_end(s);
    const std::string_view first = s.substr(0, line_end);
    const std::size_t marker = find_marker(first.substr(i));
    // Only text without a Cisco marker can be binary noise; checking every line would cost more
    // than framing it.
    if (marker == std::string_view::npos && looks_binary(text::trim(record))) {
        return parse_error::binary;
    }
    if (marker != std::string_view::npos) {
        read_header(first, i, i + marker, r);
        i += marker;
    } else {
        i = read_strict_header(s, i, r);
    }
    if (r.form == framing::bare && r.pri >= 0) {
        r.form = framing::rfc3164;
    }
    if (i >= s.size()) {
        if (r.pri >= 0 || r.time.present) {
            return parse_error::truncated_header;
        }
        return parse_error::empty;
    }
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) {
        ++i;
    }
    if (i >= s.size()) {
        return parse_error::truncated_header;
    }
    r.body = s.substr(i);
    return std::nullopt;
}

// Built where the caller receives it: the record is not copied on its way out.
result<syslog_record, parse_error> frame(std::string_view record,
                                         fixed_stamp_memo* stamps) noexcept {
    result<syslog_record, parse_error> out(std::in_place);
    if (const std::optional<parse_error> e = frame_into(record, stamps, *out)) {
        out = failure{*e};
    }
    return out;
}

}  // namespace

std::size_t find_marker(std::string_view line) noexcept {
    // `(229): …` at the start of a line: ASA IKEv2 debug under its SA id.
    if (!line.empty() && line[0] == '(') {
        std::size_t p = 1;
        while (p < line.size() && is_digit(line[p]) && p < 12) {
            ++p;
        }
        if (p > 1 && p + 1 < line.size() && line[p] == ')' && line[p + 1] == ':') {
            return 0;
        }
    }
    // Fast path: the first `%FAC-` that starts a token.
    for (std::size_t i = line.find('%'); i != std::string_view::npos; i = line.find('%', i + 1)) {
        if (at_token_start(line, i) && percent_marker(line, i)) {
            return i;
        }
    }
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if ((is_upper(c) || c == '[') && at_token_start(line, i) &&
            (word_marker(line, i) || bare_tag_marker(line, i))) {
            // A header never contains ` = `; text that does is already a message body
            // (`AAA user authentication Rejected : … user IP = 1.2.3.4`).
            if (line.substr(0, i).find(" = ") != std::string_view::npos) {
                return std::string_view::npos;
            }
            return i;
        }
    }
    return std::string_view::npos;
}

result<syslog_record, parse_error> frame_syslog(std::string_view record) noexcept {
    fixed_stamp_memo stamps;
    return frame(record, &stamps);
}

result<syslog_record, parse_error> frame_syslog_general(std::string_view record) noexcept {
    return frame(record, nullptr);
}

result<syslog_record, parse_error> syslog_framer::operator()(std::string_view record) noexcept {
    return frame(record, &stamps_);
}

}  // namespace ikewatch::parsers

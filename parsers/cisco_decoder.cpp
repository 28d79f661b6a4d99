#include <bit>
#include <cstdint>

#include "common/text.hpp"
#include "parsers/cisco_message.hpp"
#include "parsers/decode_helpers.hpp"

namespace ikewatch::parsers {

namespace {

using text::is_digit;
constexpr auto starts = text::starts_with;

std::int8_t severity_of(std::string_view part) noexcept {
    if (part.size() != 1) {
        return -1;
    }
    const char c = part[0];
    if (c >= '0' && c <= '7') {
        return static_cast<std::int8_t>(c - '0');
    }
    switch (c) {
        case 'F':
            return 0;
        case 'A':
            return 1;
        case 'C':
            return 2;
        case 'E':
            return 3;
        case 'W':
            return 4;
        case 'N':
            return 5;
        case 'I':
            return 6;
        case 'D':
            return 7;
        default:
            return -1;
    }
}

family family_of(std::string_view fac) noexcept {
    if (fac.size() == 3) {
        const char a = fac[0];
        const char b = fac[1];
        const char c = fac[2];
        if (a == 'A' && b == 'S' && c == 'A') {
            return family::asa;
        }
        if (a == 'F' && b == 'T' && c == 'D') {
            return family::ftd;
        }
        if (a == 'P' && b == 'I' && c == 'X') {
            return family::pix;
        }
    }
    return fac == "FWSM" ? family::asa : family::none;
}

// The family of a three-letter tag and the `-` after it (`ASA-`), the four bytes read as one
// little-endian word.
family family_of_tag(const char* at) noexcept {
    static_assert(std::endian::native == std::endian::little);
    using text::word_of;
    const auto w = text::load_word<std::uint32_t>(at);
    return w == word_of("ASA-")   ? family::asa
           : w == word_of("FTD-") ? family::ftd
           : w == word_of("PIX-") ? family::pix
                                  : family::none;
}

std::uint32_t to_id(std::string_view digits) noexcept {
    std::uint32_t v = 0;
    for (char c : digits) {
        v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    return v;
}

std::string_view after_tag(std::string_view body, std::size_t end) noexcept {
    std::size_t p = end;
    while (p < body.size() && body[p] == ' ') {
        ++p;
    }
    if (p < body.size() && body[p] == ':') {
        ++p;
    }
    while (p < body.size() && body[p] == ' ') {
        ++p;
    }
    return body.substr(p);
}

bool tagged(std::string_view body, cisco_message& m) noexcept {
    const std::size_t start = !body.empty() && body[0] == '%' ? 1 : 0;
    std::size_t end = start;
    while (end < body.size() && body[end] != ':' && body[end] != ' ' && end - start < 80) {
        ++end;
    }
    const std::string_view tag = body.substr(start, end - start);
    // Split on '-' from the right: MNEMONIC, SEV, then everything before is the facility.
    const std::size_t last = tag.rfind('-');
    if (last == std::string_view::npos || last == 0 || last + 1 >= tag.size()) {
        return false;
    }
    const std::size_t prev = tag.rfind('-', last - 1);
    const std::string_view sev =
        prev == std::string_view::npos ? std::string_view{} : tag.substr(prev + 1, last - prev - 1);
    const std::int8_t severity = severity_of(sev);
    if (severity < 0) {
        return false;
    }
    const std::string_view fac = tag.substr(0, prev);
    const std::string_view first = fac.substr(0, fac.find('-'));
    const std::string_view mnemonic = tag.substr(last + 1);
    m.severity = severity;
    m.source = message_source::tagged;
    m.mnemonic = mnemonic;
    m.text = after_tag(body, end);
    const family f = family_of(first.substr(0, first.find('<')));  // `%ASA<host>-…`
    if (f != family::none && text::all_digits(mnemonic)) {
        m.fam = f;
        m.id = to_id(mnemonic.substr(0, 9));
        m.msg_id = mnemonic;
        m.facility = first;
    } else if (text::all_digits(mnemonic)) {
        // A numeric id under an unknown family tag (e.g. the typo `%FDT-`): keep the id only.
        m.fam = family::none;
        m.id = to_id(mnemonic.substr(0, 9));
        m.msg_id = mnemonic;
        m.facility = first;
    } else {
        m.fam = family::ios;
        m.msg_id = tag;
        m.facility = fac;
    }
    return true;
}

// The six bytes after `at[0]` as a number, when all six are ASCII digits. The eight bytes
// `at[0..7]` are read as one little-endian word: XOR with '0' turns a digit into its value and
// any other byte into something above 9, which adding 0x76 carries into the byte's top bit.
bool six_digits(const char* at, std::uint32_t& value) noexcept {
    static_assert(std::endian::native == std::endian::little);
    const auto w = text::load_word<std::uint64_t>(at);
    constexpr std::uint64_t inner = 0x00FFFFFFFFFFFF00ULL;  // bytes 1 to 6
    const std::uint64_t x = (w ^ 0x3030303030303030ULL) & inner;
    if ((((x + (0x7676767676767676ULL & inner)) | x) & 0x8080808080808080ULL) != 0) {
        return false;
    }
    // Byte k of d is digit k; byte 2k of pairs is the two-digit number of digits 2k and 2k+1.
    const std::uint64_t d = x >> 8;
    const std::uint64_t pairs = d * 10 + (d >> 8);
    value = static_cast<std::uint32_t>((pairs & 0xFF) * 10000 + ((pairs >> 16) & 0xFF) * 100 +
                                       ((pairs >> 32) & 0xFF));
    return true;
}

// Fast path for the shape almost every firewall line has: `%ASA-6-302013: text`.
bool common_asa_tag(std::string_view body, cisco_message& m) noexcept {
    if (body.size() < 15 || body[0] != '%' || body[4] != '-' || !is_digit(body[5]) ||
        body[5] > '7' || body[6] != '-' || body[13] != ':') {
        return false;
    }
    // Three letters (no `<…>` fits in them) and six digits, read at once each.
    const family f = family_of_tag(body.data() + 1);
    std::uint32_t id = 0;
    if (!six_digits(body.data() + 6, id)) {
        return false;
    }
    if (f == family::none) {
        return false;
    }
    m.fam = f;
    m.source = message_source::tagged;
    m.severity = static_cast<std::int8_t>(body[5] - '0');
    m.id = id;
    m.msg_id = std::string_view(body.data() + 7, 6);
    m.mnemonic = m.msg_id;
    m.facility = std::string_view(body.data() + 1, 3);
    std::size_t p = 14;
    while (p < body.size() && body[p] == ' ') {
        ++p;
    }
    m.text = std::string_view(body.data() + p, body.size() - p);
    return true;
}

// `(229): …`: an ASA IKEv2 debug line that continues a packet report under its SA id.
bool sa_id_prefix(std::string_view body) noexcept {
    std::size_t p = 1;
    while (p < body.size() && is_digit(body[p]) && p < 12) {
        ++p;
    }
    return !body.empty() && body[0] == '(' && p > 1 && p + 1 < body.size() && body[p] == ')' &&
           body[p + 1] == ':';
}

// IOS prints a packet's SPIs and exchange on lines of their own, without a prefix:
// `Initiator SPI : 98DB5FD5979EAC12 - Responder SPI : …` and `IKEv2 IKE_AUTH Exchange REQUEST`.
bool ios_packet_line(std::string_view body) noexcept {
    if (starts(body, "Initiator SPI :")) {
        return true;
    }
    if (!starts(body, "IKEv2 ")) {
        return false;
    }
    const std::size_t x = body.find(" Exchange ");
    const std::size_t word_end = body.find(' ', 6);
    return x != std::string_view::npos && x == word_end &&
           (starts(body.substr(x + 10), "REQUEST") || starts(body.substr(x + 10), "RESPONSE"));
}

// IKEv2 debug output: ASA `IKEv2-PROTO-n:` / `IKEv2-PLAT-n:`, `(id):` and `CONNECTION STATUS:`
// lines, IOS `IKEv2:`,
// `IKEv2-ERROR:` (and the other `IKEv2-WORD:` prefixes) and the bare packet lines.
bool ikev2_debug(std::string_view body, cisco_message& m) noexcept {
    family f = family::none;
    if (starts(body, "IKEv2-PROTO-") || starts(body, "IKEv2-PLAT-") || sa_id_prefix(body) ||
        starts(body, "CONNECTION STATUS: ")) {
        f = family::asa;
    } else if (starts(body, "IKEv2:") || ios_packet_line(body)) {
        f = family::ios;
    } else if (detail::ikev2_event_trace(body)) {
        // Kept by the router whether or not debug is on: not debug output.
        m.fam = family::ios;
        m.source = message_source::ikev2_debug;
        m.ike_version = 2;
        m.severity = 6;
        m.text = body;
        return true;
    } else if (starts(body, "IKEv2-")) {
        const std::size_t colon = body.find(':');
        const std::size_t space = body.find(' ');
        if (colon == std::string_view::npos || colon > 20 || space < colon) {
            return false;
        }
        f = family::ios;
    } else {
        return false;
    }
    m.fam = f;
    m.source = message_source::ikev2_debug;
    m.ike_version = 2;
    m.severity = 7;  // debug output, whatever level the debug prefix names
    m.text = body;
    return true;
}

// The forms without a Cisco tag: console prefixes (`[IKEv1]:`), debug output (IKEv2, ISAKMP,
// IPSEC) and bare numeric ids. Leaves `m` as it is when none fits.
void untagged(std::string_view body, cisco_message& m) noexcept {
    const char c = body[0];
    // `[IKEv1]:`, also with the bracket lost in a copy (`IKEv1]: Group = …`).
    if ((c == '[' && starts(body, "[IKEv")) || starts(body, "IKEv1]") || starts(body, "IKEv2]")) {
        m.fam = family::asa;
        m.source = message_source::console;
        const std::size_t v = c == '[' ? 5 : 4;
        m.ike_version = body.size() > v && body[v] == '2' ? 2 : 1;
        // `[IKEv1]:` and `[IKEv1 DEBUG]:` lines are the output of `debug crypto ikev1`:
        // debug level, whatever the prefix says.
        m.severity = 7;
        const std::size_t close = body.find(']');
        if (close != std::string_view::npos) {
            m.text = after_tag(body, close + 1);
        }
        return;
    }
    if ((c == 'I' || c == '(' || c == 'S' || c == 'C') && ikev2_debug(body, m)) {
        return;
    }
    if (starts(body, "ISAKMP") || starts(body, "IPSEC(") || starts(body, "CryptoEngine") ||
        starts(body, "CRYPTO_ENGINE")) {
        m.fam = family::ios;
        m.source = message_source::ios_debug;
        m.severity = 7;
        return;
    }
    if (starts(body, "IPSEC")) {
        m.fam = family::asa;
        m.source = message_source::console;
        m.severity = 7;
        return;
    }
    if (starts(body, "Group = ") || starts(body, "IP = ")) {
        m.fam = family::asa;
        m.source = message_source::console;
        m.severity = 7;  // debug output copied without its prefix
        return;
    }
    // Bare numeric id: `302020: Built inbound …`
    std::size_t p = 0;
    while (p < body.size() && is_digit(body[p]) && p < 7) {
        ++p;
    }
    if (p == 6 && p < body.size() && body[p] == ':') {
        m.source = message_source::bare_id;
        m.msg_id = body.substr(0, 6);
        m.mnemonic = m.msg_id;
        m.id = to_id(m.msg_id);
        m.text = after_tag(body, p);
    }
}

constexpr std::uint32_t debug_trace_id = 711001;

// `%FTD-5-711001: IKEv2-PLAT-4: Received PFKEY …`: debug output the firewall sends as syslog
// (`logging debug-trace`). The text inside is read as the console would show it, under the
// family and id of the tag. Other messages, and 711001 text that holds none, stay as they are.
void debug_trace(cisco_message& m) noexcept {
    if (m.id != debug_trace_id || m.text.empty()) {
        return;
    }
    cisco_message inner;
    inner.text = m.text;
    untagged(m.text, inner);
    if (inner.source == message_source::none || inner.source == message_source::bare_id) {
        return;
    }
    inner.fam = m.fam;
    inner.msg_id = m.msg_id;
    inner.mnemonic = m.mnemonic;
    inner.facility = m.facility;
    m = inner;
}

// Everything but the common `%ASA-6-302013:` shape; `m` holds the body as its text.
[[gnu::noinline]] void decode_other(std::string_view body, cisco_message& m) noexcept {
    const char c = body[0];
    // Tags pasted without their `%`: `ASA-4-…`, and the IOS facilities that carry IKE.
    const bool bare_ios_tag =
        starts(body, "CRYPTO-") || starts(body, "IKEV2-") || starts(body, "DMVPN-");
    if (c == '%' || bare_ios_tag || ((c == 'A' || c == 'P' || c == 'F') && body.find('-') < 5)) {
        if (tagged(body, m)) {
            debug_trace(m);
            return;
        }
        m = cisco_message{};
        m.text = body;
        return;
    }
    untagged(body, m);
}

}  // namespace

cisco_message decode_cisco(std::string_view body) noexcept {
    cisco_message m;
    m.text = body;
    if (body.empty()) {
        return m;
    }
    if (common_asa_tag(body, m)) {
        if (m.id == debug_trace_id) {
            debug_trace(m);
        }
        return m;
    }
    decode_other(body, m);
    return m;
}

}  // namespace ikewatch::parsers

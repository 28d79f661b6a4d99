#pragma once

#include <cstdint>
#include <string_view>

namespace ikewatch::parsers {

enum class family : std::uint8_t { none, asa, ftd, pix, ios };

[[nodiscard]] constexpr std::string_view to_string(family f) noexcept {
    switch (f) {
        case family::asa:
            return "ASA";
        case family::ftd:
            return "FTD";
        case family::pix:
            return "PIX";
        case family::ios:
            return "IOS";
        case family::none:
            break;
    }
    return "";
}

/// How the Cisco part of a record was recognised.
enum class message_source : std::uint8_t {
    none,     ///< no Cisco marker: free text (show output, relay noise)
    tagged,   ///< `%ASA-6-302013:`, `ASA-6-302013:`, `%CRYPTO-4-IKMP_NO_SA:`
    bare_id,  ///< `302020: Built …` (numeric id without a tag)
    console,  ///< ASA console/debug text: `[IKEv1]: …`, `IPSEC: …`, `Group = …, IP = …`
    ios_debug,  ///< IOS debug text: `ISAKMP (0:2): …`, `IPSEC(sa_request): …`, `CryptoEngine0: …`
    ikev2_debug,  ///< IKEv2 debug text: ASA `IKEv2-PROTO-4: (229): …`, `IKEv2-PLAT-3: …`,
                  ///< `(229): Initiator SPI …`; IOS `IKEv2:(SESSION ID = 1,SA ID = 1):…`,
                  ///< `IKEv2-ERROR:(…):: …`, `Initiator SPI : …`, `IKEv2 IKE_AUTH Exchange …`
};

/// The Cisco message inside a syslog record. Views point into the record's body.
struct cisco_message {
    family fam = family::none;
    message_source source = message_source::none;
    std::int8_t severity = -1;     ///< 0..7 from the tag (digit or letter), -1 when absent
    std::uint8_t ike_version = 0;  ///< from console prefixes `[IKEv1]` / `[IKEv2]`, else 0
    std::uint32_t id = 0;          ///< numeric ASA/PIX/FTD id, 0 for IOS and id-less text
    std::string_view msg_id;       ///< `302013` or `CRYPTO-4-IKMP_NO_SA`; empty when none
    std::string_view mnemonic;     ///< IOS mnemonic (`IKMP_NO_SA`); for ASA the id digits
    std::string_view facility;     ///< IOS facility (`CRYPTO`); ASA family token otherwise
    std::string_view text;         ///< message text after the tag (or the whole console line)
};

/// Recognises the Cisco tag at the start of a record body. Never fails: unrecognised bodies
/// come back with `fam == family::none` and `text == body`. Never allocates.
///
/// Tag grammar: `["%"] FAC ["<" … ">"] { "-" PART } "-" SEV "-" MNEMONIC (":" | " :" | " ")`
/// where SEV is a digit 0..7 or one of the letters F A C E W N I D (Cisco SMB switches).
[[nodiscard]] cisco_message decode_cisco(std::string_view body) noexcept;

}  // namespace ikewatch::parsers

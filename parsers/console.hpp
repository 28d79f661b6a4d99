#pragma once

#include <optional>
#include <string_view>

namespace ikewatch::parsers {

/// What the text after a console prompt is, by the command typed at the prompt.
enum class console_block : std::uint8_t {
    none,            ///< no command seen (bare `show` output pasted alone): text is sniffed
    isakmp_sa,       ///< show crypto isakmp sa [detail], show crypto ikev1 sa, show isakmp sa
    ipsec_sa,        ///< show crypto ipsec sa [peer A] [detail], show ipsec sa (PIX)
    crypto_session,  ///< show crypto session [detail]
    dmvpn,           ///< show dmvpn [detail]
    sessiondb,       ///< show vpn-sessiondb [detail] l2l (ASA)
    ikev2_sa,        ///< show crypto ikev2 sa [detailed], show crypto ikev2 session
    routes,          ///< show ip route, show route (ASA): the routing table
    ping,            ///< ping …: the addresses it names are the device's (source) and the
                     ///< destination's
    clear,           ///< clear crypto …: the device's SAs were deleted by hand
    logging,         ///< show logging: log lines follow
    debug,           ///< debug …, undebug …, terminal monitor: log lines follow
    ignored,         ///< any other command (show running-config, ping, clear …), configuration
                     ///< mode: its output is never log lines nor SA tables
};

/// A console prompt line as an engineer copies it from a terminal.
struct console_prompt {
    std::string_view host;     ///< `R1`, `ciscoasa`, `ASA/pri/act`, `ciscoasa/vpn`
    std::string_view command;  ///< the text typed after the prompt, trimmed; may be empty
    bool config_mode = false;  ///< `(config)#`, `(config-if)#`, …
};

/// Recognises a prompt line: `R1#show crypto isakmp sa`, `ciscoasa# sh cry isa sa`, `R1>`,
/// `Hub-RTR(config)#ip route …`, `ASA/pri/act(config)# show crypto ipsec sa peer 192.0.2.1`.
/// Grammar: HOST [ "(" MODE ")" ] ( "#" | ">" ) [ " " ] [ COMMAND ], where HOST starts with a
/// letter and holds letters, digits, `-`, `_`, `.` and `/`, and MODE starts with `config`.
/// Views point into `line`. Never throws.
[[nodiscard]] std::optional<console_prompt> parse_prompt(std::string_view line) noexcept;

/// What a typed command prints, abbreviations included: every word typed must start the
/// command's word (`sh cry isa sa`, `show crypto ipsec sa peer 192.0.2.1 | include pkts`).
[[nodiscard]] console_block classify_command(std::string_view command) noexcept;

}  // namespace ikewatch::parsers

#pragma once

#include <string_view>

#include "parsers/cisco_message.hpp"
#include "parsers/event.hpp"

/// Message decoders, one family per file. Each reads the message text (after the tag, and for
/// ASA IKE messages after the `Group = …, IP = …` context) and fills the event.
namespace ikewatch::parsers::decoders {

using decode_fn = void (*)(std::string_view text, event& e) noexcept;

// asa_ike_decoders.cpp — ASA/PIX/FTD IKEv1 messages (713xxx, 714xxx, 715xxx, console text)
void ike_decode_packet(std::string_view text, event& e) noexcept;  // 713236
/// ike_decode_packet that finds each part by a search, as it does for lines of a shape it does
/// not read in place (to check that both readings agree).
void ike_decode_packet_searched(std::string_view text, event& e) noexcept;
void ike_initiator_start(std::string_view text, event& e) noexcept;        // 713041
void ike_fsm_history(std::string_view text, event& e) noexcept;            // 715065
void ike_phase1_complete(std::string_view text, event& e) noexcept;        // 713119
void ike_phase2_complete(std::string_view text, event& e) noexcept;        // 713120
void ike_security_complete(std::string_view text, event& e) noexcept;      // 713049
void ike_session_timeout(std::string_view text, event& e) noexcept;        // 713136
void ike_lost_contact(std::string_view text, event& e) noexcept;           // 713123
void ike_keepalive(std::string_view text, event& e) noexcept;              // 715036 / 715075
void ike_keepalive_mismatch(std::string_view text, event& e) noexcept;     // 713122
void ike_duplicate(std::string_view text, event& e) noexcept;              // 713201 / 713202
void ike_teardown(std::string_view text, event& e) noexcept;               // 713259
void ike_connection_terminated(std::string_view text, event& e) noexcept;  // 713050
void ike_crypto_map_reject(std::string_view text, event& e) noexcept;      // 713061 / 7132[22-24]
void ike_no_policy(std::string_view text, event& e) noexcept;              // 713042 / 713187
void ike_notify(std::string_view text, event& e) noexcept;                 // 713068
void ike_attribute_mismatch(std::string_view text, event& e) noexcept;  // 713257 / 713133 / 713134
void ike_nat_status(std::string_view text, event& e) noexcept;          // 713172 / 715057
void ike_qm_start(std::string_view text, event& e) noexcept;            // 714002 / 714003
void ike_group_missing(std::string_view text, event& e) noexcept;       // 713022 / 713138 / 713255
void ike_delete_with_reason(std::string_view text, event& e) noexcept;  // 713194
void ike_key_acquire(std::string_view text, event& e) noexcept;         // 715077 / 713219
void ike_capacity(std::string_view text, event& e) noexcept;            // 713191 / 713239 / 713276
void ike_proposal_accepted(std::string_view text, event& e) noexcept;   // 715027 / 715028
void ike_malformed(std::string_view text, event& e) noexcept;           // 713048 / 713193
void ike_auth_failed(std::string_view text, event& e) noexcept;         // 713165..713167
void ike_invalid_spi(std::string_view text, event& e) noexcept;         // 713117
void ike_info_only(std::string_view text, event& e) noexcept;           // payload-level detail
/// Generic ids 713900–713906 and console text: the text decides the kind.
void ike_by_text(std::string_view text, event& e) noexcept;

// ipsec_decoders.cpp — 602303/602304, 113019, 402xxx
void ipsec_sa(std::string_view text, event& e) noexcept;
void session_disconnected(std::string_view text, event& e) noexcept;
void ipsec_data_error(std::string_view text, event& e) noexcept;

// ikev2_decoders.cpp — ASA/FTD 750xxx / 751xxx / 752xxx and IOS %IKEV2 mnemonics
void ikev2_sa_message(std::string_view text, event& e) noexcept;      // 750001–750015
void ikev2_peer_message(std::string_view text, event& e) noexcept;    // 751001–751028
void ikev2_tunnel_manager(std::string_view text, event& e) noexcept;  // 752001–752017
/// Decodes an IOS `%IKEV2-n-MNEMONIC` message; always true.
bool ikev2_ios_mnemonic(const cisco_message& m, event& e) noexcept;

// ikev2_debug_decoder.cpp — ASA `IKEv2-PROTO-n:` / `IKEv2-PLAT-n:`, IOS `IKEv2:` / `IKEv2-ERROR:`
/// Decodes one IKEv2 debug line; SA and session ids go to `conn_id` as `v2:<id>` / `v2:s<id>`.
void ikev2_debug(std::string_view body, event& e) noexcept;

// traffic_decoders.cpp — ACL denies, discards, UDP connections, routing, logins (ASA)
void acl_106023(std::string_view text, event& e) noexcept;
void acl_from_to(std::string_view text, event& e) noexcept;        // 106001/106006/106007/106015
void acl_src_dst(std::string_view text, event& e) noexcept;        // 106010/106014/106021
void acl_list_log(std::string_view text, event& e) noexcept;       // 106100/106102/106103
void acl_to_box(std::string_view text, event& e) noexcept;         // 710003
void request_discarded(std::string_view text, event& e) noexcept;  // 710005/710006
void udp_connection(std::string_view text, event& e) noexcept;     // 302015/302016
void route_failure(std::string_view text, event& e) noexcept;      // 110002/110003
void login_605(std::string_view text, event& e) noexcept;          // 605004/605005
void login_aaa(std::string_view text, event& e) noexcept;          // 113005/113015
void login_611(std::string_view text, event& e) noexcept;          // 611102/611101

// ios_decoders.cpp — IOS %CRYPTO/%SEC/%SSH mnemonics and `debug crypto isakmp` text
/// Decodes an IOS tagged message; returns false when the mnemonic is not one we know.
bool ios_mnemonic(const cisco_message& m, event& e) noexcept;
/// Decodes IOS debug text (`ISAKMP …`, `IPSEC(…)`, `CryptoEngine…`).
void ios_debug(std::string_view body, event& e) noexcept;

}  // namespace ikewatch::parsers::decoders

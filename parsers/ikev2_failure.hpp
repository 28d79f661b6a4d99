#pragma once

#include <string_view>

/// Why an IKEv2 negotiation failed, as one short class in the `failure` field of `ikev2_failed`
/// events (and of `ikev2_notify` events for error notifies). Rules and diagnoses key on these
/// names; the reason as the device wrote it stays in `reason`.
///
/// | class              | what the device said (examples)                                      |
/// |--------------------|----------------------------------------------------------------------|
/// | `auth`             | authentication failed and nothing more specific is said: the usual    |
/// |                    | cause is differing pre-shared keys (syslog `Failed to authenticate    |
/// |                    | the IKE SA`, `Auth exchange failed`, AUTHENTICATION_FAILED, user      |
/// |                    | authentication of a remote-access client)                             |
/// | `auth_cert`        | the peer's certificate: untrusted issuer or chain, revocation,        |
/// |                    | trustpoint, encoding or HTTP URL lookup (`Verify cert failed`,        |
/// |                    | 751006 Certificate authentication failed)                             |
/// | `auth_method`      | the two sides authenticate with different methods                     |
/// | `identity`         | the peer's identity is not the one expected (`Peer ID check failed`,  |
/// |                    | IDi/IDr, IOS `IKEv2 profile not found`, profile not found by the      |
/// |                    | peer's identity or certificate)                                       |
/// | `peer_config`      | nothing configured for this peer: no tunnel-group for it, no          |
/// |                    | pre-shared key, trustpoint or authentication method in it (751002,   |
/// |                    | 751004, 751009, 751010)                                               |
/// | `config_lookup`    | `Failed to locate an item in the database` with nothing more specific |
/// | `auth_exchange`    | IKE_AUTH failed and the debug line says no more: the summary printed  |
/// |                    | after a specific reason, or alone (`Auth exchange failed`, `Verify    |
/// |                    | auth failed`, `Verification of peer's authentication data FAILED`)    |
/// | `proposal`         | IKE SA proposals do not match (NO_PROPOSAL_CHOSEN, `Failed to find a  |
/// |                    | matching policy`, `Failed to verify the proposed policies`)           |
/// | `child_proposal`   | child SA transforms or PFS do not match; the IKE SA cipher is weaker  |
/// |                    | than the child SA's (750011)                                          |
/// | `dh_group`         | the sides want different DH groups (INVALID_KE_PAYLOAD, `wrong DH     |
/// |                    | group`)                                                               |
/// | `traffic_selector` | traffic selectors are refused (TS_UNACCEPTABLE, INVALID_SELECTORS,    |
/// |                    | `no IPSEC policy found for received TS`, 751022 crypto map policy     |
/// |                    | not found)                                                            |
/// | `auth_timeout`     | IKE_AUTH was never answered (`Failed to receive the AUTH msg before   |
/// |                    | the timer expired`)                                                   |
/// | `no_response`      | no answer at all: retransmissions exhausted, timed out                |
/// | `fragmentation`    | IKE fragmentation or reassembly failed                                |
/// | `overload`         | refused for lack of resources: CAC, cookie challenge, licences, low   |
/// |                    | memory (the `capacity_exceeded` events name these in `type`)          |
/// | `other`            | anything else; the reason is in `reason`                              |
///
/// One failed negotiation is often reported by several lines of different classes (`Peer ID
/// check failed`, then `Failed to locate an item in the database`, then `Auth exchange failed`).
/// The most specific class says the most: see `ikev2_failure_rank`.
namespace ikewatch::parsers {

namespace ikev2_failure {
inline constexpr std::string_view auth = "auth";
inline constexpr std::string_view auth_cert = "auth_cert";
inline constexpr std::string_view auth_method = "auth_method";
inline constexpr std::string_view identity = "identity";
inline constexpr std::string_view peer_config = "peer_config";
inline constexpr std::string_view config_lookup = "config_lookup";
inline constexpr std::string_view auth_exchange = "auth_exchange";
inline constexpr std::string_view proposal = "proposal";
inline constexpr std::string_view child_proposal = "child_proposal";
inline constexpr std::string_view dh_group = "dh_group";
inline constexpr std::string_view traffic_selector = "traffic_selector";
inline constexpr std::string_view auth_timeout = "auth_timeout";
inline constexpr std::string_view no_response = "no_response";
inline constexpr std::string_view fragmentation = "fragmentation";
inline constexpr std::string_view overload = "overload";
inline constexpr std::string_view other = "other";
}  // namespace ikev2_failure

/// The failure class of a reason text (an ASA 750003 `ERROR:` text, an IOS NEG_ABORT reason, a
/// debug line, a notify type such as `NO_PROPOSAL_CHOSEN`). Returns one of the names above
/// (static storage); `other` when no class fits.
[[nodiscard]] std::string_view classify_ikev2_failure(std::string_view reason) noexcept;

/// How much a failure class says about the cause: 3 names it (identity, certificate, method,
/// peer configuration, proposals, DH group, selectors, fragmentation, overload), 2 for a
/// generic authentication failure or a missing answer, 1 for `config_lookup` and
/// `auth_exchange`, 0 for `other` and
/// unknown names. Of several failures of one negotiation, the highest rank is the cause.
[[nodiscard]] int ikev2_failure_rank(std::string_view failure_class) noexcept;

/// The negotiation phase a failure class belongs to: 2 for `child_proposal` and
/// `traffic_selector`, 1 for the other classes about the IKE SA, 0 when it can be either.
[[nodiscard]] int ikev2_failure_phase(std::string_view failure_class) noexcept;

}  // namespace ikewatch::parsers

#include "rules/codes.hpp"

#include <array>

#include "common/text.hpp"
#include "ike/states.hpp"

namespace ikewatch::rules {

namespace {

constexpr code_info codes[] = {
    {"peer-unreachable", "The initiator's first IKE message gets no answer.",
     "This side sent main-mode message 1 (or aggressive-mode message 1) and nothing came back, so\n"
     "it sits in MM_WAIT_MSG2 / AM_WAIT_MSG2 (MM_NO_STATE on IOS) and retransmits.\n"
     "Check: the far end is up and reachable (ping its outside address from here); there is a\n"
     "route to the peer address; ISAKMP is enabled on the far end's outside interface\n"
     "(`crypto ikev1 enable outside` on an ASA, a crypto map on the IOS interface); nothing on\n"
     "the path filters UDP 500 (and UDP 4500 when NAT-T is used)."},
    {"return-path-lost",
     "The responder answers, but the initiator keeps resending its first message.",
     "This side replied with message 2 and waits in MM_WAIT_MSG3 (MM_SA_SETUP on IOS), yet the\n"
     "peer sends message 1 again: the replies do not reach it.\n"
     "Check: the return route towards the peer; outbound ACLs or a firewall in the path dropping\n"
     "UDP 500 from this side; NAT that rewrites the reply's source address."},
    {"udp500-blocked",
     "An ACL drops IKE (UDP 500) to or from the peer while a negotiation is stuck.",
     "The device logged a deny of UDP port 500 for the peer's address near a negotiation that\n"
     "does not progress. Check the interface ACL named in the deny line (and control-plane or\n"
     "to-the-box ACLs): permit UDP 500 between the two gateway addresses."},
    {"natt-blocked", "UDP 4500 (NAT-T) to or from the peer is dropped or not listened for.",
     "IKE moved to UDP 4500 because NAT was detected, and those packets are denied by an ACL or\n"
     "discarded because NAT-T is not enabled here. Check: permit UDP 4500 between the gateways;\n"
     "enable NAT traversal (`crypto isakmp nat-traversal` on an ASA)."},
    {"esp-blocked", "ESP (IP protocol 50) to or from the peer is dropped.",
     "Phase 1 and phase 2 may complete, but the encrypted traffic is denied. Check the interface\n"
     "ACL for protocol 50 between the gateways, and whether a NAT device in the path passes ESP\n"
     "(if not, NAT-T must be in use)."},
    {"no-route-to-peer", "The device has no route to the peer's address.",
     "The firewall could not find an egress interface for traffic to the peer gateway, so IKE\n"
     "packets cannot leave. Check the routing table (`show route <peer>`), the default route and\n"
     "the interface the crypto map is applied to."},
    {"vendor-or-version-mismatch",
     "The negotiation hangs after the responder's first answer, with no better explanation.",
     "The responder answered message 1 and waits in MM_WAIT_MSG3 while the initiator does not go\n"
     "on. Seen between different vendors, across some software versions, and with a router or\n"
     "firewall in the path that mangles IKE. Check: the peer's logs for why it rejected message "
     "2;\n"
     "software versions on both sides; devices in the path that inspect IKE."},
    {"phase1-proposal-mismatch", "No phase-1 (ISAKMP) policy is acceptable to both sides.",
     "The responder found none of the offered proposals acceptable. Compare on both sides:\n"
     "encryption, hash, Diffie-Hellman group, authentication method (pre-share or certificates)\n"
     "and lifetime of the IKE policies (`show run crypto ikev1` / `show crypto isakmp policy`)."},
    {"tunnel-group-or-psk-missing", "A side has no tunnel-group or pre-shared key for the other.",
     "Main mode stops after the key exchange: the initiator waits in MM_WAIT_MSG4, or the\n"
     "responder reports that it cannot find a tunnel-group or a pre-shared key for the peer.\n"
     "Check: a LAN-to-LAN tunnel-group named exactly after the peer's address exists on the far\n"
     "end (`tunnel-group <peer> type ipsec-l2l` with `ipsec-attributes` and a pre-shared key); on\n"
     "IOS a `crypto isakmp key … address <peer>` or keyring entry."},
    {"psk-mismatch", "The pre-shared keys of the two sides differ.",
     "Both sides found a key, but the authentication hashes do not verify: the negotiation stops\n"
     "at MM_WAIT_MSG5 / MM_WAIT_MSG6 (MM_KEY_EXCH on IOS), or the device reports encrypted "
     "packets\n"
     "it cannot process. Re-enter the key on both sides (watch for trailing spaces and\n"
     "characters that differ between keyboards)."},
    {"nat-t-mismatch", "NAT traversal is in use where it must be off, or the other way round.",
     "The negotiation stops at MM_WAIT_MSG5 / MM_WAIT_MSG6 while NAT-T is active, or the peers\n"
     "disagree on the encapsulation mode (UDP-Tunnel against Tunnel). Check NAT-T settings on "
     "both\n"
     "sides, and whether a NAT device really sits between the gateways."},
    {"crypto-map-not-applied",
     "A side has no crypto map (or tunnel protection) where the tunnel needs one.",
     "IKE arrives on an interface with no crypto map bound to it and is dropped, or one end of a\n"
     "GRE/DMVPN tunnel sends its packets in clear because that end has no tunnel protection.\n"
     "Apply it (`crypto map <name> interface outside` on an ASA, `crypto map <name>` under the "
     "IOS\n"
     "interface, `tunnel protection ipsec profile <name>` under a tunnel) and check that the\n"
     "peer targets the right address."},
    {"no-crypto-policy-match", "The traffic or the peer matches no crypto map entry.",
     "The initiator found no crypto policy for the traffic, or the peer is not the one the crypto\n"
     "map entry names (`set peer`). Check the crypto map entries, their ACLs and peers."},
    {"phase2-proposal-mismatch",
     "Quick mode is rejected: no acceptable transform set or PFS setting.",
     "Phase 1 is up, but the IPsec proposals do not match. Compare the transform sets (ESP\n"
     "encryption and integrity, or IKEv2 IPsec proposals), PFS on or off and its DH group, and\n"
     "the SA lifetimes on both sides."},
    {"crypto-acl-mismatch",
     "The proxy identities (crypto ACLs) of the two sides are not mirror images.",
     "Phase 1 is up, but the networks one side proposes for phase 2 match no crypto map entry on\n"
     "the other. The crypto ACL on each side must be the exact mirror of the other's (same\n"
     "subnets and masks, source and destination swapped), and the crypto map entry must name the\n"
     "right peer."},
    {"phase1-failed", "Phase 1 fails, and the logs do not say at which step or why.",
     "The device gave up the negotiation (an error, a timeout, a teardown), but the lines\n"
     "received do not show where it stopped or why, most often because only informational\n"
     "messages arrive. Send the VPN class at debug level (ASA: `logging class vpn trap\n"
     "debugging`; IOS: `debug crypto isakmp` with `logging trap debugging`) to see the step, and\n"
     "read the peer's logs: the side that refused says why."},
    {"phase2-failed", "Phase 1 completes, phase 2 does not, and the logs do not say why.",
     "Quick mode started but no IPsec SA was installed. The reason is on the side that refused:\n"
     "read its logs. The usual suspects are the transform sets, PFS, and the crypto ACLs."},
    {"no-return-traffic", "Traffic is encrypted towards the peer and nothing comes back decrypted.",
     "Both phases are up and this side encrypts into the SA (encaps rise), but nothing is\n"
     "decrypted from the peer (decaps stay at 0). Either ESP (UDP 4500 with NAT-T) is dropped\n"
     "on the way back or on arrival, or the peer never sends the replies into the tunnel: its\n"
     "route to this side's networks, its crypto ACL or its NAT exemption is missing. Compare\n"
     "`show crypto ipsec sa` on the peer: decaps there tell which."},
    {"tunnel-flapping", "The tunnel comes up and goes down repeatedly.",
     "Phase 1 completes again and again within a short time. Look for idle timeouts, DPD\n"
     "failures, lifetime or rekey disagreements, duplicate peers claiming the same networks, and\n"
     "an unstable path (packet loss, MTU)."},
    {"peer-dead", "Dead-peer detection declared the peer gone.",
     "Keepalives (DPD) went unanswered and the device tore the tunnel down. Check the peer's\n"
     "state and the path between the gateways; a peer that rebooted will renegotiate."},
    {"sa-out-of-sync", "The peer uses an SA this device does not have.",
     "IKE or ESP arrives for a security association that no longer exists here: one side was\n"
     "rebooted or cleared its SAs, an idle timeout removed it on one side only, or the traffic is\n"
     "translated (NAT) before it is encrypted so it no longer matches the crypto ACL. Check the\n"
     "NAT exemption for the VPN networks, then clear the SAs on both sides."},
    {"ikev2-no-auth-reply", "An IKEv2 negotiation never got the AUTH exchange answered.",
     "IKE_SA_INIT worked but the IKE_AUTH reply did not arrive before the timer expired. The\n"
     "responder may lack a matching identity, pre-shared key or certificate, or large IKE_AUTH\n"
     "packets are lost on the path (fragmentation, MTU). Check the far end's logs, the IKEv2\n"
     "profile and keys, and enable IKEv2 fragmentation."},
    {"ikev2-auth-failed",
     "IKEv2 authentication was refused, not (or not known to be) over differing keys.",
     "IKE_AUTH failed on the certificate (not trusted, chain incomplete, revoked, CRL not\n"
     "reachable), on the authentication methods (one side uses certificates, the other a\n"
     "pre-shared key; or an algorithm the other does not support) or on a profile that allows\n"
     "neither. When the lines say only that IKE_AUTH failed, differing keys stay possible too,\n"
     "and the diagnosis has low confidence. The reason is in the debug of the side that\n"
     "refused. Check trustpoints and CA certificates, `authentication local/remote` of the\n"
     "IKEv2 profile (IOS) or the tunnel group's `ikev2 local/remote-authentication` (ASA)."},
    {"ikev2-identity-mismatch", "The peer's IKEv2 identity is not the one this side expects.",
     "The identity in IKE_AUTH (IDi/IDr: address, FQDN, e-mail or certificate DN) matches no\n"
     "IKEv2 profile or tunnel group here, or fails the peer-ID check against the certificate's\n"
     "subject alternative names. Check `match identity remote` of the IKEv2 profile (IOS), the\n"
     "tunnel group and `peer-id-validate` (ASA), and the identity the peer sends (`crypto\n"
     "isakmp identity` / `identity local`)."},
    {"ikev2-dh-group-mismatch", "The IKEv2 peers keep disagreeing on the Diffie-Hellman group.",
     "The responder answers IKE_SA_INIT with INVALID_KE_PAYLOAD, asking for another group, and\n"
     "the retry does not settle it: the groups the initiator sends a key share for and the\n"
     "groups the responder accepts do not meet. Compare `group` in the IKEv2 proposals/policies\n"
     "of both sides."},
    {"ikev2-fragmentation", "Large IKEv2 messages are lost on the path.",
     "IKE_AUTH (which carries certificates) is larger than the path MTU and its IP fragments are\n"
     "dropped, so it is never answered. Enable IKEv2 fragmentation on both sides (`crypto\n"
     "ikev2 fragmentation` on IOS, `crypto ikev2 fragmentation` on the ASA) and check the path\n"
     "MTU and devices that drop fragments."},
    {"ike-overload",
     "The device limits new IKE negotiations: SA limits, call admission or a cookie challenge.",
     "New IKE SAs are refused or throttled: a configured SA or call-admission limit is reached,\n"
     "resources are low, or so many negotiations are half-open that the device answers with a\n"
     "cookie challenge (a flood, or many peers retrying at once). Check `crypto ikev2 limit`,\n"
     "`crypto call admission limit`, the number of sessions and whether a peer or a flood\n"
     "opens negotiations without finishing them."},
    {"ike-debug-not-logged",
     "The device sends no debug-level IKE messages, so MM_WAIT_MSGn cannot be seen.",
     "Without level-7 IKE messages only phase starts, completions and failure texts arrive, and\n"
     "diagnoses are coarser. Send just the VPN class at debug level, leaving the rest as it is:\n"
     "on an ASA `logging class vpn trap debugging` (and `logging trap informational` for the\n"
     "rest); on IOS `debug crypto isakmp` with `logging trap debugging`."},
};

constexpr state_info states[] = {
    {"MM_WAIT_MSG2 / MM_NO_STATE (initiator)",
     "This side sent main-mode message 1 (its proposals) and waits for the responder's first\n"
     "answer. A negotiation that stays here gets no answer at all: see peer-unreachable."},
    {"MM_WAIT_MSG3 / MM_SA_SETUP (responder)",
     "This side accepted a proposal, answered with message 2 and waits for the initiator's key\n"
     "exchange (message 3). Staying here means the answer is lost (return-path-lost) or the\n"
     "initiator does not like it (vendor-or-version-mismatch)."},
    {"MM_WAIT_MSG4 / MM_SA_SETUP (initiator)",
     "This side sent its Diffie-Hellman public value (message 3) and waits for the responder's.\n"
     "Staying here usually means the responder has no tunnel-group or key for this side:\n"
     "see tunnel-group-or-psk-missing."},
    {"MM_WAIT_MSG5 / MM_KEY_EXCH (responder)",
     "Keys are exchanged; this side sent message 4 and waits for the initiator's identity and\n"
     "authentication hash. Staying here points at a pre-shared key mismatch, or at NAT-T in use\n"
     "where it should not be: see psk-mismatch and nat-t-mismatch."},
    {"MM_WAIT_MSG6 / MM_KEY_EXCH (initiator)",
     "This side sent its identity and authentication hash (message 5) and waits for the\n"
     "responder's. Staying here points at a pre-shared key mismatch or a NAT-T disagreement. If\n"
     "the SA reaches this point and then resets, phase 1 probably completed and phase 2 failed."},
    {"MM_ACTIVE / QM_IDLE",
     "Phase 1 is complete: the ISAKMP SA is authenticated and can carry quick-mode (phase 2)\n"
     "exchanges. A tunnel can be MM_ACTIVE and still pass no traffic: check phase 2 and routing."},
    {"AM_WAIT_MSG2 / AG_NO_STATE (initiator)",
     "Aggressive mode: this side sent its first message (proposals, key and identity together)\n"
     "and waits for the answer. Staying here: see peer-unreachable."},
    {"AM_WAIT_MSG3 / AG_INIT_EXCH (responder)",
     "Aggressive mode: this side answered and waits for the initiator's final hash. Staying here\n"
     "points at an authentication problem on the initiator's side."},
    {"AM_ACTIVE / QM_IDLE", "Aggressive-mode phase 1 is complete."},
    {"MM_KEY_AUTH / AG_AUTH",
     "IOS/PIX: the ISAKMP SA is authenticated; it becomes QM_IDLE at once when this router was "
     "the\n"
     "initiator."},
    {"MM_NO_STATE (IOS, ACTIVE (deleted))",
     "IOS lists an SA that never got past the first exchange and has been deleted: the\n"
     "negotiation failed early; look at the peer's reachability and phase-1 policies."},
    {"SA_INIT_WAIT / IN-NEG (IKEv2 initiator)",
     "This side sent its IKE_SA_INIT request (proposals, Diffie-Hellman value, nonce) and waits\n"
     "for the response. Stuck here: the peer does not answer (down, unreachable, no IKEv2 on\n"
     "that address, UDP 500 filtered); an INVALID_KE_PAYLOAD answer asks for another DH group\n"
     "and a NO_PROPOSAL_CHOSEN answer means the IKEv2 policies/proposals share nothing."},
    {"AUTH_WAIT / IN-NEG (IKEv2)",
     "IKE_SA_INIT is done; IKE_AUTH (identities, authentication, the first child SA) is pending.\n"
     "The initiator sent its IKE_AUTH request and waits, or the responder answered IKE_SA_INIT\n"
     "and waits for it. Stuck here: the IKE_AUTH packets are lost (large and fragmented: enable\n"
     "IKEv2 fragmentation, check the path MTU; UDP 4500 filtered after NAT was detected) or the\n"
     "responder refuses them (keys, certificates, identities: read its log)."},
    {"ESTABLISHED / READY, UP-ACTIVE (IKEv2)",
     "The IKEv2 SA is up (IKE_AUTH completed, with its first child SA). Further child SAs and\n"
     "rekeys use CREATE_CHILD_SA; DPD and deletes use INFORMATIONAL."},
    {"NEGOTIATING / IN-NEG (IKEv2)",
     "An IKEv2 negotiation is in progress, and the lines received (informational level) do not\n"
     "say which exchange it is in. Debug-level IKEv2 messages (ASA `debug crypto ikev2\n"
     "protocol`, IOS `debug crypto ikev2`) show the step."},
    {"CHILD_* INFO_* (IKEv2 debug steps on an established SA)",
     "Steps of the exchanges that run on an IKEv2 SA already up: CREATE_CHILD_SA (`CHILD_I_WAIT`,\n"
     "`CHILD_R_DONE`: a further child SA or a rekey) and INFORMATIONAL (`INFO_I_BLD_INFO`: DPD,\n"
     "deletes, error notifies). They are not states of the IKE SA, which stays ESTABLISHED: a\n"
     "child exchange under way shows as phase 2 negotiating, and up once it is done."},
    {"AM_TM_INIT_XAUTH_V6C / AM_TM_INIT_MODECFG_V6H",
     "EzVPN / remote access: phase 1 is done and the negotiation waits in extended\n"
     "authentication (XAUTH) or mode configuration. A client stuck here usually cannot get the\n"
     "XAUTH exchange through: check credentials, and the path for fragmentation."},
};

}  // namespace

std::span<const code_info> builtin_codes() noexcept {
    return codes;
}

const code_info* find_code(std::string_view code) noexcept {
    for (const code_info& c : codes) {
        if (c.code == code) {
            return &c;
        }
    }
    return nullptr;
}

std::string_view state_alias_of(std::string_view name) {
    if (text::istarts_with(name, "CHILD_") || text::istarts_with(name, "INFO_")) {
        return "CHILD_*";
    }
    if (const auto s = ike::state_from_name(name, parsers::ike_role::unknown)) {
        return ike::asa_name(*s);
    }
    return {};
}

std::vector<const state_info*> state_infos(std::string_view name) {
    std::vector<const state_info*> out;
    name = text::trim(name);
    if (name.empty()) {
        return out;
    }
    for (const state_info& s : states) {
        // Match a whole name inside the "A / B (role)" heading.
        std::size_t at = text::ifind(s.names, name);
        while (at != std::string_view::npos) {
            const std::size_t end = at + name.size();
            const bool starts = at == 0 || s.names[at - 1] == ' ';
            const bool ends = end == s.names.size() || s.names[end] == ' ' || s.names[end] == ')' ||
                              s.names[end] == ',';
            if (starts && ends) {
                out.push_back(&s);
                break;
            }
            at = text::ifind(s.names.substr(end), name);
            at = at == std::string_view::npos ? at : at + end;
        }
    }
    return out;
}

}  // namespace ikewatch::rules

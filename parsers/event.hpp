#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "common/inline_string.hpp"
#include "common/time.hpp"
#include "parsers/cisco_message.hpp"

namespace ikewatch::parsers {

struct ipsec_snapshot;

/// What a decoded line means. One name per kind in `event_kind_names`; rules match on them.
enum class event_kind : std::uint8_t {
    other,  ///< not decoded further (most traffic lines)
    // IKE negotiation
    ike_packet,       ///< an IKE message sent/received/resent (713236, IOS sending/received packet)
    phase1_start,     ///< we start phase 1 (713041 New Phase 1, IOS beginning Main/Aggressive Mode)
    phase1_complete,  ///< 713119 PHASE 1 COMPLETED
    phase2_start,     ///< 713041 Phase 2, 714002/714003, IOS beginning Quick Mode
    phase2_negotiated,  ///< 713049 Security negotiation complete
    phase2_complete,    ///< 713120 PHASE 2 COMPLETED
    fsm_history,        ///< 715065 FSM error history (where a negotiation died)
    state_change,       ///< IOS `Old State = … New State = …`
    show_state,         ///< a row of `show crypto isakmp sa` output
    show_ipsec,         ///< a peer's phase-2 facts from `show crypto ipsec sa` output
    show_session,       ///< a tunnel in `show crypto session` / `show dmvpn` / sessiondb
    ping_failed,        ///< a ping typed at the device's prompt got no reply (`Success rate is
                        ///< 0 percent`), reported once for each peer the session's show
                        ///< output named
    ike_info,           ///< an IKE line that names a peer but carries no state (payload detail)
    proposal_accepted,  ///< a phase-1/phase-2 proposal matched (715027/715028, atts are acceptable)
    proposal_rejected,  ///< no acceptable proposal (All SA proposals found unacceptable,
                        ///< NO_PROPOSAL_CHOSEN)
    proposal_declined,  ///< one offered transform did not match one local policy (IOS `atts
                        ///< are not acceptable`); another may still match
    tunnel_group_found,     ///< Connection landed on tunnel_group
    tunnel_group_missing,   ///< Can't find a valid tunnel group, No Group found, IOS No pre-shared
                            ///< key
    tunnel_group_fallback,  ///< 713139 using BASE GROUP default pre-shared key
    invalid_cookie,         ///< un-encrypted INVALID_COOKIE notify
    no_matching_sa,         ///< encrypted packet with no matching SA, IOS IKMP_NO_SA
    malformed_message,      ///< IOS IKMP_BAD_MESSAGE (sanity check), 713048/713193, Header invalid
    auth_failed,            ///< IOS IKMP_AUTH_FAIL, XAUTH failures
    crypto_map_missing,     ///< No crypto map bound to interface
    crypto_acl_mismatch,    ///< 713061/713222, IOS phase 2 SA policy not acceptable, IKEv2 TS
    no_crypto_policy,     ///< 713042 initiator unable to find policy, 713187 peer not in L2L policy
    negotiation_timeout,  ///< 713136 IKE session establishment timed out [state]
    peer_dead,            ///< 713123 IKE lost contact with remote peer (DPD/keepalive)
    dpd,                  ///< DPD R-U-THERE / R-U-THERE-ACK sent or received
    keepalive_mismatch,   ///< 713122 Keep-alives configured on but peer does not support them
    duplicate_packet,     ///< 713201/713202, IOS `phase 1 packet is a duplicate`
    retransmit,           ///< IOS `retransmitting phase 1 …`
    nat_detection,        ///< 713172, 715057, IOS NAT-D results
    notify,               ///< 713068 non-routine notify, IOS processing NOTIFY
    attribute_mismatch,   ///< 713257/713133/713134, IOS IKMP_SA_NOT_OFFERED
    mode_failure,         ///< IOS IKMP_MODE_FAILURE Processing of … mode failed
    phase2_failed,        ///< QM FSM error, IOS deleting node … error TRUE, IKMP_SA_NOT_AUTH
    ike_delete,           ///< 713194 Sending Delete With Reason, IOS processing DELETE payload
    teardown,             ///< 713259 Session is being torn down. Reason: …
    connection_terminated,  ///< 713050 Connection terminated for peer
    session_disconnected,   ///< 113019 Session disconnected
    ipsec_sa_created,       ///< 602303, IOS Successfully installed IPSEC SA
    ipsec_sa_deleted,       ///< 602304
    ipsec_data_error,       ///< 402117/402119/402120, IOS PKT_REPLAY_ERR / RECVD_PKT_INV_SPI
    invalid_spi,            ///< 713117 Received Invalid SPI notify
    capacity_exceeded,      ///< 713191/713239/713276, 713004/713176
    tunnel_up,              ///< IOS EZVPN_CONNECTION_UP
    nhrp_up,                ///< IOS DMVPN NHRP_NHS_UP / NHRP_NHC_UP / NHRP_NHP_UP
    nhrp_down,              ///< IOS DMVPN NHRP_NHS_DOWN / …, with the reason
    cleartext_received,     ///< IOS RECVD_PKT_NOT_IPSEC: the peer sent in clear what this side
                            ///< expects encrypted
    isakmp_enabled,         ///< IOS ISAKMP_ON_OFF
    sa_cleared,             ///< `clear crypto …` typed at the device's console prompt
    key_acquire,            ///< 715077 Pitcher key acquire, 713219 queuing KEY-ACQUIRE
    ikev2_start,            ///< 750002 IKE_INIT_SA request
    ikev2_up,               ///< 750006 IKEv2 SA UP
    ikev2_failed,           ///< 750003 Negotiation aborted due to ERROR, debug failure texts;
                            ///< `failure` classifies the reason (see ikev2_failure.hpp)
    ikev2_down,             ///< 750007 SA DOWN, debug SA deleted (with the reason)
    ikev2_packet,           ///< an IKEv2 message sent, received or retransmitted (debug
                            ///< `Received Packet [From …]`); `exchange`, `v2_response`
    ikev2_notify,           ///< a notify payload sent or received (`notify`:
                            ///< INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE, …)
    ikev2_state,            ///< the device's own negotiation state (debug `SM Trace->
                            ///< CurState: I_WAIT_AUTH Event: EV_RECV_AUTH`): state_name
    // Traffic and management
    acl_deny,  ///< 106001/106006/106007/106010/106014/106015/106023/106100/710003, IOS ACCESSLOG
               ///< denied
    request_discarded,  ///< 710005/710006
    udp_connection,     ///< 302015/302016 UDP built/teardown
    route_failure,      ///< 110002/110003
    login_failed,       ///< 605004, 113005/113015, 611102, IOS SEC_LOGIN/SSH failures
    login_success,      ///< 605005, IOS LOGIN_SUCCESS, SSH2_USERAUTH Succeeded
    count_
};

inline constexpr std::size_t event_kind_count = static_cast<std::size_t>(event_kind::count_);

/// What the pipeline knows about a kind of event; the table (parsers/event_kinds.cpp) has one row
/// per kind and is the only place these facts are declared.
struct event_kind_info {
    event_kind kind;
    std::string_view name;    ///< as rules name it (`match.event`)
    bool tracks_peer;         ///< the tracker keeps (or starts) IKE state for the peer it names
    bool evidence;            ///< its line is kept as evidence of the peer's negotiation
    std::string_view source;  ///< the lines it comes from (rule reference)
    std::string_view fields;  ///< the fields it carries (rule reference)
};
[[nodiscard]] std::span<const event_kind_info> event_kinds() noexcept;
[[nodiscard]] const event_kind_info& info(event_kind kind) noexcept;

[[nodiscard]] std::string_view to_string(event_kind k) noexcept;
[[nodiscard]] std::optional<event_kind> event_kind_from(std::string_view name) noexcept;

/// Named fields a decoder may set; rules compare them and `ikewatch parse` prints them.
enum class field : std::uint8_t {
    group,
    user,
    reason,
    direction,
    exchange,
    msgid,
    payloads,
    mode,
    role,
    state,
    old_state,
    new_state,
    phase,
    protocol,
    src_ip,
    src_port,
    dst_ip,
    dst_port,
    src_interface,
    dst_interface,
    interface,
    acl,
    session_type,
    tunnel_type,
    duration,
    local_ip,
    notify,
    spi,
    sa_direction,
    conn_id,
    attribute,
    received,
    configured,
    crypto_map,
    proxy_local,
    proxy_remote,
    history,
    nat,
    service,
    server,
    failure,
    type,
    status,
    count_
};

inline constexpr std::size_t field_count = static_cast<std::size_t>(field::count_);

[[nodiscard]] std::string_view to_string(field f) noexcept;
[[nodiscard]] std::optional<field> field_from(std::string_view name) noexcept;

/// Direction of an IKE message relative to the logging device.
enum class ike_direction : std::uint8_t { none, sent, received, resent };

/// Which exchange an IKE message belongs to, from its payload list (713236) or IOS state text.
enum class ike_exchange : std::uint8_t {
    none,
    mm_sa,       ///< main mode message 1 or 2 (SA)
    mm_ke,       ///< main mode message 3 or 4 (KE + NONCE)
    mm_auth,     ///< main mode message 5 or 6 (ID + HASH, encrypted)
    am1,         ///< aggressive mode message 1 (SA + KE + NONCE + ID)
    am2,         ///< aggressive mode message 2 (… + HASH)
    am3,         ///< aggressive mode message 3 (HASH)
    quick,       ///< quick mode (msgid ≠ 0 with SA/NONCE, or HASH alone)
    info,        ///< informational (HASH + NOTIFY / DELETE)
    v2_sa_init,  ///< IKEv2 IKE_SA_INIT
    v2_auth,     ///< IKEv2 IKE_AUTH
    v2_child,    ///< IKEv2 CREATE_CHILD_SA
    v2_info,     ///< IKEv2 INFORMATIONAL (delete, DPD)
};

/// `mm_sa` … `info` for IKEv1, `IKE_SA_INIT`, `IKE_AUTH`, `CREATE_CHILD_SA`, `INFORMATIONAL`.
[[nodiscard]] std::string_view to_string(ike_exchange x) noexcept;

enum class ike_role : std::uint8_t { unknown, initiator, responder };

/// Where an event's time comes from. Lines pasted from a console often carry no calendar time;
/// they must not move a device's clock to a time its logs never reached.
enum class time_basis : std::uint8_t {
    stamped,    ///< the line's own calendar timestamp
    inherited,  ///< no timestamp of its own: the time of the device's nearest timed line
    arrival,    ///< no timed line from the device yet: the arrival (live) time
    reference,  ///< replay of lines with no timed line for the device at all: the replay's
                ///< reference time, which says nothing about how long anything lasted
    uptime,     ///< an IOS uptime stamp (`00:27:07:`) from a device without a calendar clock:
                ///< its first such line is placed at the arrival time and the others after it,
                ///< so the time between its lines is real and the date is not
};

/// IKE payload bits of a 713236 payload list.
namespace payload {
inline constexpr std::uint16_t sa = 1 << 0;
inline constexpr std::uint16_t ke = 1 << 1;
inline constexpr std::uint16_t nonce = 1 << 2;
inline constexpr std::uint16_t id = 1 << 3;
inline constexpr std::uint16_t hash = 1 << 4;
inline constexpr std::uint16_t notify = 1 << 5;
inline constexpr std::uint16_t del = 1 << 6;
inline constexpr std::uint16_t vendor = 1 << 7;
inline constexpr std::uint16_t nat_d = 1 << 8;
inline constexpr std::uint16_t cert = 1 << 9;
inline constexpr std::uint16_t sig = 1 << 10;
inline constexpr std::uint16_t attr = 1 << 11;
}  // namespace payload

/// Ties lines that name no address to the peer that other lines of the same negotiation named:
/// IOS IKEv1 connection ids as printed (`1001`, `0:2`), and IKEv2 SA ids, prefixed so that the
/// two never meet (`v2:229` for the ASA's `(229)`, `v2:s23` for IOS `SESSION ID = 23`). Stored
/// inline because the prefixed forms are not part of the line; reads as a string_view.
class conn_key {
  public:
    static constexpr std::size_t capacity = 24;

    conn_key& operator=(std::string_view id) noexcept {
        text_.assign(id);
        return *this;
    }
    /// `prefix` followed by `id`, cut to `capacity`.
    void assign(std::string_view prefix, std::string_view id) noexcept;
    void clear() noexcept { text_.clear(); }
    [[nodiscard]] bool empty() const noexcept { return text_.empty(); }
    [[nodiscard]] std::string_view view() const noexcept { return text_.view(); }
    // Implicit, so that code reading a connection id as text keeps working unchanged.
    operator std::string_view() const noexcept { return text_.view(); }  // NOLINT

    friend bool operator==(const conn_key& a, std::string_view b) noexcept { return a.view() == b; }

  private:
    inline_string<capacity> text_;
};

/// Device names are cut to this (RFC 5424 allows a HOSTNAME of 255 octets): a forged header can
/// otherwise name a device with a whole message, which every table keyed by device would keep.
inline constexpr std::size_t max_device_bytes = 255;

/// A normalised event: one decoded record. Field values are views into the record text, so an
/// event lives as long as the record's buffer; the pipeline processes it before the buffer is
/// reused, and later stages copy what they keep. The peer address is stored inline because it
/// may be rewritten into canonical form.
struct event {
    static constexpr std::size_t max_fields = 14;

    event_kind kind = event_kind::other;
    std::string_view device;  ///< header hostname, else the sender address or file name
                              ///< (at most max_device_bytes)
    micros time = 0;          ///< event time (UTC); see event_time.hpp
    time_basis basis = time_basis::arrival;  ///< where `time` comes from
    std::string_view raw;                    ///< the whole record as received (evidence)
    family fam = family::none;
    std::int8_t severity = -1;
    std::uint8_t ike_version = 0;  ///< 1, 2, or 0 when the line does not say
    std::uint32_t msg_number = 0;  ///< numeric ASA id, 0 when none
    std::string_view msg_id;       ///< as in cisco_message::msg_id

    inline_string<64> peer;   ///< remote IKE address (canonical text) or host name; may be empty
    inline_string<64> peer2;  ///< second candidate (ACL lines: the other end), may be empty

    // Typed data the IKE state tracker reads.
    ike_direction direction = ike_direction::none;
    ike_exchange exchange = ike_exchange::none;
    ike_role role = ike_role::unknown;
    std::uint16_t payloads = 0;
    std::uint8_t phase = 0;  ///< 1 or 2 when the line says
    bool aggressive = false;
    bool nat_t = false;        ///< the line shows NAT-T in use (port 4500, NAT detected)
    bool v2_response = false;  ///< IKEv2: the message is a response (else a request)
    std::uint32_t ike_msgid = 0;
    std::string_view state_name;  ///< state named by the line (IOS show-state, FSM history, …)
    conn_key conn_id;             ///< IOS connection id or IKEv2 SA id, may be empty
    /// Phase-2 facts of `show_ipsec` / `show_session` events (counters, SA present); null
    /// otherwise. Points into the show output parser's row.
    const ipsec_snapshot* ipsec = nullptr;

    /// Resets to a default event without touching the field storage (cheaper than `= event{}`).
    void clear() noexcept;

    /// Sets a field; later values for the same field replace earlier ones. Silently ignores
    /// fields beyond `max_fields` (decoders set far fewer).
    void set(field f, std::string_view value) noexcept {
        if ((present_ & bit(f)) == 0 && n_fields_ < max_fields) {
            fields_[n_fields_++] = {value.data(), stored_size(value), f};
            present_ |= bit(f);
            return;
        }
        replace(f, value);
    }
    [[nodiscard]] std::optional<std::string_view> get(field f) const noexcept;
    [[nodiscard]] std::size_t field_size() const noexcept { return n_fields_; }
    [[nodiscard]] field field_at(std::size_t i) const noexcept { return fields_[i].key; }
    [[nodiscard]] std::string_view value_at(std::size_t i) const noexcept {
        return {fields_[i].data, fields_[i].size};
    }

    /// Sets the peer from address text, writing IPv6 in canonical form. Returns false (and leaves
    /// the peer empty) when the text is empty.
    bool set_peer(std::string_view text) noexcept;
    bool set_peer2(std::string_view text) noexcept;

  private:
    // Trivial, so that an event can be reset without clearing the array.
    struct field_value {
        const char* data;
        std::uint32_t size;
        field key;
    };
    std::array<field_value, max_fields> fields_;
    std::uint64_t present_ = 0;  ///< bit k: field k is among fields_ (spares a scan per set/get)
    std::uint8_t n_fields_ = 0;

    // A field set before gets the new value (the first set of a field is inline, above).
    void replace(field f, std::string_view value) noexcept;
    [[nodiscard]] static constexpr std::uint32_t stored_size(std::string_view value) noexcept {
        return static_cast<std::uint32_t>(value.size() > 0xFFFF ? 0xFFFF : value.size());
    }

    static_assert(static_cast<unsigned>(field::count_) <= 64, "present_ has a bit per field");
    [[nodiscard]] static constexpr std::uint64_t bit(field f) noexcept {
        return std::uint64_t{1} << static_cast<unsigned>(f);
    }
};

}  // namespace ikewatch::parsers

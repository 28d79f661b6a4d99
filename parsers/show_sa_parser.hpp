#pragma once

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "parsers/console.hpp"
#include "parsers/event.hpp"
#include "parsers/show_ipsec_reader.hpp"
#include "parsers/show_route_reader.hpp"
#include "parsers/show_session_reader.hpp"

namespace ikewatch::parsers {

/// One security association (or tunnel) listed by a `show` command.
struct show_row {
    enum class kind : std::uint8_t {
        isakmp,       ///< phase 1: show crypto isakmp sa / ikev1 sa / ikev2 sa
        ipsec,        ///< phase 2: show crypto ipsec sa (counters, SPIs)
        session,      ///< show crypto session, show dmvpn, show vpn-sessiondb
        no_route,     ///< a peer the pasted routing table (show ip route) has no route for
        cleared,      ///< `clear crypto …` typed at the device's prompt (no peer)
        ping_failed,  ///< a ping at the prompt got no reply; one row per peer the session named
    };
    kind what = kind::isakmp;
    std::string device;  ///< prompt host name (`Hub-RTR#`), empty when no prompt was seen
    std::string peer;
    std::string state;  ///< as printed (`MM_ACTIVE`, `QM_IDLE`, `AM_Active`, `READY`)
    ike_role role = ike_role::unknown;
    std::uint8_t ike_version = 1;
    bool deleted = false;  ///< an IOS row marked `(deleted)`: a past attempt, not the current SA
    std::string conn_id;   ///< IOS conn-id column (`0` before keys exist)
    ipsec_snapshot ipsec;  ///< kind ipsec (and sessiondb byte counts)
    std::string status;    ///< kind session: `UP-ACTIVE`, `DOWN`, DMVPN `NHRP`, `IKE`, `UP`, …
    std::string evidence;  ///< the output lines that show the row
    std::string target;    ///< kind ping_failed: the address pinged
    std::string source;    ///< kind ping_failed: the source address, when the output gives it
};

/// Reads the output of the `show` commands an engineer pastes, line by line: the ISAKMP tables
/// (`show crypto isakmp sa` and its relatives in every layout the corpus shows: the ASA block
/// form `1 IKE Peer: …` / `Type : L2L Role : initiator` / `Rekey : no State : MM_ACTIVE`, also
/// collapsed onto one line; the ASA `ikev1 sa detail` and `ikev2 sa` tables; the IOS/PIX table
/// `dst src state conn-id status` with `(deleted)` rows, with or without its header; the IOS
/// `detail` table), `show crypto ipsec sa` (see show_ipsec_reader), `show crypto session`,
/// `show dmvpn` and `show vpn-sessiondb l2l` (see show_session_reader).
///
/// A prompt line (`R1#show crypto isakmp sa`, see console.hpp) names the device and says what
/// the lines after it are; the output of commands that print no SAs (`show running-config`,
/// configuration mode) is never read as rows. Without a prompt the layout is recognised from
/// the text itself.
///
/// IOS tables do not say which address is the device's own. It is taken from the other output
/// that names it (`local crypto endpt.`, `current_peer`, `local addr`, DMVPN NBMA peers,
/// `show crypto session` endpoints), else the address common to all rows of the table, else
/// (when the input ends with nothing better) `src`, the initiator.
class show_sa_parser {
  public:
    /// Feeds one physical line; returns the rows it completed (valid until the next call).
    std::span<const show_row> feed(std::string_view line);
    /// A log line came between pasted outputs: output being read is complete.
    std::span<const show_row> end_output();
    /// Flushes everything pending at the end of the input.
    std::span<const show_row> finish();

    /// A log line of `device` named its own address and a peer's (`%DMVPN-5-CRYPTO_SS: … local
    /// address : A remote address : B`): tables waiting to know which address is local may
    /// now be read. Returns the rows that completes.
    std::span<const show_row> endpoint_hint(std::string_view device, std::string_view local,
                                            std::string_view remote);

    /// The host of the latest prompt (the device a console paste comes from), or empty.
    [[nodiscard]] std::string_view console_device() const noexcept { return device_; }

  private:
    enum class table : std::uint8_t { none, ios, ios_detail, ntc, ikev2 };
    struct ios_row {
        std::string dst;
        std::string src;
        std::string state;
        std::string conn_id;
        bool deleted = false;
        std::string line;
    };
    struct endpoints {
        std::unordered_set<std::string> local;
        std::unordered_set<std::string> remote;
    };

    void start_output(std::string_view command, bool config_mode);
    void flush_outputs();
    void close_table();
    void resolve_pending(bool force);
    void asa_fields(std::string_view line);
    bool ios_table_row(const std::vector<std::string_view>& tokens, std::size_t at);
    bool isakmp_line(std::string_view line, std::vector<std::string_view>& t);
    void emit_ipsec(std::vector<ipsec_snapshot>&& snapshots);
    void emit_sessions(std::vector<session_snapshot>&& sessions);
    void emit_unrouted();
    void ping_line(std::string_view line);

    std::vector<show_row> out_;
    std::string device_;
    console_block block_ = console_block::none;
    table table_ = table::none;
    std::vector<ios_row> table_rows_;  // the IOS table being read
    std::vector<ios_row> unresolved_;  // rows whose local address is not known yet
    std::string unresolved_device_;
    std::unordered_map<std::string, endpoints> endpoints_;  // per device
    // ASA block being read
    std::string asa_peer_;
    ike_role asa_role_ = ike_role::unknown;
    show_ipsec_reader ipsec_;
    show_session_reader sessions_;
    show_route_reader routes_;
    // IKEv2 row whose addresses follow on their own lines (IOS-XE IPv6 layout): its status
    std::string ikev2_status_;
    show_row last_ikev2_;  // the latest IKEv2 SA row, for its `sa detailed` lines
    // ping being read
    std::string ping_target_;
    std::string ping_source_;
};

/// Fills an event (kind show_state, show_ipsec, show_session, route_failure, sa_cleared or
/// ping_failed) from a row. The event's views
/// point into `row`.
void to_event(const show_row& row, std::string_view fallback_device, event& e) noexcept;

}  // namespace ikewatch::parsers

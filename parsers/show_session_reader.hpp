#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ikewatch::parsers {

/// One tunnel as a session listing shows it.
struct session_snapshot {
    enum class listing : std::uint8_t { crypto_session, dmvpn, sessiondb };
    listing from = listing::crypto_session;
    std::string peer;
    std::string local;   ///< the device's own endpoint, when printed
    std::string status;  ///< `UP-ACTIVE`, `UP-IDLE`, `DOWN`, `DOWN-NEGOTIATING`, …; DMVPN
                         ///< `UP`, `NHRP`, `IKE`, `IPSEC`; `UP` for a listed sessiondb entry
    std::uint8_t ike_version = 0;
    int ike_active = -1;  ///< crypto session: the IKE SA is Active (1) or Inactive (0)
    int active_sas = -1;  ///< crypto session: IPsec SAs of the flows, summed
    bool bytes = false;   ///< sessiondb: byte counters were printed
    std::uint64_t bytes_tx = 0;
    std::uint64_t bytes_rx = 0;
    std::string evidence;  ///< the lines read for this tunnel, joined by `; `
};

/// Reads session listings, one trimmed line at a time:
///
/// - IOS `show crypto session [detail]`:
///       Interface: Tunnel0
///       Session status: UP-ACTIVE
///       Peer: 203.0.113.2 port 500
///         IKEv1 SA: local 198.51.100.2/500 remote 203.0.113.2/500 Active
///         IPSEC FLOW: permit 47 host 198.51.100.2 host 203.0.113.2
///               Active SAs: 2, origin: crypto map
/// - IOS `show dmvpn` rows: `1 203.0.113.2  172.16.0.1  NHRP 00:01:10  S` (# Ent, NBMA peer,
///   tunnel address, state, up/down time, attributes);
/// - ASA `show vpn-sessiondb [detail] l2l`:
///       Connection   : 203.0.113.5
///       Index        : 1                      IP Addr      : 203.0.113.5
///       Protocol     : IKEv1 IPsec
///       Bytes Tx     : 1234                   Bytes Rx     : 0
class show_session_reader {
  public:
    /// Returns true when the line belongs to a session listing (and was read).
    bool feed(std::string_view line);
    /// The listing is complete: every tunnel read since the last call.
    [[nodiscard]] std::vector<session_snapshot> take();
    [[nodiscard]] bool empty() const noexcept { return done_.empty() && !open_; }

  private:
    void close();
    void note(std::string_view line);
    bool crypto_session_line(std::string_view line);
    bool sessiondb_line(std::string_view line);
    bool dmvpn_row(std::string_view line);

    std::vector<session_snapshot> done_;
    session_snapshot current_;
    bool open_ = false;   // current_ is being filled
    bool dmvpn_ = false;  // inside a `show dmvpn` peer table
};

}  // namespace ikewatch::parsers

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ikewatch::parsers {

/// Phase-2 facts about one peer from `show crypto ipsec sa`, summed over the peer's blocks
/// (one block per pair of protected networks).
struct ipsec_snapshot {
    enum class sa_state : std::uint8_t {
        unknown,  ///< no SPI line in what was pasted (an excerpt)
        none,     ///< `current outbound spi: 0x0(0)`: no IPsec SA
        present,  ///< a non-zero SPI, or ESP SAs listed
    };
    std::string peer;
    std::string local;      ///< the device's own endpoint, when printed
    bool counters = false;  ///< `#pkts` lines were seen
    std::uint64_t encaps = 0;
    std::uint64_t decaps = 0;
    std::uint64_t send_errors = 0;
    std::uint64_t recv_errors = 0;
    sa_state sa = sa_state::unknown;
    bool nat_t = false;    ///< peer port 4500 or UDP-encapsulated settings
    std::string evidence;  ///< the lines that show these facts, joined by `; `
};

/// Reads `show crypto ipsec sa` output (IOS, IOS-XE, ASA, PIX `show ipsec sa`), whole or as
/// `| include` excerpts, one trimmed line at a time:
///
///     interface: outside
///         Crypto map tag: outside_map, seq num: 10, local addr: 198.51.100.1
///           current_peer: 203.0.113.5            (IOS: `current_peer 203.0.113.5 port 500`)
///           #pkts encaps: 26, #pkts encrypt: 26, #pkts digest: 26
///           #pkts decaps: 0, #pkts decrypt: 0, #pkts verify: 0
///           #send errors: 0, #recv errors: 0     (IOS: `#send errors 0, #recv errors 0`)
///           local crypto endpt.: 198.51.100.1, remote crypto endpt.: 203.0.113.5
///           current outbound spi: 0x0(0)         (ASA: `current outbound spi: D0E9F6C9`)
///           inbound esp sas: / spi: 0x2B4A1133(…)
class show_ipsec_reader {
  public:
    /// Returns true when the line belongs to this output (and was read).
    bool feed(std::string_view line);
    /// The output is complete: the snapshot of each peer, in the order they first appeared.
    /// Facts read before any peer was named come under an empty peer.
    [[nodiscard]] std::vector<ipsec_snapshot> take();
    [[nodiscard]] bool empty() const noexcept { return peers_.empty() && local_.empty(); }

  private:
    ipsec_snapshot& peer(std::string_view address);
    ipsec_snapshot* current();
    void note(std::string_view line);

    std::vector<ipsec_snapshot> peers_;
    std::size_t current_ = 0;  // index + 1 into peers_, 0 when no peer named yet
    std::string local_;        // local address of the block being read
    bool in_esp_sas_ = false;  // after `inbound esp sas:` / `outbound esp sas:`
};

}  // namespace ikewatch::parsers

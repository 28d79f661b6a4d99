#pragma once

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "parsers/event.hpp"

namespace ikewatch::parsers {

/// One security association listed by a `show` command.
struct show_row {
    std::string device;  ///< prompt host name (`Hub-RTR#`), empty when no prompt was seen
    std::string peer;
    std::string state;  ///< as printed (`MM_ACTIVE`, `QM_IDLE`, `AM_Active`, `READY`)
    ike_role role = ike_role::unknown;
    std::uint8_t ike_version = 1;
};

/// Reads the output of `show crypto isakmp sa` and its relatives, line by line, in every layout
/// the corpus shows: the ASA block form (`1 IKE Peer: …` / `Type : L2L Role : initiator` /
/// `Rekey : no State : MM_ACTIVE`, also collapsed onto one line), the ASA `ikev1 sa detail`
/// table, the ASA `ikev2 sa` table, the IOS/PIX table (`dst src state conn-id status`), the
/// IOS `detail` table, and tables collapsed onto the prompt line.
///
/// IOS tables do not say which address is the device's own: the address common to all rows of
/// a table is taken as local (and remembered per device); with one row, `src` (the initiator) is
/// taken as local and `dst` as the peer.
class show_sa_parser {
  public:
    /// Feeds one physical line; returns the rows it completed (valid until the next call).
    std::span<const show_row> feed(std::string_view line);
    /// Flushes a pending IOS table at the end of the input.
    std::span<const show_row> finish();

  private:
    enum class table : std::uint8_t { none, ios, ios_detail, ntc, ikev2 };
    struct ios_row {
        std::string dst;
        std::string src;
        std::string state;
    };

    void flush_ios();
    void asa_fields(std::string_view line);
    bool ios_table_row(const std::vector<std::string_view>& tokens, std::size_t at);

    std::vector<show_row> out_;
    std::string device_;
    table table_ = table::none;
    std::vector<ios_row> pending_;
    std::unordered_map<std::string, std::string> local_address_;  // device -> own address
    // ASA block being read
    std::string asa_peer_;
    ike_role asa_role_ = ike_role::unknown;
};

/// Fills an event (kind show_state) from a row. The event's views point into `row`.
void to_event(const show_row& row, std::string_view fallback_device, event& e) noexcept;

}  // namespace ikewatch::parsers

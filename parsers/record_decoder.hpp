#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "common/result.hpp"
#include "parsers/cisco_message.hpp"
#include "parsers/event.hpp"
#include "parsers/event_time.hpp"
#include "parsers/parse_error.hpp"
#include "parsers/syslog_framer.hpp"
#include "parsers/syslog_record.hpp"

namespace ikewatch::parsers {

/// Counters of the parsing front end, per family (index = `family`).
struct decode_stats {
    static constexpr std::size_t families = 5;
    std::array<std::uint64_t, families> framed{};   ///< records framed
    std::array<std::uint64_t, families> with_id{};  ///< … that carried a message id/mnemonic
    std::array<std::uint64_t, families> decoded{};  ///< … that decoded to an event kind
    std::array<std::uint64_t, static_cast<std::size_t>(parse_error::count_)> errors{};
    std::uint64_t records = 0;

    void merge(const decode_stats& other) noexcept;
};

/// The result of decoding one record.
struct decoded {
    bool ok = false;
    parse_error error = parse_error::empty;  ///< when !ok
    syslog_record record;
    event ev;
    bool has_timestamp = false;  ///< the line carried a calendar timestamp
};

/// The device a framed record is about: its header's host name, else the sender a relay names,
/// else `fallback` (the sender's address, or the file name); cut to a bounded length.
[[nodiscard]] std::string_view device_name(const syslog_record& r,
                                           std::string_view fallback) noexcept;

/// Frames, decodes and time-stamps records: the front end shared by replay and the daemon.
/// Views in the result point into the record text and into `fallback_device`.
class record_decoder {
  public:
    explicit record_decoder(time_options options = {}) : time_(std::move(options)) {}

    /// `fallback_device` names the device when the header has no host (sender address or file
    /// name); `received` is the arrival time (or the replay reference time).
    /// With `count` false the record is not counted in `stats()` (a record decoded again).
    void decode(std::string_view record, std::string_view fallback_device, micros received,
                decoded& out, bool count = true);
    /// The same for a record already framed (`framed` is frame_syslog(record), its views into
    /// `record`): the sharded pipeline frames once, to route, and hands the result on.
    void decode_framed(std::string_view record, const result<syslog_record, parse_error>& framed,
                       std::string_view fallback_device, micros received, decoded& out,
                       bool count = true);

    /// frame_syslog(record), by this decoder's framer (see syslog_framer).
    [[nodiscard]] result<syslog_record, parse_error> frame(std::string_view record) noexcept {
        return framer_(record);
    }

    [[nodiscard]] const decode_stats& stats() const noexcept { return stats_; }
    [[nodiscard]] event_time& clock() noexcept { return time_; }
    [[nodiscard]] const event_time& clock() const noexcept { return time_; }

  private:
    syslog_framer framer_;
    event_time time_;
    decode_stats stats_;
};

}  // namespace ikewatch::parsers

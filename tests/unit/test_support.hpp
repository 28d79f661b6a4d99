#pragma once

#include <string>
#include <string_view>

#include "parsers/record_decoder.hpp"
#include "parsers/syslog_framer.hpp"

namespace ikewatch::test {

/// Decodes one record the way replay does, with 2026 assumed for yearless timestamps.
/// The returned event's views point into `line`, which must outlive it.
inline parsers::decoded decode(std::string_view line, std::string_view device = "test.log") {
    parsers::time_options opt;
    opt.assume_year = 2026;
    parsers::record_decoder decoder(opt);
    parsers::decoded d;
    decoder.decode(line, device, 0, d);
    return d;
}

inline std::string value_of(const parsers::event& e, parsers::field f) {
    auto v = e.get(f);
    return v ? std::string(*v) : std::string("<unset>");
}

/// Two framings of a record agree field by field; returns a description of the first
/// difference, or an empty string.
inline std::string framing_difference(
    const result<parsers::syslog_record, parsers::parse_error>& a,
    const result<parsers::syslog_record, parsers::parse_error>& b) {
    if (a.ok() != b.ok()) {
        return "one framing failed";
    }
    if (!a.ok()) {
        return a.error() == b.error() ? "" : "different errors";
    }
    const parsers::syslog_record& x = a.value();
    const parsers::syslog_record& y = b.value();
    const parsers::header_time& s = x.time;
    const parsers::header_time& t = y.time;
    if (x.form != y.form)
        return "form";
    if (x.pri != y.pri)
        return "pri";
    if (x.host != y.host)
        return "host: " + std::string(x.host) + " vs " + std::string(y.host);
    if (x.sender != y.sender || x.tag != y.tag || x.relay_severity != y.relay_severity) {
        return "sender, tag or relay severity";
    }
    if (x.body != y.body)
        return "body";
    if (s.present != t.present || s.has_year != t.has_year || s.year != t.year ||
        s.month != t.month || s.day != t.day || s.hour != t.hour || s.minute != t.minute ||
        s.second != t.second || s.microsecond != t.microsecond || s.has_offset != t.has_offset ||
        s.offset_seconds != t.offset_seconds || s.zone != t.zone || s.unsynced != t.unsynced ||
        s.uptime_only != t.uptime_only) {
        return "time";
    }
    return "";
}

/// Both framings of a record agree (the fast path must change nothing).
inline std::string framing_difference(std::string_view record) {
    return framing_difference(parsers::frame_syslog(record), parsers::frame_syslog_general(record));
}

/// A framer that has framed other records before frames `record` as the general reading does
/// (what it remembers of them must change nothing).
inline std::string framing_difference(parsers::syslog_framer& framer, std::string_view record) {
    return framing_difference(framer(record), parsers::frame_syslog_general(record));
}

/// Path of the repository's copy of the shared corpus.
inline std::string corpus_dir() {
    return IKEWATCH_SOURCE_DIR "/tests/corpus";
}

/// A rule list item for tests (its code `test-code` must be declared): QUIET, raised when a peer
/// is lost, resolved after five quiet minutes; `extra` adds keys, each line indented by four.
inline std::string quiet_rule_item(std::string_view extra = {}) {
    return std::string(R"(  - id: QUIET
    name: q
    code: test-code
    severity: low
    match: {event: peer_dead}
    resolve: {after: 5m}
)") + std::string(extra) +
           R"(    title: "t"
    cause: "c"
    checks: []
)";
}

/// Device `fw` logs at `hms` (HH:MM:SS, 2026-06-01) that it lost 203.0.113.5 (713123, DPD).
inline std::string peer_lost_line(std::string_view hms) {
    return "<163>Jun 01 2026 " + std::string(hms) +
           " fw : %ASA-3-713123: IP = 203.0.113.5, IKE lost contact with remote peer, deleting "
           "connection (keepalive type: DPD)";
}

}  // namespace ikewatch::test

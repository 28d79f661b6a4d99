#include "parsers/record_decoder.hpp"

#include "common/text.hpp"
#include "parsers/message_registry.hpp"
#include "parsers/syslog_framer.hpp"

namespace ikewatch::parsers {

void decode_stats::merge(const decode_stats& other) noexcept {
    for (std::size_t i = 0; i < families; ++i) {
        framed[i] += other.framed[i];
        with_id[i] += other.with_id[i];
        decoded[i] += other.decoded[i];
    }
    for (std::size_t i = 0; i < errors.size(); ++i) {
        errors[i] += other.errors[i];
    }
    records += other.records;
}

std::string_view device_name(const syslog_record& r, std::string_view fallback) noexcept {
    return text::utf8_prefix(!r.host.empty()     ? r.host
                             : !r.sender.empty() ? r.sender
                                                 : fallback,
                             max_device_bytes);
}

void record_decoder::decode(std::string_view record, std::string_view fallback_device,
                            micros received, decoded& out, bool count) {
    decode_framed(record, framer_(record), fallback_device, received, out, count);
}

void record_decoder::decode_framed(std::string_view record,
                                   const result<syslog_record, parse_error>& framed,
                                   std::string_view fallback_device, micros received, decoded& out,
                                   bool count) {
    if (!count) {
        // Rare (a record decoded again): restoring the counters keeps the common path plain.
        const decode_stats saved = stats_;
        decode_framed(record, framed, fallback_device, received, out, true);
        stats_ = saved;
        return;
    }
    decode_stats& stats = stats_;
    ++stats.records;
    out.ev.clear();
    if (!framed) {
        out.ok = false;
        out.error = framed.error();
        ++stats.errors[static_cast<std::size_t>(out.error)];
        return;
    }
    out.ok = true;
    out.record = framed.value();
    const cisco_message msg = decode_cisco(out.record.body);
    event& e = out.ev;
    decode_event(out.record, msg, e);
    e.raw = record;
    e.device = device_name(out.record, fallback_device);
    out.has_timestamp =
        out.record.time.present && !out.record.time.uptime_only && out.record.time.month != 0;
    e.basis = out.has_timestamp ? time_basis::stamped
              : has_uptime_clock(out.record.time) && !time_.has_calendar(e.device)
                  ? time_basis::uptime
              : time_.has_clock(e.device) ? time_basis::inherited
                                          : time_basis::arrival;
    e.time = time_.resolve(e.device, out.record.time, received);
    const auto fam = static_cast<std::size_t>(e.fam);
    ++stats.framed[fam];
    if (!msg.msg_id.empty()) {
        ++stats.with_id[fam];
    }
    if (e.kind != event_kind::other) {
        ++stats.decoded[fam];
    }
}

}  // namespace ikewatch::parsers

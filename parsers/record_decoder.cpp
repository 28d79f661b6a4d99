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
                            micros received, decoded& out) {
    decode_framed(record, frame_syslog(record), fallback_device, received, out);
}

void record_decoder::decode_framed(std::string_view record,
                                   const result<syslog_record, parse_error>& framed,
                                   std::string_view fallback_device, micros received,
                                   decoded& out) {
    ++stats_.records;
    out.ev.clear();
    if (!framed) {
        out.ok = false;
        out.error = framed.error();
        ++stats_.errors[static_cast<std::size_t>(out.error)];
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
    e.time = time_.resolve(e.device, out.record.time, received);
    const auto fam = static_cast<std::size_t>(e.fam);
    ++stats_.framed[fam];
    if (!msg.msg_id.empty()) {
        ++stats_.with_id[fam];
    }
    if (e.kind != event_kind::other) {
        ++stats_.decoded[fam];
    }
}

}  // namespace ikewatch::parsers

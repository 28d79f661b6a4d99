#include "pipeline/pipeline.hpp"

#include <algorithm>

#include "parsers/syslog_framer.hpp"

namespace ikewatch::pipeline {

pipeline::pipeline(pipeline_options options)
    : decoder_(std::move(options.time)),
      tracker_(options.table),
      replay_(options.replay),
      max_waiting_bytes_(options.max_waiting_bytes) {
    if (options.rules != nullptr && options.sink != nullptr) {
        engine_ = std::make_unique<rules::engine>(std::move(options.rules), *options.sink,
                                                  options.engine);
    }
}

void pipeline::set_rules(std::shared_ptr<const rules::rule_set> rules) {
    if (engine_ != nullptr) {
        engine_->set_rules(std::move(rules), tracker_.table());
    }
}

void pipeline::on_event(const parsers::event& e) {
    // Out-of-order lines never move a device's clock backwards; its timers due before this
    // event fire first, so they see the state it found.
    const device_clocks::reading clock = clocks_.observe(e.device, e.time, received_);
    if (clock.moved && engine_ != nullptr) {
        engine_->advance(e.device, clock.now, tracker_.table());
    }
    const ike::transition t = tracker_.apply(e);
    if (t.changed && transition_hook_) {
        transition_hook_(e, t);
    }
    if (engine_ != nullptr) {
        engine_->on_event(e, t, tracker_.table(), clock.now);
    }
}

void pipeline::stamp_show(parsers::event& e) {
    // `show` output carries no time: it describes the moment it was taken, the device's latest
    // log time (or the latest of any device, or the reference time when it comes alone).
    if (const micros t = clocks_.now(e.device, received_);
        t != 0 && decoder_.clock().has_clock(e.device)) {
        e.time = t;
        e.basis = parsers::time_basis::inherited;
        return;
    }
    e.time = clocks_.latest() != 0 ? clocks_.latest() : received_;
    e.basis = replay_ ? parsers::time_basis::reference : parsers::time_basis::arrival;
}

void pipeline::feed_show(std::string_view record, std::string_view source) {
    std::string_view rest = record;
    while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        const std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        for (const parsers::show_row& row : show_.feed(line)) {
            parsers::to_event(row, source, show_event_);
            stamp_show(show_event_);
            show_event_.raw = line;
            ++show_rows_;
            on_event(show_event_);
        }
    }
}

void pipeline::process(std::string_view record, std::string_view source, micros received) {
    process_framed(record, parsers::frame_syslog(record), source, received);
}

void pipeline::process_framed(std::string_view record,
                              const result<parsers::syslog_record, parsers::parse_error>& framed,
                              std::string_view source, micros received) {
    received_ = received;
    decoder_.decode_framed(record, framed, source, received, decoded_);
    if (!decoded_.ok) {
        return;
    }
    // Text that is no Cisco message may be `show crypto isakmp sa` output pasted by a user.
    if (decoded_.ev.fam == parsers::family::none && decoded_.ev.msg_id.empty()) {
        feed_show(record, source);
        return;
    }
    parsers::event& e = decoded_.ev;
    if (replay_) {
        if (e.basis == parsers::time_basis::arrival) {
            wait_for_time(e.device, record, source);
            return;
        }
        if (e.basis == parsers::time_basis::stamped && !waiting_.empty()) {
            release_waiting(e.device);
        }
    }
    on_event(e);
}

void pipeline::wait_for_time(std::string_view device, std::string_view record,
                             std::string_view fallback_device) {
    if (waiting_bytes_ + record.size() > max_waiting_bytes_) {
        release_all_waiting();
    }
    waiting_.try_emplace(device).first->push_back(
        {std::string(record), std::string(fallback_device)});
    waiting_bytes_ += record.size();
}

void pipeline::release_waiting(std::string_view device) {
    std::vector<waiting_record>* lines = waiting_.find(device);
    if (lines == nullptr) {
        return;
    }
    // Decoded again now that the device has a clock: each takes the time of the timed line
    // that ends the wait (the nearest one), so no time passes between them.
    const std::vector<waiting_record> taken = std::move(*lines);
    waiting_.erase(device);
    for (const waiting_record& w : taken) {
        waiting_bytes_ -= w.text.size();
        decoder_.decode(w.text, w.fallback_device, received_, redecoded_, /*count=*/false);
        if (redecoded_.ok) {
            on_event(redecoded_.ev);
        }
    }
}

void pipeline::release_all_waiting() {
    // No timed line came: the lines run on the reference time, marked as carrying none.
    std::vector<std::pair<std::string, std::vector<waiting_record>>> all;
    waiting_.for_each([&](const std::string& device, std::vector<waiting_record>& lines) {
        all.emplace_back(device, std::move(lines));
    });
    waiting_.clear();
    waiting_bytes_ = 0;
    for (const auto& [device, lines] : all) {
        for (const waiting_record& w : lines) {
            decoder_.decode(w.text, w.fallback_device, received_, redecoded_, /*count=*/false);
            if (redecoded_.ok) {
                if (redecoded_.ev.basis == parsers::time_basis::arrival) {
                    redecoded_.ev.basis = parsers::time_basis::reference;
                }
                on_event(redecoded_.ev);
            }
        }
    }
}

void pipeline::tick(micros wall_now) {
    received_ = std::max(received_, wall_now);
    if (engine_ != nullptr) {
        engine_->advance_all([&](std::string_view device) { return clocks_.now(device, wall_now); },
                             tracker_.table());
    }
}

std::size_t pipeline::expire(micros wall_now) {
    return tracker_.expire([&](std::string_view device) { return clocks_.now(device, wall_now); });
}

micros pipeline::device_now(std::string_view device) const {
    return clocks_.now(device, received_);
}

void pipeline::finish(std::string_view source) {
    release_all_waiting();
    for (const parsers::show_row& row : show_.finish()) {
        parsers::to_event(row, source, show_event_);
        stamp_show(show_event_);
        ++show_rows_;
        on_event(show_event_);
    }
}

void pipeline::drain() {
    if (engine_ != nullptr) {
        engine_->drain(tracker_.table(),
                       [&](std::string_view device) { return clocks_.now(device, received_); });
    }
}

}  // namespace ikewatch::pipeline

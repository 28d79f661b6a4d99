#include "pipeline/pipeline.hpp"

#include <algorithm>

#include "parsers/syslog_framer.hpp"

namespace ikewatch::pipeline {

pipeline::pipeline(pipeline_options options)
    : decoder_(std::move(options.time)),
      tracker_(options.table),
      replay_(options.replay),
      max_waiting_bytes_(options.max_waiting_bytes),
      track_changes_(options.track_changes) {
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

void pipeline::on_event(parsers::event& e) {
    if (track_changes_) {
        changed_.try_emplace(e.device);
    }
    // Out-of-order lines never move a device's clock backwards; its timers due before this
    // event fire first, so they see the state it found.
    const device_clocks::reading clock = clocks_.observe(e.device, e.time, received_);
    if (clock.moved && engine_ != nullptr) {
        engine_->advance(e.device, clock.now, tracker_.table());
    }
    const ike::transition t = tracker_.apply(e);
    // A line the tracker tied to its peer by a connection or SA id is about that peer from here
    // on: in rule conditions (`peer: {exists: false}`) as in keys and transitions.
    if (e.peer.empty() && t.peer != nullptr) {
        e.set_peer(t.peer->peer.view());
    }
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
    if (decoder_.clock().has_clock(e.device)) {
        // The device's clock, or the time of its line being read when it has none yet.
        const micros t = clocks_.now(e.device, received_);
        e.time = t != 0 ? t : decoder_.clock().last(e.device);
        e.basis = parsers::time_basis::inherited;
        return;
    }
    e.time = clocks_.latest() != 0 ? clocks_.latest() : received_;
    e.basis = replay_ ? parsers::time_basis::reference : parsers::time_basis::arrival;
}

void pipeline::show_row_event(const parsers::show_row& row, std::string_view source,
                              std::string_view line) {
    parsers::to_event(row, source, show_event_);
    show_event_.raw = row.evidence.empty() ? line : std::string_view(row.evidence);
    ++show_rows_;
    // Output pasted among untimed log lines keeps its place among them.
    if (replay_ && !decoder_.clock().has_clock(show_event_.device)) {
        waiting_record w;
        w.fallback_device = std::string(source);
        w.row = std::make_unique<parsers::show_row>(row);
        w.tag = tag_;
        if (w.row->evidence.empty()) {
            w.row->evidence = std::string(line);
        }
        waiting_bytes_ += w.row->evidence.size() + sizeof(parsers::show_row);
        waiting_.try_emplace(show_event_.device).first->push_back(std::move(w));
        return;
    }
    stamp_show(show_event_);
    on_event(show_event_);
}

void pipeline::show_rows(std::span<const parsers::show_row> rows, std::string_view source,
                         std::string_view line) {
    for (const parsers::show_row& row : rows) {
        show_row_event(row, source, line);
    }
}

void pipeline::feed_show(std::string_view record, std::string_view source) {
    show_open_ = true;
    std::string_view rest = record;
    while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        const std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        show_rows(show_.feed(line), source, line);
    }
}

void pipeline::process(std::string_view record, std::string_view source, micros received,
                       std::uint64_t tag) {
    process_framed(record, decoder_.frame(record), source, received, tag);
}

void pipeline::process_framed(std::string_view record,
                              const result<parsers::syslog_record, parsers::parse_error>& framed,
                              std::string_view source, micros received, std::uint64_t tag) {
    received_ = received;
    tag_ = tag;
    // Lines pasted from a console after a prompt (`R1#debug crypto isakmp`) come from the
    // prompt's device when their header names none.
    const std::string_view console = show_.console_device();
    const std::string_view fallback = console.empty() ? source : console;
    decoder_.decode_framed(record, framed, fallback, received, decoded_);
    if (!decoded_.ok) {
        return;
    }
    // Text that is no Cisco message may be `show` output or a prompt pasted by a user.
    if (decoded_.ev.fam == parsers::family::none && decoded_.ev.msg_id.empty()) {
        feed_show(record, source);
        return;
    }
    if (show_open_) {
        show_open_ = false;
        show_rows(show_.end_output(), source, {});
    }
    parsers::event& e = decoded_.ev;
    if (show_rows_ != 0 && !e.peer.empty()) {
        // A log line naming the device's own address tells pasted tables which side is local.
        if (const auto local = e.get(parsers::field::local_ip)) {
            show_rows(show_.endpoint_hint(e.device, *local, e.peer.view()), source, {});
        }
    }
    if (replay_) {
        if (e.basis == parsers::time_basis::arrival) {
            wait_for_time(e.device, record, fallback);
            return;
        }
        if (e.basis == parsers::time_basis::stamped && !waiting_.empty()) {
            release_waiting(e.device, e.time);
        }
    }
    on_event(e);
}

void pipeline::wait_for_time(std::string_view device, std::string_view record,
                             std::string_view fallback_device) {
    if (waiting_bytes_ + record.size() > max_waiting_bytes_) {
        release_all_waiting();
    }
    waiting_record w;
    w.text = std::string(record);
    w.fallback_device = std::string(fallback_device);
    w.tag = tag_;
    waiting_.try_emplace(device).first->push_back(std::move(w));
    waiting_bytes_ += record.size();
}

void pipeline::release(waiting_record& w, micros at, parsers::time_basis basis) {
    const std::uint64_t current = tag_;
    tag_ = w.tag;
    release_one(w, at, basis);
    tag_ = current;
}

void pipeline::release_one(waiting_record& w, micros at, parsers::time_basis basis) {
    if (w.row != nullptr) {
        waiting_bytes_ -= w.row->evidence.size() + sizeof(parsers::show_row);
        parsers::to_event(*w.row, w.fallback_device, show_event_);
        show_event_.raw = w.row->evidence;
        show_event_.time = at;
        show_event_.basis = basis;
        on_event(show_event_);
        return;
    }
    waiting_bytes_ -= w.text.size();
    decoder_.decode(w.text, w.fallback_device, received_, redecoded_, /*count=*/false);
    if (redecoded_.ok) {
        if (redecoded_.ev.basis == parsers::time_basis::arrival) {
            redecoded_.ev.basis = basis;
        }
        on_event(redecoded_.ev);
    }
}

void pipeline::release_waiting(std::string_view device, micros at) {
    std::vector<waiting_record>* lines = waiting_.find(device);
    if (lines == nullptr) {
        return;
    }
    // Decoded again now that the device has a clock: each takes the time of the timed line
    // that ends the wait (the nearest one), so no time passes between them.
    std::vector<waiting_record> taken = std::move(*lines);
    waiting_.erase(device);
    for (waiting_record& w : taken) {
        release(w, at, parsers::time_basis::inherited);
    }
}

void pipeline::release_all_waiting() {
    // No timed line came: the lines run on the reference time, marked as carrying none.
    std::vector<std::vector<waiting_record>> all;
    waiting_.for_each([&](const std::string&, std::vector<waiting_record>& lines) {
        all.push_back(std::move(lines));
    });
    waiting_.clear();
    for (std::vector<waiting_record>& lines : all) {
        for (waiting_record& w : lines) {
            release(w, received_, parsers::time_basis::reference);
        }
    }
    waiting_bytes_ = 0;
}

void pipeline::tick(micros wall_now) {
    received_ = std::max(received_, wall_now);
    if (engine_ != nullptr) {
        engine_->advance_all([&](std::string_view device) { return clocks_.now(device, wall_now); },
                             tracker_.table(),
                             [&](std::string_view device) {
                                 if (track_changes_) {
                                     changed_.try_emplace(device);
                                 }
                             });
    }
}

std::size_t pipeline::expire(micros wall_now) {
    return tracker_.expire([&](std::string_view device) { return clocks_.now(device, wall_now); });
}

micros pipeline::device_now(std::string_view device) const {
    return clocks_.now(device, received_);
}

void pipeline::finish(std::string_view source) {
    show_open_ = false;
    show_rows(show_.finish(), source, {});
    release_all_waiting();
}

void pipeline::drain() {
    if (engine_ != nullptr) {
        engine_->drain(tracker_.table(),
                       [&](std::string_view device) { return clocks_.now(device, received_); });
    }
}

}  // namespace ikewatch::pipeline

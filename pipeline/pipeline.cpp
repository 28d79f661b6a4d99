#include "pipeline/pipeline.hpp"

namespace ikewatch::pipeline {

pipeline::pipeline(pipeline_options options)
    : decoder_(std::move(options.time)), tracker_(options.table) {
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
    // Out-of-order lines never move the clock backwards; timers due before this event fire
    // first, so they see the state it found.
    if (e.time > clock_) {
        clock_ = e.time;
        if (engine_ != nullptr) {
            engine_->advance(clock_, tracker_.table());
        }
    }
    const ike::transition t = tracker_.apply(e);
    if (t.changed && transition_hook_) {
        transition_hook_(e, t);
    }
    if (engine_ != nullptr) {
        engine_->on_event(e, t, tracker_.table(), clock_);
    }
}

void pipeline::feed_show(std::string_view record, std::string_view source, micros received) {
    std::string_view rest = record;
    while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        const std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        for (const parsers::show_row& row : show_.feed(line)) {
            parsers::to_event(row, source, show_event_);
            // `show` output carries no time: it describes the moment it was taken, the latest
            // log time seen (or the reference time when it comes alone).
            show_event_.time = clock_ != 0 ? clock_ : received;
            show_event_.raw = line;
            ++show_rows_;
            on_event(show_event_);
        }
    }
}

void pipeline::process(std::string_view record, std::string_view source, micros received) {
    received_ = received;
    last_wall_ = received;
    decoder_.decode(record, source, received, decoded_);
    if (!decoded_.ok) {
        return;
    }
    // Text that is no Cisco message may be `show crypto isakmp sa` output pasted by a user.
    if (decoded_.ev.fam == parsers::family::none && decoded_.ev.msg_id.empty()) {
        feed_show(record, source, received);
        return;
    }
    on_event(decoded_.ev);
}

void pipeline::tick(micros wall_now) {
    if (last_wall_ == 0 || wall_now <= last_wall_) {
        return;
    }
    // Move the engine clock as far past the last event as the wall clock moved past its
    // arrival, keeping the device's own time base.
    const micros target = clock_ + (wall_now - last_wall_);
    last_wall_ = wall_now;
    clock_ = target;
    if (engine_ != nullptr) {
        engine_->advance(clock_, tracker_.table());
    }
}

void pipeline::finish(std::string_view source) {
    for (const parsers::show_row& row : show_.finish()) {
        parsers::to_event(row, source, show_event_);
        show_event_.time = clock_ != 0 ? clock_ : received_;
        ++show_rows_;
        on_event(show_event_);
    }
}

void pipeline::drain() {
    if (engine_ != nullptr) {
        const micros latest = engine_->drain(tracker_.table());
        if (latest > clock_) {
            clock_ = latest;
        }
    }
}

}  // namespace ikewatch::pipeline

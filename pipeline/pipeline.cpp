#include "pipeline/pipeline.hpp"

namespace ikewatch::pipeline {

pipeline::pipeline(pipeline_options options)
    : decoder_(std::move(options.time)), tracker_(options.table) {}

void pipeline::on_event(const parsers::event& e) {
    if (e.time > clock_) {
        clock_ = e.time;
    }
    const ike::transition t = tracker_.apply(e);
    if (t.changed && transition_hook_) {
        transition_hook_(e, t);
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

void pipeline::finish(std::string_view source) {
    for (const parsers::show_row& row : show_.finish()) {
        parsers::to_event(row, source, show_event_);
        show_event_.time = clock_ != 0 ? clock_ : received_;
        ++show_rows_;
        on_event(show_event_);
    }
}

}  // namespace ikewatch::pipeline

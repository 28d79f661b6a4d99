#include "rules/match_compiler.hpp"

#include <set>

#include "common/text.hpp"

namespace ikewatch::rules {

namespace {

// The keys of `match` and of `with`.
const std::set<std::string> match_keys{"event", "msg_id", "where",  "peer", "state",
                                       "for",   "count",  "within", "key",  "not_followed_by",
                                       "with"};
const std::set<std::string> with_keys{"event", "where", "within"};

}  // namespace

// The trigger (event or time in state) and its conditions, then the threshold or absence
// window, the key and the `with` correlation.
void match_compiler::compile(const std::string& file, const YAML::Node& m, rule& r) {
    check_.check_keys(file, m, match_keys, "match");
    const bool has_event = static_cast<bool>(m["event"]);
    const bool has_state = static_cast<bool>(m["state"]);
    if (has_event == has_state) {
        check_.error(file, m, load_error::bad_match,
                     "match on either 'event' or 'state' (time in state)");
    }
    if (has_event) {
        (void)conditions_.kinds(file, m["event"], r.events);
    }
    if (const auto v = m["msg_id"]; v && has_state) {
        check_.error(file, v, load_error::bad_match,
                     "'msg_id' applies to events, not to a time in state");
    } else if (v) {
        event_predicate p;
        p.subject = event_subject::msg_id;
        p.values = conditions_.values(file, v);
        p.comparison = op::in;
        p.prepare();
        r.where.push_back(std::move(p));
    }
    if (const auto v = m["where"]) {
        if (has_state) {
            check_.error(file, v, load_error::bad_match,
                         "'where' applies to events; use 'peer' with 'state'");
        }
        conditions_.event_where(file, v, r.where);
    }
    if (const auto v = m["peer"]) {
        conditions_.peer_where(file, v, r.peer);
    }
    if (has_state) {
        compile_state_trigger(file, m, r);
    } else if (m["for"]) {
        check_.error(file, m["for"], load_error::bad_match, "'for' goes with 'state'");
    }
    compile_window(file, m, has_event, r);
    compile_key(file, m, has_state, r);
    if (const auto w = m["with"]) {
        compile_with(file, w, r);
    }
}

// `state` and `for`: the peer stays in one of the states that long.
void match_compiler::compile_state_trigger(const std::string& file, const YAML::Node& m, rule& r) {
    r.kind = rule::type::state;
    std::vector<peer_predicate> st;
    if (!m["state"].IsScalar() && !m["state"].IsSequence()) {
        check_.error(file, m["state"], load_error::bad_type,
                     "'state' names a state, a list of states or a $list");
    } else {
        conditions_.peer_condition(file, "state", m["state"], st);
    }
    if (!st.empty()) {
        r.states = st.front().states;
    }
    if (const auto v = m["for"]) {
        (void)check_.duration(file, v, r.for_);
    } else {
        check_.error(file, m, load_error::missing_key, "a time-in-state match needs 'for'");
    }
}

// `count` (a threshold) or `not_followed_by` (an absence), each `within` a window.
void match_compiler::compile_window(const std::string& file, const YAML::Node& m, bool has_event,
                                    rule& r) {
    const bool threshold = static_cast<bool>(m["count"]);
    const bool absence = static_cast<bool>(m["not_followed_by"]);
    if (threshold && absence) {
        check_.error(file, m, load_error::bad_match,
                     "a rule is a threshold ('count') or an absence ('not_followed_by'), not both");
    }
    if ((threshold || absence) && !has_event) {
        check_.error(file, m, load_error::bad_match,
                     "'count' and 'not_followed_by' need an 'event' trigger");
    }
    if (threshold) {
        std::string s;
        if (check_.scalar(file, m["count"], s, "count")) {
            const auto c = text::to_number<std::uint32_t>(s);
            if (!c || *c < 1 || *c > 10000) {
                check_.error(file, m["count"], load_error::bad_value,
                             "count is a whole number from 1 to 10000");
            } else {
                r.count = *c;
            }
        }
        r.kind = rule::type::threshold;
    }
    if (absence) {
        (void)conditions_.kinds(file, m["not_followed_by"], r.followups);
        r.kind = rule::type::absence;
    }
    if (threshold || absence) {
        if (const auto v = m["within"]) {
            (void)check_.duration(file, v, r.within);
        } else {
            check_.error(file, m, load_error::missing_key,
                         "'count' and 'not_followed_by' need 'within'");
        }
    } else if (m["within"]) {
        check_.error(file, m["within"], load_error::bad_match,
                     "'within' goes with 'count' or 'not_followed_by'");
    }
}

// `key`: peer (the default), device or an event field.
void match_compiler::compile_key(const std::string& file, const YAML::Node& m, bool has_state,
                                 rule& r) {
    const auto v = m["key"];
    if (v && has_state) {
        check_.error(file, v, load_error::bad_match,
                     "a time-in-state rule is always keyed by peer");
        return;
    }
    std::string s;
    if (!v || !check_.scalar(file, v, s, "key")) {
        return;
    }
    if (s == "peer") {
        r.key = key_kind::peer;
    } else if (s == "device") {
        r.key = key_kind::device;
    } else if (const auto f = parsers::field_from(s)) {
        r.key = key_kind::field;
        r.key_field = *f;
    } else {
        check_.error(file, v, load_error::unknown_field,
                     "key is peer, device or an event field, not '" + s + "'");
    }
}

// `with: {event, where, within}`: another event for the same key near the trigger.
void match_compiler::compile_with(const std::string& file, const YAML::Node& w, rule& r) {
    if (!w.IsMap()) {
        check_.error(file, w, load_error::bad_type, "'with' is a map {event, where, within}");
    } else {
        check_.check_keys(file, w, with_keys, "with");
        r.with.enabled = true;
        if (const auto v = w["event"]) {
            (void)conditions_.kinds(file, v, r.with.events);
        } else {
            check_.error(file, w, load_error::missing_key, "'with' needs 'event'");
        }
        if (const auto v = w["where"]) {
            conditions_.event_where(file, v, r.with.where);
        }
        if (const auto v = w["within"]) {
            (void)check_.duration(file, v, r.with.within);
        } else {
            check_.error(file, w, load_error::missing_key, "'with' needs 'within'");
        }
    }
    if (r.key == key_kind::field) {
        check_.error(file, w, load_error::bad_match,
                     "'with' correlates events of the same peer or device: key must be peer "
                     "or device");
    }
}

}  // namespace ikewatch::rules

#include "rules/engine.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

#include "common/text.hpp"

namespace ikewatch::rules {

namespace {

using parsers::event;

// A key's id, `device \x1f key \x1f p` (or `o` when the key is no peer), written into `id`: sized
// once and filled in place, which is cheaper than appending piece by piece (this runs several
// times a line).
void write_key_id(std::string& id, std::string_view device, std::string_view key, bool peer_key) {
    id.resize(device.size() + key.size() + 3);
    char* out = std::copy(device.begin(), device.end(), id.data());
    *out++ = '\x1f';
    out = std::copy(key.begin(), key.end(), out);
    *out++ = '\x1f';
    *out = peer_key ? 'p' : 'o';
}

// `text` cut to `max` bytes on a character boundary, with `…` when something was cut, appended
// to `out`.
void append_capped(std::string& out, std::string_view text, std::size_t max) {
    const std::string_view kept = ikewatch::text::utf8_prefix(text, max);
    out += kept;
    if (kept.size() != text.size()) {
        out += "\u2026";
    }
}

// The same, in place of what `out` held.
void assign_capped(std::string& out, std::string_view text, std::size_t max) {
    out.clear();
    append_capped(out, text, max);
}

std::string capped(std::string_view text, std::size_t max) {
    std::string out;
    assign_capped(out, text, max);
    return out;
}

// The fields of `e`, kept for placeholders rendered after the event is gone.
// Into the strings `out` already holds: a key correlated again and again allocates nothing.
void keep_fields(const event& e, std::size_t max_bytes,
                 std::vector<std::pair<parsers::field, std::string>>& out) {
    out.resize(e.field_size());
    for (std::size_t i = 0; i < e.field_size(); ++i) {
        out[i].first = e.field_at(i);
        assign_capped(out[i].second, e.value_at(i), max_bytes);
    }
}

void add_evidence(std::vector<evidence_line>& out, micros time, std::string_view text,
                  std::size_t max, std::size_t max_bytes) {
    text = ikewatch::text::trim(text);
    if (text.empty() || out.size() >= max) {
        return;
    }
    std::string line = capped(text, max_bytes);
    const bool dup = std::any_of(out.begin(), out.end(), [&](const evidence_line& l) {
        return l.text == line && l.time == time;
    });
    if (!dup) {
        out.push_back({time, std::move(line)});
    }
}

}  // namespace

engine::engine(std::shared_ptr<const rule_set> rules, alert_sink& sink, engine_options options)
    : rules_(std::move(rules)), sink_(sink), options_(options) {}

void engine::set_rules(std::shared_ptr<const rule_set> rules, const ike::peer_table& peers) {
    rules_ = std::move(rules);
    peers_ = &peers;
    // Per-rule windows refer to rule positions in the old set: start them afresh.
    keys_.for_each([](const std::string&, key_entry& k) { k.states.clear(); });
    timers_.clear();
    timer_total_ = 0;
    // Alerts whose rule is gone resolve now; the others keep counting under the new rule.
    std::vector<std::string> gone;
    micros latest = 0;
    for (const auto& [id, a] : alerts_) {
        latest = std::max(latest, a.data.last_seen);
        if (rules_->find(a.data.rule_id) == nullptr) {
            gone.push_back(id);
        }
    }
    for (const std::string& id : gone) {
        resolve(id, latest);
    }
    keys_.for_each([&](const std::string&, key_entry& k) { link_rules(k); });
    for (const auto& [id, a] : alerts_) {
        const rule* r = rules_->find(a.data.rule_id);
        if (r != nullptr && r->resolve.after > 0) {
            schedule(a.data.device,
                     {.at = a.data.last_seen + r->resolve.after,
                      .rule = static_cast<std::uint32_t>(rules_->find_index(a.data.rule_id)),
                      .kind = timer::what::resolve,
                      .key_id = id});
        }
    }
    peers.for_each([&](const ike::peer_record& p) {
        const std::string_view device = peers.device_name(p.device);
        schedule_state(device, p, 0, std::numeric_limits<micros>::min());
    });
}

std::string_view engine::key_of(std::string_view device, std::string_view key, bool peer_key) {
    // Built in a reused buffer: looking a key up allocates nothing.
    write_key_id(scratch_, device, key, peer_key);
    return scratch_;
}

std::string engine::peer_key_id(std::string_view device, std::string_view peer) {
    std::string id;
    write_key_id(id, device, peer, true);
    return id;
}

engine::key_entry& engine::entry(std::string_view device, std::string_view key, bool peer_key,
                                 const std::string*& key_id) {
    return entry(key_of(device, key, peer_key), device, key, peer_key, key_id);
}

engine::key_entry& engine::entry(std::string_view id, std::string_view device, std::string_view key,
                                 bool peer_key, const std::string*& key_id) {
    if (const auto found = keys_.find_ref(id); found.value != nullptr) {
        key_id = found.name;
        return *found.value;
    }
    if (keys_.size() >= options_.max_keys) {
        // Drop an eighth of the keys that carry no raised alert (their windows restart if they
        // come back): one scan pays for many insertions.
        const std::size_t target = std::max<std::size_t>(1, keys_.size() / 8);
        std::size_t dropped = 0;
        keys_.erase_if([&](const std::string&, const key_entry& k) {
            if (dropped >= target || !k.alerts.empty()) {
                return false;
            }
            ++dropped;
            return true;
        });
        stats_.keys_evicted += dropped;
    }
    const auto added = keys_.emplace(id);
    key_entry& k = *added.value;
    k.device = std::string(device);
    k.key = std::string(key);
    k.peer_key = peer_key;
    key_id = added.name;
    return k;
}

engine::rule_state& engine::state_of(key_entry& k, std::uint32_t rule) {
    for (rule_state& s : k.states) {
        if (s.rule == rule) {
            return s;
        }
    }
    k.states.push_back(rule_state{});
    k.states.back().rule = rule;
    return k.states.back();
}

const ike::peer_record* engine::peer_of(const key_entry& k, const ike::peer_table& peers) const {
    return k.peer_key ? peers.find(k.device, k.key) : nullptr;
}

device_facts engine::facts(std::string_view device, const ike::peer_table& peers,
                           const ike::peer_record* p) {
    const ike::peer_table::device_flags f =
        p != nullptr ? peers.flags_of(p->device) : peers.flags_of(device);
    // A refusal long before the peer's latest line is about another negotiation.
    constexpr micros held_window = 10 * 60 * micros_per_second;
    const bool held = f.held_at != 0 && (p == nullptr || p->last_event - f.held_at <= held_window);
    return device_facts{f.debug, f.isakmp_off, f.cleared, held};
}

bool engine::state_rule_holds(const rule& r, const ike::peer_record* p, const device_facts& d,
                              micros now) const {
    return p != nullptr && !p->reported_unknown &&
           r.states.test(static_cast<std::size_t>(p->state)) && now - p->since >= r.for_ &&
           all_match(r.peer, p, d);
}

std::uint64_t engine::schedule(std::string_view device, timer t) {
    // Timers no longer valid (their peer left the table, their alert resolved) are dropped
    // whenever the count has doubled since the last sweep and peers have left since, so that a
    // flood of short-lived peers cannot pile them up until the hard bound (and a table that loses
    // no peer is never swept). At the bound a sweep may free nothing (every timer still valid):
    // it runs again only after a sixteenth of the bound in timers asked for, so that a full
    // engine does not walk all its timers for each new one.
    ++asked_since_prune_;
    if (peers_ != nullptr) {
        const ike::table_stats& st = peers_->stats();
        const std::uint64_t removed = st.evicted + st.expired;
        const bool full = timer_total_ >= options_.max_timers &&
                          asked_since_prune_ >= std::max<std::size_t>(1, options_.max_timers / 16);
        if (full || (timer_total_ >= prune_at_ && removed != removed_at_prune_)) {
            prune_timers(*peers_);
            prune_at_ = std::max<std::size_t>(4096, timer_total_ * 2);
            removed_at_prune_ = removed;
            asked_since_prune_ = 0;
        }
    }
    if (timer_total_ >= options_.max_timers) {
        ++stats_.timers_dropped;
        return 0;
    }
    if (timers_.size() >= sweep_at_) {
        timers_.erase_if([](const std::string&, const timer_heap& h) { return h.empty(); });
        sweep_at_ = std::max<std::size_t>(1024, timers_.size() * 2);
    }
    if (t.seq == 0) {
        t.seq = ++timer_seq_;
    }
    const std::uint64_t seq = t.seq;
    timers_.try_emplace(device).first->push(std::move(t));
    ++timer_total_;
    return seq;
}

bool engine::pop_due(std::string_view device, micros now, timer& out) {
    timer_heap* found = timers_.find(device);
    if (found == nullptr) {
        return false;
    }
    timer_heap& heap = *found;
    if (heap.next > now || heap.empty()) {
        return false;
    }
    heap.pop(out);
    --timer_total_;
    return true;
}

void engine::schedule_state(std::string_view device, const ike::peer_record& p, std::size_t from,
                            micros after, std::uint64_t seq) {
    if (p.reported_unknown) {
        return;
    }
    const std::vector<std::uint32_t>& list = rules_->by_state[static_cast<std::size_t>(p.state)];
    while (from < list.size() && p.since + rules_->rules[list[from]].for_ <= after) {
        ++from;
    }
    if (from == list.size()) {
        return;
    }
    schedule(device, {.at = p.since + rules_->rules[list[from]].for_,
                      .rule = static_cast<std::uint32_t>(from),
                      .kind = timer::what::state,
                      .state = p.state,
                      .gen = static_cast<std::uint64_t>(p.since),
                      .seq = seq,
                      .peer_slot = p.slot,
                      .peer_serial = p.serial,
                      .key_id = {}});
}

bool engine::timer_valid(const timer& t, const ike::peer_table& peers) const {
    switch (t.kind) {
        case timer::what::resolve: {
            const auto a = alerts_.find(t.key_id);
            return a != alerts_.end() && own_resolve_timer(a->second, t);
        }
        case timer::what::absence: {
            const key_entry* k = keys_.find(t.key_id);
            if (k == nullptr) {
                return false;
            }
            return std::any_of(k->states.begin(), k->states.end(), [&](const rule_state& s) {
                return s.rule == t.rule && s.pending && s.gen == t.gen;
            });
        }
        case timer::what::state: {
            const ike::peer_record* p = peers.at(t.peer_slot, t.peer_serial);
            return p != nullptr && static_cast<std::uint64_t>(p->since) == t.gen;
        }
    }
    return false;
}

void engine::prune_timers(const ike::peer_table& peers) {
    ++stats_.timer_sweeps;
    timers_.for_each([&](const std::string&, timer_heap& heap) {
        timer_total_ -= heap.size();
        heap.keep_if([&](const timer& t) { return timer_valid(t, peers); });
        timer_total_ += heap.size();
    });
    timers_.erase_if([](const std::string&, const timer_heap& heap) { return heap.empty(); });
}

void engine::apply_event(const event& e, const ike::transition& t, const ike::peer_table& peers,
                         micros now) {
    peers_ = &peers;
    ++event_seq_;
    const rule_set& rs = *rules_;
    const auto kind = static_cast<std::size_t>(e.kind);
    // The peer the event is about: the tracker's record (IOS lines reach it by connection id).
    const std::string_view event_peer = t.peer != nullptr ? t.peer->peer.view() : e.peer.view();
    // Its key id, built once: the steps below look its key up several times.
    write_key_id(peer_key_, e.device, event_peer, true);

    // 1. Correlated events (e.g. an ACL deny of UDP 500) are remembered for each candidate peer.
    for (const std::uint32_t ri : rs.by_correlation[kind]) {
        const rule& r = rs.rules[ri];
        if (!all_match(r.with.where, e)) {
            continue;
        }
        // Per peer (either address a traffic line names), or once for the device.
        const bool by_device = r.key == key_kind::device;
        const std::array<std::string_view, 2> cands =
            by_device ? std::array<std::string_view, 2>{}
                      : std::array<std::string_view, 2>{e.peer.view(), e.peer2.view()};
        for (std::size_t c = 0; c < (by_device ? 1U : 2U); ++c) {
            const std::string_view cand = cands[c];
            if (cand.empty() && !by_device) {
                continue;
            }
            const std::string* key_id = nullptr;
            key_entry& k = entry(e.device, cand, !by_device, key_id);
            rule_state& s = state_of(k, ri);
            s.corr_at = e.time;
            s.corr_line = {e.time, capped(e.raw, options_.max_evidence_bytes)};
            keep_fields(e, options_.max_field_bytes, s.corr_fields);
            if (s.trigger_at >= 0 && e.time - s.trigger_at <= r.with.within) {
                trigger tr;
                tr.peer = peer_of(k, peers);
                tr.time = now;
                tr.state = &s;
                raise(ri, k, *key_id, tr);
                s.trigger_at = -1;
            }
        }
    }

    // 2. Rules triggered by this kind of event.
    for (const std::uint32_t ri : rs.by_event[kind]) {
        const rule& r = rs.rules[ri];
        if (!all_match(r.where, e)) {
            continue;
        }
        std::string_view key;
        bool peer_key = false;
        switch (r.key) {
            case key_kind::peer:
                key = event_peer;
                peer_key = true;
                break;
            case key_kind::device:
                key = "";
                break;
            case key_kind::field:
                key = e.get(r.key_field).value_or("");
                break;
        }
        if (key.empty() && r.key != key_kind::device) {
            continue;
        }
        const ike::peer_record* p = nullptr;
        if (peer_key) {
            p = t.peer != nullptr ? t.peer : peers.find(e.device, key);
            // Traffic lines name two ends; the one we negotiate with is the peer.
            if (p == nullptr && !e.peer2.empty()) {
                if (const ike::peer_record* other = peers.find(e.device, e.peer2.view())) {
                    p = other;
                    key = e.peer2.view();
                }
            }
        }
        if (!r.peer.empty() && !all_match(r.peer, p, facts(e.device, peers, p))) {
            continue;
        }
        const std::string* key_id = nullptr;
        key_entry& k = peer_key && key.data() == event_peer.data()
                           ? entry(peer_key_, e.device, key, true, key_id)
                           : entry(e.device, key, peer_key, key_id);
        trigger tr;
        tr.event = &e;
        tr.peer = p;
        tr.time = now;
        switch (r.kind) {
            case rule::type::event:
                fire(ri, k, *key_id, tr);
                break;
            case rule::type::threshold: {
                rule_state& s = state_of(k, ri);
                s.times.erase(std::remove_if(s.times.begin(), s.times.end(),
                                             [&](micros x) { return x < e.time - r.within; }),
                              s.times.end());
                s.times.push_back(e.time);
                if (s.times.size() > r.count) {
                    s.times.erase(s.times.begin());
                }
                if (!peer_key) {
                    add_evidence(s.lines, e.time, e.raw, options_.max_evidence,
                                 options_.max_evidence_bytes);
                    if (s.lines.size() >= options_.max_evidence) {
                        s.lines.erase(s.lines.begin());
                    }
                }
                if (s.times.size() >= r.count) {
                    tr.state = &s;
                    tr.count = static_cast<std::uint32_t>(s.times.size());
                    fire(ri, k, *key_id, tr);
                }
                break;
            }
            case rule::type::absence: {
                rule_state& s = state_of(k, ri);
                if (!s.pending) {
                    s.pending = true;
                    s.gen = next_gen_++;
                    s.trigger_line = {e.time, capped(e.raw, options_.max_evidence_bytes)};
                    keep_fields(e, options_.max_field_bytes, s.trigger_fields);
                    schedule(e.device, {.at = e.time + r.within,
                                        .rule = ri,
                                        .kind = timer::what::absence,
                                        .gen = s.gen,
                                        .key_id = *key_id});
                }
                break;
            }
            case rule::type::state:
                break;
        }
    }

    // 3. Follow-ups cancel pending absences.
    for (const std::uint32_t ri : rs.by_followup[kind]) {
        const rule& r = rs.rules[ri];
        const std::string_view key_id =
            r.key == key_kind::peer     ? std::string_view(peer_key_)
            : r.key == key_kind::device ? key_of(e.device, {}, false)
                                        : key_of(e.device, e.get(r.key_field).value_or(""), false);
        if (key_entry* k = keys_.find(key_id)) {
            for (rule_state& s : k->states) {
                if (s.rule == ri) {
                    s.pending = false;
                }
            }
        }
    }

    if (t.peer == nullptr) {
        return;
    }
    // 4. Time in state: already long enough (e.g. a condition that became true late), or start
    //    the clock when the state was entered.
    const ike::peer_record& p = *t.peer;
    if (!p.reported_unknown) {
        for (const std::uint32_t ri : rs.by_state[static_cast<std::size_t>(p.state)]) {
            const rule& r = rs.rules[ri];
            if (p.since + r.for_ > now) {
                break;  // shortest first: the rest are not due either
            }
            if (state_rule_holds(r, &p, facts(e.device, peers, &p), now)) {
                const std::string* key_id = nullptr;
                key_entry& k = entry(peer_key_, e.device, p.peer.view(), true, key_id);
                trigger tr;
                tr.event = &e;
                tr.peer = &p;
                tr.time = now;
                fire(ri, k, *key_id, tr);
            }
        }
        // One timer per entry into a state, scheduled by the line that entered it: the other
        // lines of the same second would only add copies that fire together and repeat it.
        if (t.created || t.old_state != p.state || t.old_since != p.since) {
            schedule_state(e.device, p, 0, now);
        }
    }
    // 5. Raised alerts of this peer that the new state or this event clears.
    if (key_entry* k = keys_.find(peer_key_); k != nullptr && !k->alerts.empty()) {
        check_resolution(*k, &e, &p, now);
    }
}

void engine::check_resolution(key_entry& k, const event* e, const ike::peer_record* p, micros now) {
    const device_facts d = peers_ != nullptr ? facts(k.device, *peers_, p) : device_facts{};
    // Decided over the whole list first: resolve() edits it. Usually nothing clears, and the
    // list is not copied for every line of the peer.
    std::vector<std::string> cleared;
    for (const raised_ref& ref : k.alerts) {
        if (ref.rule == no_rule || (e != nullptr && ref.touched_by == event_seq_)) {
            continue;  // the line that shows a problem does not also clear it
        }
        const rule* r = &rules_->rules[ref.rule];
        bool clears = false;
        if (r->kind == rule::type::state) {
            // A time-in-state diagnosis holds while the peer stays in the state.
            clears = p == nullptr || p->reported_unknown ||
                     !r->states.test(static_cast<std::size_t>(p->state)) ||
                     !all_match(r->peer, p, d);
        }
        if (!r->resolve.peer.empty() && all_match(r->resolve.peer, p, d)) {
            clears = true;
        }
        if (e != nullptr && r->resolve.events.test(static_cast<std::size_t>(e->kind))) {
            clears = true;
        }
        if (clears) {
            cleared.push_back(ref.id);
        }
    }
    for (const std::string& id : cleared) {
        resolve(id, now);
    }
}

void engine::fire(std::uint32_t ri, key_entry& k, const std::string& key_id, const trigger& t) {
    const rule& r = rules_->rules[ri];
    if (r.with.enabled) {
        rule_state& s = state_of(k, ri);
        if (s.corr_at < 0 || t.time - s.corr_at > r.with.within) {
            // Wait for the correlated event (it may come after the trigger).
            s.trigger_at = t.time;
            if (t.event != nullptr) {
                s.trigger_line = {t.event->time, capped(t.event->raw, options_.max_evidence_bytes)};
                // Its fields fill the placeholders when the correlated event raises the alert.
                keep_fields(*t.event, options_.max_field_bytes, s.trigger_fields);
            }
            return;
        }
        trigger with_state = t;
        with_state.state = &s;
        raise(ri, k, key_id, with_state);
        return;
    }
    raise(ri, k, key_id, t);
}

void engine::raise(std::uint32_t ri, key_entry& k, const std::string& key_id, const trigger& t) {
    const rule& r = rules_->rules[ri];
    // Raised already: the key lists it under this rule.
    if (const auto ref = std::find_if(k.alerts.begin(), k.alerts.end(),
                                      [&](const raised_ref& x) { return x.rule == ri; });
        ref != k.alerts.end()) {
        if (active_alert* a = ref->alert; a != nullptr) {
            ++a->data.count;
            a->data.last_seen = t.time;
            ref->touched_by = event_seq_;
            ++stats_.repeats;
            if (r.resolve.after > 0) {
                if (a->resolve_timer == 0) {
                    a->resolve_timer = schedule(k.device, {.at = t.time + r.resolve.after,
                                                           .rule = ri,
                                                           .kind = timer::what::resolve,
                                                           .key_id = ref->id});
                } else {
                    // The pending timer moves to the new deadline when it fires, in the place
                    // this sighting takes now.
                    a->repeat_seq = ++timer_seq_;
                }
            }
            return;
        }
    }
    // Another alert already says why: a fallback stops here. Without a suppression to count
    // first, it stops before its id is built (state timers of an explained peer come here often).
    const bool superseded = r.fallback && explained(k);
    if (superseded && r.suppress == 0) {
        return;
    }
    std::string id;
    id.reserve(r.id.size() + k.device.size() + k.key.size() + 2);
    id.append(r.id).push_back('/');
    id.append(k.device).push_back('/');
    id.append(k.key);
    if (r.suppress > 0) {
        if (const auto done = resolved_at_.find(id);
            done != resolved_at_.end() && t.time - done->second < r.suppress) {
            ++stats_.suppressed;
            return;
        }
    }
    if (superseded) {
        return;
    }

    // How long something lasted is only claimed when the log showed it: lines without time, or
    // a log that ends before the rule's time passed, make the alert say so and lower its
    // confidence by one step.
    raise_context c{r, k, t};
    const bool timed_rule = r.kind == rule::type::state || r.kind == rule::type::absence;
    c.untimed = timed_rule && t.peer != nullptr && t.peer->untimed;
    c.cut_short = timed_rule && !c.untimed && t.observed >= 0;
    c.conf = r.conf;
    if ((c.untimed || c.cut_short) && c.conf != confidence::low) {
        c.conf = static_cast<confidence>(static_cast<int>(c.conf) - 1);
    }
    alert a = build_alert(c, id);
    render_texts(c, a);
    collect_evidence(t, a);

    sink_.emit(a);
    ++stats_.raised;
    if (!r.fallback && r.sev != severity::info) {
        resolve_fallbacks(k, t.time);
    }
    if (alerts_.size() >= options_.max_alerts) {
        ++stats_.untracked;  // emitted, but it will not resolve
        return;
    }
    std::uint64_t resolve_timer = 0;
    if (r.resolve.after > 0) {
        resolve_timer = schedule(k.device, {.at = t.time + r.resolve.after,
                                            .rule = ri,
                                            .kind = timer::what::resolve,
                                            .key_id = id});
    }
    active_alert& kept =
        alerts_.emplace(id, active_alert{std::move(a), key_id, resolve_timer}).first->second;
    k.alerts.push_back({std::move(id), ri, event_seq_, &kept, kept.data.sev});
}

alert engine::build_alert(const raise_context& c, std::string id) const {
    const rule& r = c.r;
    const ike::peer_record* p = c.t.peer;
    alert a;
    a.action = alert::action_t::raised;
    a.id = std::move(id);
    a.time = c.t.time;
    a.raised_at = c.t.time;
    a.last_seen = c.t.time;
    a.count = 1;
    a.rule_id = r.id;
    a.rule_name = r.name;
    a.rule_version = r.version;
    a.sev = r.sev;
    a.conf = c.conf;
    a.code = r.code;
    a.device = c.k.device;
    a.key = c.k.key;
    a.peer_key = c.k.peer_key;
    if (p != nullptr) {
        a.peer = std::string(p->peer.view());
        a.ike_version = p->ike_version == 0 ? 1 : p->ike_version;
        a.state = std::string(p->state_asa());
        a.state_ios = std::string(p->state_ios());
        a.role = std::string(ike::to_string(p->role));
        a.mode = std::string(ike::to_string(p->mode));
        a.status = std::string(ike::to_string(p->status));
        a.phase2 = std::string(ike::to_string(p->phase2));
        a.state_since = p->since;
        a.retransmits = p->retransmits;
        a.nat_t = p->nat_t;
        a.group = std::string(p->group.view());
        a.phase = p->phase2 == ike::p2_status::failed && !ike::is_waiting(p->state) ? 2 : 1;
    } else if (c.k.peer_key) {
        a.peer = c.k.key;
    }
    if (c.t.event != nullptr && c.t.event->phase != 0) {
        a.phase = c.t.event->phase;
    }
    return a;
}

// A placeholder's value appended to `out`; false when it has none.
bool engine::fill(const raise_context& c, const alert& a, const placeholder& what,
                  std::string& out) const {
    using source = placeholder::source;
    const rule& r = c.r;
    const trigger& t = c.t;
    const ike::peer_record* p = t.peer;
    const auto number = [&out](auto n) {
        std::array<char, 24> buf{};
        const auto end = std::to_chars(buf.data(), buf.data() + buf.size(), n).ptr;
        out.append(buf.data(), end);
        return true;
    };
    const auto time_span = [&](source from) {
        if (c.untimed) {
            out += "an unknown time (the lines carry no timestamps)";
        } else if (c.cut_short) {
            append_duration(out, t.observed);
            out += ", the log ends there";
        } else if (from == source::duration) {
            append_duration(out, t.time - (p != nullptr ? p->since : t.time));
        } else {
            append_duration(out, r.wait());
        }
        return true;
    };
    switch (what.from) {
        case source::device:
            out += c.k.device;
            return true;
        case source::key:
            out += c.k.key;
            return !c.k.key.empty();
        case source::duration:
        case source::window:
            return time_span(what.from);
        case source::count:
            return number(t.count != 0 ? t.count : 1);
        case source::for_time:
            append_duration(out, r.for_);
            return true;
        case source::code:
            out += r.code;
            return true;
        case source::rule:
            out += r.id;
            return true;
        case source::confidence:
            out += to_string(c.conf);
            return true;
        case source::ike_version:
            if (p != nullptr) {
                return number(a.ike_version);
            }
            break;
        case source::fields:
            break;
    }
    if (p != nullptr && what.peer != nullptr) {
        field_buffer buf;
        const device_facts d = peers_ != nullptr ? facts(c.k.device, *peers_, p) : device_facts{};
        if (const auto v = what.peer->get(*p, d, buf)) {
            append_capped(out, *v, options_.max_field_bytes);
            return true;
        }
    }
    if (what.event) {
        if (t.event != nullptr) {
            if (const auto v = t.event->get(*what.event)) {
                append_capped(out, *v, options_.max_field_bytes);
                return true;
            }
        }
        if (t.state != nullptr) {
            for (const auto* fields : {&t.state->corr_fields, &t.state->trigger_fields}) {
                for (const auto& [f, v] : *fields) {
                    if (f == *what.event) {
                        out += v;
                        return true;
                    }
                }
            }
        }
    }
    if (what.not_logged) {
        out += "(not logged)";
        return true;
    }
    return false;
}

void engine::render_texts(const raise_context& c, alert& a) const {
    const rule& r = c.r;
    const auto fill_in = [&](const placeholder& what, std::string& out) {
        return fill(c, a, what, out);
    };
    a.message.clear();
    r.title.render_into(a.message, fill_in);
    a.cause.clear();
    r.cause.render_into(a.cause, fill_in);
    if (c.untimed) {
        a.cause +=
            " The lines carry no timestamps, so how long this lasted is not known: this is where "
            "they leave it.";
    } else if (c.cut_short) {
        a.cause += " The log ends " + format_duration(c.t.observed) +
                   " after this began, before the " + format_duration(r.wait()) +
                   " this diagnosis waits for: it is where the log leaves it.";
    }
    for (const text_template& check : r.checks) {
        check.render_into(a.checks.emplace_back(), fill_in);
    }
}

// Evidence: the peer's ring (negotiation start and latest lines), the trigger, the correlated
// line, or the recent lines of a non-peer key, in time order.
void engine::collect_evidence(const trigger& t, alert& a) const {
    const std::size_t max = options_.max_evidence;
    const std::size_t max_bytes = options_.max_evidence_bytes;
    if (t.peer != nullptr && peers_ != nullptr) {
        // Copied out: the alert keeps its lines when the store overwrites them.
        peers_->for_each_evidence(*t.peer, [&](const ike::evidence_entry& l) {
            add_evidence(a.evidence, l.time, l.text, max, max_bytes);
        });
    }
    if (t.state != nullptr) {
        for (const evidence_line& l : t.state->lines) {
            add_evidence(a.evidence, l.time, l.text, max, max_bytes);
        }
        if (!t.state->trigger_line.text.empty()) {
            add_evidence(a.evidence, t.state->trigger_line.time, t.state->trigger_line.text, max,
                         max_bytes);
        }
        if (!t.state->corr_line.text.empty()) {
            add_evidence(a.evidence, t.state->corr_line.time, t.state->corr_line.text, max,
                         max_bytes);
        }
    }
    if (t.event != nullptr) {
        add_evidence(a.evidence, t.event->time, t.event->raw, max, max_bytes);
    }
    std::stable_sort(
        a.evidence.begin(), a.evidence.end(),
        [](const evidence_line& x, const evidence_line& y) { return x.time < y.time; });
}

bool engine::explained(const key_entry& k) const {
    return std::any_of(k.alerts.begin(), k.alerts.end(), [&](const raised_ref& ref) {
        if (ref.alert == nullptr || ref.sev == severity::info) {
            return false;
        }
        return ref.rule == no_rule || !rules_->rules[ref.rule].fallback;
    });
}

void engine::resolve_fallbacks(const key_entry& k, micros now) {
    std::vector<std::string> superseded;
    for (const raised_ref& ref : k.alerts) {
        if (ref.rule != no_rule && rules_->rules[ref.rule].fallback) {
            superseded.push_back(ref.id);
        }
    }
    for (const std::string& id : superseded) {
        resolve(id, now);
    }
}

void engine::resolve(const std::string& alert_id, micros now) {
    const auto it = alerts_.find(alert_id);
    if (it == alerts_.end()) {
        return;
    }
    alert a = std::move(it->second.data);
    const std::string key_id = std::move(it->second.key_id);
    alerts_.erase(it);
    if (key_entry* k = keys_.find(key_id)) {
        std::erase_if(k->alerts, [&](const raised_ref& ref) { return ref.id == alert_id; });
    }
    a.action = alert::action_t::resolved;
    a.time = std::max(now, a.last_seen);
    sink_.emit(a);
    ++stats_.resolved;
    // Remembered for the rules that suppress a raise soon after a resolve, the only readers.
    if (const rule* r = rules_->find(a.rule_id); r == nullptr || r->suppress == 0) {
        return;
    }
    if (resolved_at_.size() > options_.max_alerts) {
        resolved_at_.clear();  // suppression memory is best effort
    }
    resolved_at_[alert_id] = a.time;
}

void engine::link_rules(key_entry& k) {
    for (raised_ref& ref : k.alerts) {
        const auto a = alerts_.find(ref.id);
        ref.alert = a != alerts_.end() ? &a->second : nullptr;
        ref.sev = a != alerts_.end() ? a->second.data.sev : severity::info;
        ref.rule = a != alerts_.end() && rules_->find(a->second.data.rule_id) != nullptr
                       ? static_cast<std::uint32_t>(rules_->find_index(a->second.data.rule_id))
                       : no_rule;
    }
}

void engine::run_timer(timer&& t, const ike::peer_table& peers, micros log_end) {
    ++stats_.timers_fired;
    if (t.kind == timer::what::resolve) {
        run_resolve_timer(std::move(t));
        return;
    }
    if (t.kind == timer::what::absence) {
        key_entry* k = keys_.find(t.key_id);
        if (k == nullptr) {
            return;
        }
        for (rule_state& s : k->states) {
            if (s.rule == t.rule && s.pending && s.gen == t.gen) {
                s.pending = false;
                const ike::peer_record* p = peer_of(*k, peers);
                const rule& r = rules_->rules[t.rule];
                if (!all_match(r.peer, p, facts(k->device, peers, p))) {
                    return;
                }
                trigger tr;
                tr.peer = p;
                tr.time = t.at;
                tr.state = &s;
                if (t.at > log_end) {
                    tr.observed = std::max<micros>(log_end - (t.at - r.within), 0);
                }
                fire(t.rule, *k, t.key_id, tr);
                return;
            }
        }
        return;
    }
    // Time in state: the same peer, still there, and still since the same moment?
    const ike::peer_record* p = peers.at(t.peer_slot, t.peer_serial);
    if (p == nullptr || static_cast<std::uint64_t>(p->since) != t.gen || p->state != t.state) {
        return;
    }
    const std::string_view device = peers.device_name(p->device);
    const std::string_view peer = p->peer.view();
    const std::vector<std::uint32_t>& list = rules_->by_state[static_cast<std::size_t>(p->state)];
    const device_facts d = facts(device, peers, p);
    std::size_t i = t.rule;
    for (; i < list.size() && p->since + rules_->rules[list[i]].for_ <= t.at; ++i) {
        if (!state_rule_holds(rules_->rules[list[i]], p, d, t.at)) {
            continue;
        }
        const std::string* key_id = nullptr;
        key_entry& k = entry(device, peer, true, key_id);
        trigger tr;
        tr.peer = p;
        tr.time = t.at;
        if (t.at > log_end) {
            tr.observed = std::max<micros>(log_end - p->since, 0);
        }
        fire(list[i], k, *key_id, tr);
    }
    // The next deadline keeps this entry's place among timers due at the same instant.
    schedule_state(device, *p, i, t.at, t.seq);
}

void engine::run_resolve_timer(timer&& t) {
    const auto found = alerts_.find(t.key_id);
    if (found == alerts_.end() || !own_resolve_timer(found->second, t)) {
        return;
    }
    active_alert& a = found->second;
    const rule* r = rules_->find(a.data.rule_id);
    if (r == nullptr || r->resolve.after <= 0) {
        a.resolve_timer = 0;
        return;
    }
    const micros due = a.data.last_seen + r->resolve.after;
    if (due <= t.at) {
        resolve(t.key_id, t.at);
        return;
    }
    // Seen again since it was set: quiet from the last sighting on.
    t.at = due;
    t.seq = a.repeat_seq;
    a.repeat_seq = 0;
    a.resolve_timer = schedule(a.data.device, std::move(t));
}

std::size_t engine::fire_due(std::string_view device, micros now, const ike::peer_table& peers) {
    timer t;
    std::size_t n = 0;
    while (pop_due(device, now, t)) {
        run_timer(std::move(t), peers);
        ++n;
    }
    return n;
}

void engine::advance_all(const std::function<micros(std::string_view)>& now_of,
                         const ike::peer_table& peers,
                         const std::function<void(std::string_view)>& fired) {
    std::vector<std::string> devices;
    devices.reserve(timers_.size());
    timers_.for_each(
        [&](const std::string& device, const timer_heap&) { devices.push_back(device); });
    for (const std::string& device : devices) {
        const micros now = now_of(device);
        if (now != 0 && advance(device, now, peers) > 0 && fired) {
            fired(device);
        }
    }
}

void engine::drain(const ike::peer_table& peers,
                   const std::function<micros(std::string_view)>& now_of) {
    peers_ = &peers;
    std::vector<std::string> devices;
    devices.reserve(timers_.size());
    timers_.for_each(
        [&](const std::string& device, const timer_heap&) { devices.push_back(device); });
    for (const std::string& device : devices) {
        // Quiet-period resolves stay pending; everything else fires, including timers that
        // firing schedules.
        std::vector<timer> resolves;
        const micros log_end = now_of ? now_of(device) : std::numeric_limits<micros>::max();
        timer t;
        while (pop_due(device, std::numeric_limits<micros>::max(), t)) {
            if (t.kind == timer::what::resolve) {
                resolves.push_back(std::move(t));
            } else {
                run_timer(std::move(t), peers,
                          log_end == 0 ? std::numeric_limits<micros>::max() : log_end);
            }
        }
        for (timer& r : resolves) {
            schedule(device, std::move(r));
        }
    }
}

}  // namespace ikewatch::rules

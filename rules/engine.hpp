#pragma once

#include <algorithm>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/name_map.hpp"
#include "ike/tracker.hpp"
#include "rules/alert.hpp"
#include "rules/rule_set.hpp"

namespace ikewatch::rules {

struct engine_options {
    std::size_t max_keys = 200'000;    ///< (device, key) pairs with rule state
    std::size_t max_alerts = 100'000;  ///< raised alerts tracked until they resolve
    std::size_t max_timers = 1'000'000;
    std::size_t max_evidence = 12;  ///< evidence lines per alert
    /// Untrusted text an alert keeps is cut (on a character boundary, marked with `…`): each
    /// evidence line to `max_evidence_bytes`, each log field put into a title, cause or check to
    /// `max_field_bytes`. Without it, lines of a forged maximal length would make every kept
    /// alert and window hold several times max_message_size.
    std::size_t max_evidence_bytes = 1024;
    std::size_t max_field_bytes = 256;
};

struct engine_stats {
    std::uint64_t raised = 0;
    std::uint64_t resolved = 0;
    std::uint64_t repeats = 0;     ///< triggers counted on an alert already raised
    std::uint64_t suppressed = 0;  ///< triggers within `suppress` after a resolve
    std::uint64_t untracked = 0;   ///< alerts emitted while max_alerts was reached
    std::uint64_t keys_evicted = 0;
    std::uint64_t timers_dropped = 0;
    std::uint64_t timers_fired = 0;
    std::uint64_t timer_sweeps = 0;  ///< passes over all timers to drop those no longer valid
};

/// Runs a compiled rule set over events, peer transitions and the engine clock, and emits
/// alerts: one raised alert per (rule, device, key) until it resolves. Pure: time is passed in;
/// timers fire in `advance`, never on their own.
class engine {
  public:
    engine(std::shared_ptr<const rule_set> rules, alert_sink& sink, engine_options options = {});

    /// Swaps the rule set (validated beforehand). Raised alerts stay raised when their rule id
    /// still exists; per-rule counters and windows start afresh; time-in-state timers are
    /// rebuilt from the peer table.
    void set_rules(std::shared_ptr<const rule_set> rules, const ike::peer_table& peers);

    /// One event and what it did to its peer; `now` is the clock of the event's device. Call
    /// `advance(device, now)` first.
    void on_event(const parsers::event& e, const ike::transition& t, const ike::peer_table& peers,
                  micros now) {
        // Most of a firewall's lines (connections, translations) are of a kind no rule reads
        // and about no tracked peer: they only move their device's clock.
        if (t.peer != nullptr || rules_->read_kinds.test(static_cast<std::size_t>(e.kind))) {
            apply_event(e, t, peers, now);
        }
    }

    /// Fires the device's timers due at or before `now`, its clock (time in state, absence,
    /// quiet-period resolve). Every device keeps its own time: timers of one device never fire
    /// on another's clock.
    /// Returns how many timers fired.
    std::size_t advance(std::string_view device, micros now, const ike::peer_table& peers) {
        peers_ = &peers;
        // The check made on most lines, without a call: nothing of the device is due yet.
        const timer_heap* heap = timers_.find(device);
        return heap == nullptr || heap->next > now ? 0 : fire_due(device, now, peers);
    }

    /// Fires the due timers of every device; `now_of(device)` gives each device's clock (0: not
    /// known, its timers wait for its next line). `fired(device)` is told of each device whose
    /// timers fired.
    void advance_all(const std::function<micros(std::string_view)>& now_of,
                     const ike::peer_table& peers,
                     const std::function<void(std::string_view)>& fired = nullptr);

    /// End of a replay: fires every pending time-in-state and absence timer, as if the clocks had
    /// moved far enough. Quiet-period resolves are not fired. `now_of(device)` is where each
    /// device's log ended: an alert whose time had not fully passed by then says so (the time
    /// actually seen, one step less confidence).
    void drain(const ike::peer_table& peers,
               const std::function<micros(std::string_view)>& now_of = nullptr);

    // Checkpoints (rules/engine_checkpoint.cpp, pipeline/device_snapshot).
    /// Writes the state of every device for which `slot(device)` gives a JSON object into it:
    /// its keys' rule state (windows, pending absences and correlations), its raised alerts,
    /// its suppression memory and its pending timers. One pass over the engine.
    void save(const ike::peer_table& peers,
              const std::function<nlohmann::json*(std::string_view device)>& slot) const;
    /// Restores one device as `save` wrote it, after its peers were restored into `peers`.
    /// Rule state and timers of rules the running set does not have are left out. Throws
    /// (std::exception) on a malformed object; the caller then forgets the device.
    void restore(std::string_view device, const nlohmann::json& j, const ike::peer_table& peers);
    /// Forgets a device's rule state, raised alerts (nothing is emitted: they stay raised where
    /// the device went), suppression memory and timers.
    void forget_device(std::string_view device);

    template <typename F>
    void for_each_active(F&& f) const {
        for (const auto& [id, a] : alerts_) {
            f(a.data);
        }
    }
    [[nodiscard]] std::size_t active_count() const noexcept { return alerts_.size(); }
    [[nodiscard]] const engine_stats& stats() const noexcept { return stats_; }
    [[nodiscard]] std::size_t key_count() const noexcept { return keys_.size(); }
    [[nodiscard]] std::size_t timer_count() const noexcept { return timer_total_; }
    [[nodiscard]] const rule_set& rules() const noexcept { return *rules_; }

  private:
    void apply_event(const parsers::event& e, const ike::transition& t,
                     const ike::peer_table& peers, micros now);
    /// Fires the timers of `device` due at or before `now`.
    std::size_t fire_due(std::string_view device, micros now, const ike::peer_table& peers);

    struct rule_state {
        std::uint32_t rule = 0;
        std::vector<micros> times;  // threshold window
        bool pending = false;       // absence
        std::uint64_t gen = 0;
        micros corr_at = -1;     // last correlated event
        micros trigger_at = -1;  // trigger waiting for a correlated event
        std::vector<std::pair<parsers::field, std::string>> corr_fields;
        std::vector<std::pair<parsers::field, std::string>>
            trigger_fields;  // absence; correlation waiting; correlation waiting
        evidence_line corr_line;
        evidence_line trigger_line;
        std::vector<evidence_line> lines;  // recent triggering lines (non-peer keys)
    };
    static constexpr std::uint32_t no_rule = ~std::uint32_t{0};
    struct active_alert;
    // A raised alert as its key lists it: enough to decide, on every line of the peer, whether
    // it clears, repeats or explains the peer without looking the alert up by its id.
    struct raised_ref {
        std::string id;
        std::uint32_t rule = no_rule;   // its rule's position in the running set, if it has one
        std::uint64_t touched_by = 0;   // the event that last raised or counted it
        active_alert* alert = nullptr;  // in alerts_ (whose nodes stay put); null if not there
        severity sev = severity::info;  // the alert's
    };
    struct key_entry {
        std::string device;
        std::string key;
        bool peer_key = true;
        std::vector<rule_state> states;
        std::vector<raised_ref> alerts;  // the key's active alerts
    };
    struct active_alert {
        alert data;
        std::string key_id;  // into keys_
        // Its one quiet-period timer (`resolve.after`): the seq of the pending timer (0: none),
        // and the place a repeat took among timers due at the deadline it moved the timer to.
        std::uint64_t resolve_timer = 0;
        std::uint64_t repeat_seq = 0;
    };
    struct timer {
        micros at = 0;
        std::uint32_t rule = 0;  ///< state timers: the position in the state's rule list
        enum class what : std::uint8_t { state, absence, resolve } kind = what::state;
        ike::p1_state state{};  ///< state timers: the state entered
        std::uint64_t gen = 0;  ///< state timers: when the peer entered the state
        std::uint64_t seq = 0;  // set by schedule: timers due at one instant fire in that order
        /// State timers: the peer's record, by its slot and serial (ike::peer_table::at). They
        /// carry no key id: firing finds the peer without its names, and a peer that left or
        /// moved on is seen from the record alone.
        std::uint32_t peer_slot = 0xFFFFFFFF;
        std::uint32_t peer_serial = 0;
        std::string key_id;  ///< absence and quiet-period timers: their key's or alert's id
    };
    // Context of one trigger, for rendering and evidence.
    struct trigger {
        const parsers::event* event = nullptr;
        const ike::peer_record* peer = nullptr;
        micros time = 0;
        const rule_state* state = nullptr;
        std::uint32_t count = 0;
        micros observed = -1;  ///< drained early: the part of the rule's time the log covered
    };

    std::string_view key_of(std::string_view device, std::string_view key, bool peer_key);
    /// The id key_of gives a peer's key, as a string of its own.
    [[nodiscard]] static std::string peer_key_id(std::string_view device, std::string_view peer);
    key_entry& entry(std::string_view device, std::string_view key, bool peer_key,
                     const std::string*& key_id);
    /// The same with the key's id already built (`id` is what key_of gives for the three).
    key_entry& entry(std::string_view id, std::string_view device, std::string_view key,
                     bool peer_key, const std::string*& key_id);
    rule_state& state_of(key_entry& k, std::uint32_t rule);
    void fire(std::uint32_t rule, key_entry& k, const std::string& key_id, const trigger& t);
    void raise(std::uint32_t rule, key_entry& k, const std::string& key_id, const trigger& t);
    /// One alert being raised: its rule, key and trigger, and how far its timing can be trusted.
    struct raise_context {
        const rule& r;
        const key_entry& k;
        const trigger& t;
        bool untimed = false;    ///< a timed rule on lines that carry no time
        bool cut_short = false;  ///< a timed rule whose log ended before its time passed
        confidence conf = confidence::high;
    };
    [[nodiscard]] alert build_alert(const raise_context& c, std::string id) const;
    [[nodiscard]] bool fill(const raise_context& c, const alert& a, const placeholder& what,
                            std::string& out) const;
    void render_texts(const raise_context& c, alert& a) const;
    void collect_evidence(const trigger& t, alert& a) const;
    void resolve(const std::string& alert_id, micros now);
    /// Points the key's alerts at their entries in alerts_ and their rules' positions in the
    /// running set.
    void link_rules(key_entry& k);
    /// True when an alert above info, not a fallback, is active for the key.
    [[nodiscard]] bool explained(const key_entry& k) const;
    /// Resolves the key's active fallback alerts (a better diagnosis was raised).
    void resolve_fallbacks(const key_entry& k, micros now);
    void check_resolution(key_entry& k, const parsers::event* e, const ike::peer_record* p,
                          micros now);
    // One device's timers, a min-heap on `at` (then `seq`). The heap orders small entries that
    // point to the timers, which stay where they were put: keeping the order moves no key id.
    // The earliest deadline is kept beside the heap, so that the check made on every line of
    // the device reads no timer.
    class timer_heap {
      public:
        micros next = std::numeric_limits<micros>::max();  ///< the top's `at`; max when empty
        [[nodiscard]] bool empty() const noexcept { return order_.empty(); }
        [[nodiscard]] std::size_t size() const noexcept { return order_.size(); }
        void push(timer t) {
            std::uint32_t slot = 0;
            if (free_.empty()) {
                slot = static_cast<std::uint32_t>(timers_.size());
                timers_.push_back(std::move(t));
            } else {
                slot = free_.back();
                free_.pop_back();
                timers_[slot] = std::move(t);
            }
            order_.push_back({timers_[slot].at, timers_[slot].seq, slot});
            std::push_heap(order_.begin(), order_.end(), std::greater<>{});
            next = order_.front().at;
        }
        /// Moves the earliest timer into `out` and takes it off the heap.
        void pop(timer& out) {
            std::pop_heap(order_.begin(), order_.end(), std::greater<>{});
            const std::uint32_t slot = order_.back().slot;
            order_.pop_back();
            out = std::move(timers_[slot]);
            release(slot);
            refresh();
        }
        /// Keeps the timers `keep` accepts.
        template <typename Keep>
        void keep_if(Keep&& keep) {
            std::erase_if(order_, [&](const entry& e) {
                if (keep(std::as_const(timers_[e.slot]))) {
                    return false;
                }
                release(e.slot);
                return true;
            });
            std::make_heap(order_.begin(), order_.end(), std::greater<>{});
            refresh();
        }
        /// Calls `f(timer)` for every timer, in the heap's order.
        template <typename F>
        void for_each(F&& f) const {
            for (const entry& e : order_) {
                f(timers_[e.slot]);
            }
        }

      private:
        struct entry {
            micros at;
            std::uint64_t seq;
            std::uint32_t slot;  // into timers_
            bool operator>(const entry& o) const noexcept {
                return at != o.at ? at > o.at : seq > o.seq;
            }
        };
        void release(std::uint32_t slot) {
            timers_[slot] = timer{};
            free_.push_back(slot);
        }
        void refresh() {
            if (order_.empty()) {
                // No slot is in use: the device's storage goes with its last timer.
                timers_.clear();
                free_.clear();
                next = std::numeric_limits<micros>::max();
            } else {
                next = order_.front().at;
            }
        }

        std::vector<entry> order_;
        std::vector<timer> timers_;
        std::vector<std::uint32_t> free_;
    };
    /// A quiet-period timer fired: resolves its alert if it stayed quiet for `resolve.after`,
    /// else sets the timer again for that long after the alert's last sighting.
    void run_resolve_timer(timer&& t);
    /// Whether `t` is the alert's pending quiet-period timer. An alert restored from a
    /// checkpoint has none on record and takes the first that fires.
    [[nodiscard]] static bool own_resolve_timer(const active_alert& a, const timer& t) noexcept {
        return a.resolve_timer == 0 || a.resolve_timer == t.seq;
    }
    /// Returns the timer's seq, or 0 when the timer bound refused it.
    std::uint64_t schedule(std::string_view device, timer t);
    bool pop_due(std::string_view device, micros now, timer& out);
    /// One timer per peer and state entry, due at the first deadline (entry + `for`) after
    /// `after` among the state's rules from position `from` on; firing it checks the rules due
    /// then and schedules the next deadline.
    void schedule_state(std::string_view device, const ike::peer_record& p, std::size_t from,
                        micros after, std::uint64_t seq = 0);
    [[nodiscard]] bool timer_valid(const timer& t, const ike::peer_table& peers) const;
    void prune_timers(const ike::peer_table& peers);
    /// `log_end`: the device's clock when a drain fires timers ahead of it.
    void run_timer(timer&& t, const ike::peer_table& peers,
                   micros log_end = std::numeric_limits<micros>::max());
    [[nodiscard]] const ike::peer_record* peer_of(const key_entry& k,
                                                  const ike::peer_table& peers) const;
    /// The facts of `device`; with its peer record, found without looking the name up.
    [[nodiscard]] static device_facts facts(std::string_view device, const ike::peer_table& peers,
                                            const ike::peer_record* p = nullptr);
    [[nodiscard]] bool state_rule_holds(const rule& r, const ike::peer_record* p,
                                        const device_facts& d, micros now) const;

    std::shared_ptr<const rule_set> rules_;
    alert_sink& sink_;
    engine_options options_;
    engine_stats stats_;
    name_map<key_entry> keys_;  // references stay valid only until the next key is added
    std::string scratch_;       // key_of's buffer
    std::string peer_key_;      // apply_event: the key id of the event's peer
    std::unordered_map<std::string, active_alert> alerts_;
    std::unordered_map<std::string, micros> resolved_at_;  // of rules with `suppress` (bounded)
    name_map<timer_heap> timers_;  // by device; emptied heaps are swept now and then
    std::size_t sweep_at_ = 1024;
    std::size_t prune_at_ = 4096;         // timer count at which invalid timers are next swept
    std::uint64_t removed_at_prune_ = 0;  // peers evicted or expired at the last sweep
    std::size_t asked_since_prune_ = 0;   // timers asked for since the last sweep
    std::uint64_t timer_seq_ = 0;  // numbers scheduled timers, so that a sweep keeps their order
    std::size_t timer_total_ = 0;
    std::uint64_t next_gen_ = 1;
    std::uint64_t event_seq_ = 0;             // numbers on_event calls
    const ike::peer_table* peers_ = nullptr;  // the table of the current call
};

}  // namespace ikewatch::rules

#include "rules/rule_set.hpp"

#include <algorithm>

namespace ikewatch::rules {

std::string_view to_string(severity s) noexcept {
    switch (s) {
        case severity::info:
            return "info";
        case severity::low:
            return "low";
        case severity::medium:
            return "medium";
        case severity::high:
            return "high";
        case severity::critical:
            return "critical";
    }
    return "medium";
}

std::optional<severity> severity_from(std::string_view name) noexcept {
    for (const severity s :
         {severity::info, severity::low, severity::medium, severity::high, severity::critical}) {
        if (to_string(s) == name) {
            return s;
        }
    }
    return std::nullopt;
}

std::string_view to_string(confidence c) noexcept {
    switch (c) {
        case confidence::low:
            return "low";
        case confidence::medium:
            return "medium";
        case confidence::high:
            return "high";
    }
    return "high";
}

int severity_number(severity s) noexcept {
    switch (s) {
        case severity::info:
            return 1;
        case severity::low:
            return 21;
        case severity::medium:
            return 47;
        case severity::high:
            return 73;
        case severity::critical:
            return 99;
    }
    return 47;
}

void rule_set::index() {
    by_event.assign(parsers::event_kind_count, {});
    by_followup.assign(parsers::event_kind_count, {});
    by_correlation.assign(parsers::event_kind_count, {});
    by_resolve_event.assign(parsers::event_kind_count, {});
    by_state.assign(ike::p1_state_count, {});
    by_id.clear();
    for (std::uint32_t i = 0; i < rules.size(); ++i) {
        const rule& r = rules[i];
        by_id.try_emplace(r.id, i);  // the first of equal ids, as a scan finds it
        for (std::size_t k = 0; k < parsers::event_kind_count; ++k) {
            if (r.kind != rule::type::state && r.events.test(k)) {
                by_event[k].push_back(i);
            }
            if (r.followups.test(k)) {
                by_followup[k].push_back(i);
            }
            if (r.with.enabled && r.with.events.test(k)) {
                by_correlation[k].push_back(i);
            }
            if (r.resolve.events.test(k)) {
                by_resolve_event[k].push_back(i);
            }
        }
        if (r.kind == rule::type::state) {
            for (std::size_t s = 0; s < ike::p1_state_count; ++s) {
                if (r.states.test(s)) {
                    by_state[s].push_back(i);
                }
            }
        }
    }
    for (std::size_t k = 0; k < parsers::event_kind_count; ++k) {
        read_kinds[k] =
            !by_event[k].empty() || !by_followup[k].empty() || !by_correlation[k].empty();
    }
    // Shortest time first: one timer per peer walks a state's rules in this order.
    for (std::vector<std::uint32_t>& list : by_state) {
        std::stable_sort(list.begin(), list.end(), [&](std::uint32_t a, std::uint32_t b) {
            return rules[a].for_ < rules[b].for_;
        });
    }
}

const rule* rule_set::find(std::string_view id) const {
    const std::size_t i = find_index(id);
    return i == std::string_view::npos ? nullptr : &rules[i];
}

std::size_t rule_set::find_index(std::string_view id) const {
    // The engine asks for an alert's rule on every line of its peer: by name once indexed.
    if (by_id.size() == rules.size()) {
        const auto it = by_id.find(id);
        return it == by_id.end() ? std::string_view::npos : it->second;
    }
    for (std::size_t i = 0; i < rules.size(); ++i) {
        if (rules[i].id == id) {
            return i;
        }
    }
    return std::string_view::npos;
}

}  // namespace ikewatch::rules

#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ike/ladder.hpp"
#include "ike/peer_table.hpp"
#include "outputs/alert_history.hpp"
#include "outputs/peers_format.hpp"
#include "rules/engine.hpp"

namespace ikewatch::outputs {

/// The JSON the web page draws (`/api/fleet`, `/api/peer/…`, `/api/alerts`, and the data of
/// `ikewatch replay --html`). The daemon computes everything shown — groups, ladder steps, who
/// waits for whom, diagnoses — and the page only draws it.
///
/// Every object carries the envelope `{"schema":1,"now":…,"seq":…,"live":…,"alerts_active":…}`:
/// `now` is the engine clock (the latest of the devices' clocks: log time in a replay), `seq`
/// the change counter the page polls with (also the ETag).

/// One pipeline shard's state, visited while no worker touches it.
struct shard_view {
    const ike::peer_table& table;
    const rules::engine* engine;  ///< null when no rules run
    const device_now_fn& now_of;  ///< a device's clock now
};
/// Calls its argument once for each shard.
using shard_visitor = std::function<void(const std::function<void(const shard_view&)>&)>;

/// A shard_visitor over a (sharded) pipeline: `clock(pipeline, device)` gives a device's clock.
template <typename Pipeline, typename Clock>
[[nodiscard]] shard_visitor visit_pipeline(const Pipeline& pipe, Clock clock) {
    return [&pipe, clock](const std::function<void(const shard_view&)>& f) {
        pipe.for_each_shard([&](const auto& p) {
            const device_now_fn now_of = [&](std::string_view device) { return clock(p, device); };
            f(shard_view{p.tracker().table(), p.engine(), now_of});
        });
    };
}

struct page_context {
    std::uint64_t seq = 0;
    bool live = true;         ///< durations move on between polls (daemon), or not (report)
    micros fallback_now = 0;  ///< `now` when no device has a clock yet
};

/// The fleet table's filters and page, as in `/api/fleet?q=…&group=stuck&device=…&code=…&
/// has_alert=1&limit=500&offset=0` (unknown keys are ignored, bad numbers use the defaults).
struct fleet_query {
    std::string q;  ///< text in device, peer, tunnel group, either state name or the code
    std::optional<ike::peer_group> group;
    std::string device;
    std::string code;
    bool has_alert = false;
    std::size_t limit = 500;  ///< at most max_limit
    std::size_t offset = 0;
    static constexpr std::size_t max_limit = 1000;
};

/// Decodes `%XX` escapes (and `+` as a space when `plus_is_space`); nullopt on a bad escape.
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

/// Parses a query string (without the `?`).
[[nodiscard]] fleet_query parse_fleet_query(std::string_view query);

/// The fleet view: counts per group (over the rows matching every filter but `group`), the
/// rows of the requested page (stuck first, then down, negotiating, established; the longest in
/// its state first), the device and code lists for the filter bar, and the sources line.
[[nodiscard]] nlohmann::json fleet_json(const shard_visitor& shards, const fleet_query& query,
                                        const page_context& ctx);

/// One peer (`now` is its device's clock): its row, the ladder, the other side when it logs too,
/// diagnoses, evidence lines (with the step each moved) and the state timeline; nullopt when the
/// peer is not known.
[[nodiscard]] std::optional<nlohmann::json> peer_page_json(const shard_visitor& shards,
                                                           std::string_view device,
                                                           std::string_view peer,
                                                           const page_context& ctx);

/// Active alerts (worst first), then those resolved in the 24 hours before `now`, as the alert
/// log writes them.
[[nodiscard]] nlohmann::json alerts_page_json(const shard_visitor& shards,
                                              const alert_history& history,
                                              const page_context& ctx);

/// The data of a report (`ikewatch replay --html`): `report` {now, inputs}, `fleet` (every
/// row), `alerts`, and `peers`: the peer views of up to `max_peers` peers, those not
/// established first.
[[nodiscard]] nlohmann::json report_json(const shard_visitor& shards, const alert_history& history,
                                         const page_context& ctx, std::string_view inputs,
                                         std::size_t max_peers = 1000);

/// A summary of everything the page shows that changes with events: when it differs from the
/// previous one, the change counter moves on.
struct page_fingerprint {
    std::uint64_t events = 0;  ///< events applied to peers (summed over the table)
    std::uint64_t peers = 0;
    std::uint64_t removed = 0;  ///< evicted + expired
    std::uint64_t alerts = 0;   ///< raised + resolved + repeats
    std::uint64_t history = 0;
    friend bool operator==(const page_fingerprint&, const page_fingerprint&) = default;
};
[[nodiscard]] page_fingerprint fingerprint(const shard_visitor& shards,
                                           const alert_history& history);

}  // namespace ikewatch::outputs

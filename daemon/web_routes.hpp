#pragma once

#include <functional>
#include <optional>

#include "common/time.hpp"
#include "daemon/status_server.hpp"
#include "outputs/alert_history.hpp"
#include "outputs/page_json.hpp"
#include "pipeline/sharded_pipeline.hpp"

namespace ikewatch::daemon {

/// The web page on the status endpoint: the same page for `/`, `/peer/<device>/<peer>` and
/// `/alerts` (when the request accepts text/html), its files under `/ui/`, and the JSON it polls:
/// `/api/fleet`, `/api/peer/<device>/<peer>` and `/api/alerts` (see outputs/page_json.hpp).
/// JSON answers carry `ETag: "seq-N"`, N a change counter that moves on when anything the page
/// shows changed; a request whose If-None-Match names the current one gets 304.
///
/// Runs on the event loop, like the status server and the alert fan-out.
class web_routes {
  public:
    web_routes(const pipeline::sharded_pipeline& pipe, std::function<micros()> wall_now);

    /// The page's answer, or nullopt for a request that is not the page's (the JSON API).
    [[nodiscard]] std::optional<status_reply> handle(const status_request& request);

    /// Every alert the daemon emits: resolves are kept for the alerts view.
    void record(const rules::alert& a) { history_.record(a); }

  private:
    [[nodiscard]] outputs::shard_visitor shards() const;
    [[nodiscard]] outputs::page_context context();
    [[nodiscard]] std::optional<status_reply> api(std::string_view path, std::string_view query,
                                                  const status_request& request);

    const pipeline::sharded_pipeline& pipe_;
    std::function<micros()> wall_now_;
    outputs::alert_history history_;
    outputs::page_fingerprint last_;
    std::uint64_t seq_ = 0;
};

/// Splits `/peer/<device>/<peer>` after its prefix into the two percent-decoded segments.
[[nodiscard]] std::optional<std::pair<std::string, std::string>> split_peer_path(
    std::string_view rest);

}  // namespace ikewatch::daemon

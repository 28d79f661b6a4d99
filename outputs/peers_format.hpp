#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "ike/peer_table.hpp"

namespace ikewatch::outputs {

/// One peer as JSON: device, peer, ike_version, state (ASA name), state_ios, role, mode, status,
/// phase2, since, retransmits, … and the evidence lines.
[[nodiscard]] nlohmann::json peer_json(const ike::peer_table& table, const ike::peer_record& p);

/// Every peer as a JSON array, ordered by device then peer.
[[nodiscard]] nlohmann::json peers_json(const ike::peer_table& table);

/// A fleet-wide `show crypto isakmp sa`: one block per device, one row per peer, with role, mode,
/// how long the state has lasted at `now`, phase 2 and the last event. Untrusted text (device
/// names, groups) is made printable.
[[nodiscard]] std::string peers_text(const ike::peer_table& table, micros now);

/// The same from the JSON form (used by `ikewatch status`, which reads a daemon's /peers).
[[nodiscard]] std::string peers_text(const nlohmann::json& peers, micros now);

/// Replaces control characters and escapes so text cannot forge lines or terminal output.
[[nodiscard]] std::string printable(std::string_view s);

}  // namespace ikewatch::outputs

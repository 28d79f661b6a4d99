#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "ike/peer_table.hpp"

namespace ikewatch::outputs {

/// A device's clock now (0: unknown).
using device_now_fn = std::function<micros(std::string_view device)>;

/// One peer as JSON: device, peer, ike_version, state (ASA name), state_ios, role, mode, status,
/// phase2, since, state_for_s (seconds in the state on its device's clock, when known),
/// retransmits, … and the evidence lines.
[[nodiscard]] nlohmann::json peer_json(const ike::peer_table& table, const ike::peer_record& p,
                                       const device_now_fn& now_of = {});

/// Every peer as a JSON array, ordered by device then peer.
[[nodiscard]] nlohmann::json peers_json(const ike::peer_table& table,
                                        const device_now_fn& now_of = {});

/// A fleet-wide `show crypto isakmp sa` from the JSON form: one block per device, one row per
/// peer, with role, mode, how long the state has lasted, phase 2 and the last event. Untrusted
/// text (device names, groups) is made printable.
[[nodiscard]] std::string peers_text(const nlohmann::json& peers);

/// Replaces control characters and escapes so text cannot forge lines or terminal output.
[[nodiscard]] std::string printable(std::string_view s);

}  // namespace ikewatch::outputs

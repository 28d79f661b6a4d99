#pragma once

#include <cstdint>

#include <nlohmann/json_fwd.hpp>

#include "ike/peer_table.hpp"

namespace ikewatch::pipeline {

/// One peer record of `table` as a device snapshot holds it (see device_snapshot.hpp): every
/// field, the evidence lines the table's store still holds oldest first, the ladder; enums as
/// their numbers (the snapshot's format version pins them). `lines`: how many lines named the
/// peer (its eviction class).
[[nodiscard]] nlohmann::json peer_to_json(const ike::peer_table& table, const ike::peer_record& p,
                                          std::uint8_t lines);

/// Fills `p` (a record `table` just created for the peer) from `j`, its evidence lines into the
/// table's store; throws `snapshot_invalid` (device_snapshot.hpp) or nlohmann's exceptions on a
/// malformed record.
void peer_from_json(const nlohmann::json& j, ike::peer_table& table, ike::peer_record& p);

}  // namespace ikewatch::pipeline

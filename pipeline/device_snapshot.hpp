#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace ikewatch::pipeline {

/// Everything the pipeline keeps for one device, taken between two records so that it can be
/// restored into another pipeline (another instance, after a failover) and go on exactly as the
/// first would have: the device's clock and timestamp memory, its peers (records, evidence
/// rings, ladders, eviction classes), its IOS connection ids, and the rule engine's state for
/// it (per-rule windows, pending absences and correlations, raised alerts, suppression memory,
/// pending timers).
///
/// Not in a snapshot: lines waiting for the device's first timed line (file replay only; the
/// daemon never holds any), and pasted `show` output still being read (a table is ended by the
/// next log line, and snapshots are taken between batches).
///
/// Encoded as CBOR (RFC 8949) of the object below: binary, because evidence lines are untrusted
/// bytes that must come back unchanged (JSON text would have to replace invalid UTF-8), and a
/// quarter smaller than the same object as JSON text (about 1.8 KB per peer).
///
///     {"format": "ikewatch-device-state", "version": 1, "device": NAME,
///      "input": {"topic": T, "partition": P, "offset": O},     (optional: what the state covers)
///      "state": {"clock": …, "time": …, "flags": …, "peers": […], "conns": […], "engine": …}}
struct device_snapshot {
    static constexpr std::string_view format = "ikewatch-device-state";
    static constexpr int version = 1;

    std::string device;
    nlohmann::json state;  ///< written and read by pipeline::save_devices / restore_device
    /// The input records the state covers: every record of `topic`/`partition` below
    /// `offset` (the daemon's Kafka input; empty topic when not from Kafka).
    std::string topic;
    std::int32_t partition = -1;
    std::int64_t offset = -1;
};

/// The snapshot's bytes (see device_snapshot).
[[nodiscard]] std::string encode_snapshot(const device_snapshot& s);

/// Reads a snapshot's bytes: refuses what is not CBOR, another format, another version, or a
/// device name that is missing, with a sentence that says which. The state itself is checked
/// when it is restored (pipeline::restore_device).
[[nodiscard]] result<device_snapshot, std::string> decode_snapshot(std::string_view bytes);

}  // namespace ikewatch::pipeline

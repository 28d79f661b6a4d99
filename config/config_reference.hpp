#pragma once

#include <string>

namespace ikewatch::config {

/// Every configuration key, in table order, for people (`ikewatchd --config-reference`). The
/// format is stable: a block per key, blocks separated by an empty line, each block the key's
/// dotted path on its own line, then these lines in this order, each indented by two spaces:
///
/// ```text
/// listen.udp_receive_buffer
///   type: size
///   default: 8MiB
///   limits: at least 4096 bytes
///   reloadable: no
///   description: SO_RCVBUF of each UDP socket; the kernel caps it at net.core.rmem_max.
/// ```
///
/// `limits` is `-` for a key with none; `reloadable` is `yes` when SIGHUP applies the key and
/// `no` when a change waits for a restart. A forwarder's keys are `forwarders[].KEY`.
[[nodiscard]] std::string config_reference_text();

/// The same as a JSON array of objects (`--config-reference=json`, for generated manuals):
/// `{"key", "type", "default", "limits", "choices" (enum keys), "reloadable", "required",
/// "description"}`.
[[nodiscard]] std::string config_reference_json();

}  // namespace ikewatch::config

#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "parsers/cisco_message.hpp"
#include "parsers/decoders.hpp"
#include "parsers/event.hpp"
#include "parsers/syslog_record.hpp"

namespace ikewatch::parsers {

/// One row of the ASA/PIX/FTD message registry: a numeric id and its decoder.
struct asa_message {
    std::uint32_t id;
    decoders::decode_fn decode;
    bool peer_context;  ///< text starts with `Group = …, Username = …, IP = …`
};

/// The registry, sorted by id. Adding a message is one row here plus its test.
[[nodiscard]] std::span<const asa_message> asa_messages() noexcept;

/// Fills `e` (kind, peer, fields, severity, family, id) from one framed record and its Cisco
/// message. Unknown ids are not errors: they come back as `event_kind::other`. Device, time and
/// raw text are set by the caller. Never allocates, never throws.
void decode_event(const syslog_record& rec, const cisco_message& msg, event& e) noexcept;

}  // namespace ikewatch::parsers

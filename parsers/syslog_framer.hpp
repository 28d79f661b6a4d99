#pragma once

#include <string_view>

#include "common/result.hpp"
#include "parsers/header_time_parser.hpp"
#include "parsers/parse_error.hpp"
#include "parsers/syslog_record.hpp"

namespace ikewatch::parsers {

/// Splits one record (one line, or one line plus its continuation lines) into syslog header
/// fields. Never allocates, never throws. Every view in the result points into `record`.
///
/// The header is whatever precedes the Cisco message. Real devices and relays stack these
/// elements in many orders, so the framer first finds where the Cisco message starts (a marker)
/// and then reads the header elements before it, left to right:
/// ```
///   record  := [ "<" PRI ">" ] { element } body
///   element := stamp                              ; see header_time_parser.hpp
///            | SEQ ":"                            ; IOS sequence number `585917:`
///            | HOST [" "] [":"]                   ; the last one is the device
///            | TAG "[" PID "]" ":"                ; `CiscoASA[999]:`
///            | IP ":" PORT " : " FACILITY "." LEVEL   ; relay prefix (PIX via a collector)
///            | "Original Address=" IP             ; Kiwi relay
///            | "1 " iso HOST APP PROCID MSGID [SD] ; RFC 5424 header
///            | SEV "|" stamp "|"                  ; pipe-separated relay
///   body    := marker …
///   marker  := "%" FAC ["<…>"] "-" …              ; %ASA-6-302013:, %CRYPTO-4-IKMP_NO_SA:
///            | ("ASA"|"PIX"|"FTD"|"FWSM") "-" SEV "-" ID     ; tag without %
///            | "[IKEv" … | "ISAKMP" … | "IPSEC" … | "CryptoEngine" … | "CRYPTO_ENGINE" …
///            | "Group = " … | "IP = " …           ; ASA console lines without an id
///            | "IKEv2-" … | "IKEv2:" …            ; IKEv2 debug (ASA PROTO/PLAT, IOS)
///            | "(" DIGITS "):" …                  ; ASA IKEv2 debug under its SA id (line start)
/// ```
/// When no marker is found (bare bodies such as `Deny TCP (no connection) …`), only a strict
/// header is accepted (PRI, sequence numbers, timestamps, and a host right after a timestamp
/// when followed by a colon or when it is an address) and the rest is the body.
/// The usual ASA/FTD/PIX header (`<PRI>Mon DD [YYYY ]HH:MM:SS[:] [HOST[ :|:]] %FAC-…`) takes a
/// fast path read at fixed positions; it gives exactly what the general reading gives.
[[nodiscard]] result<syslog_record, parse_error> frame_syslog(std::string_view record) noexcept;

/// frame_syslog without the fast path (to check that both agree).
[[nodiscard]] result<syslog_record, parse_error> frame_syslog_general(
    std::string_view record) noexcept;

/// frame_syslog for a stream of records, one thread's: it remembers the last time stamp it read
/// at fixed positions, so that the next record that starts with the same bytes (most do, as lines
/// come in bursts within a second) is framed without reading its stamp again.
class syslog_framer {
  public:
    [[nodiscard]] result<syslog_record, parse_error> operator()(std::string_view record) noexcept;

  private:
    fixed_stamp_memo stamps_;
};

/// The position of the Cisco message marker in `line`, or npos.
[[nodiscard]] std::size_t find_marker(std::string_view line) noexcept;

}  // namespace ikewatch::parsers

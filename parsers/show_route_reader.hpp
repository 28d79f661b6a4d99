#pragma once

#include <string_view>
#include <vector>

#include "common/ip_address.hpp"

namespace ikewatch::parsers {

/// Reads a routing table pasted from `show ip route` (IOS) or `show route` (ASA), one trimmed
/// line at a time, so that a peer address with no route can be told:
///
///     Gateway of last resort is not set
///     C        15.1.1.0/24 is directly connected, GigabitEthernet0/1
///     S        0.0.0.0/0 [1/0] via 203.0.113.1
///     S 0.0.0.0 0.0.0.0 [1/0] via 203.0.113.1, outside          (ASA: address and mask)
class show_route_reader {
  public:
    void feed(std::string_view line);
    /// True once a table was read (a gateway line or a route).
    [[nodiscard]] bool has_table() const noexcept { return table_; }
    /// True when the table read has a route covering `address` (the default route included).
    [[nodiscard]] bool routes(const ip_address& address) const noexcept;
    void clear() noexcept;

  private:
    std::vector<cidr> routes_;
    bool table_ = false;
    bool default_ = false;
};

}  // namespace ikewatch::parsers

#pragma once

#include <string>

namespace ikewatch::daemon {

/// Running as root is refused unless allowed: syslog comes from the network, and a parser bug
/// should not hand anyone root. Started as root with a `user` configured, the daemon binds its
/// sockets (port 514 needs root or CAP_NET_BIND_SERVICE) and then becomes that user, for good.
/// Under systemd the unit starts it as its own user with only CAP_NET_BIND_SERVICE instead.
struct privilege_plan {
    std::string user;
    bool allow_root = false;
};

/// Before binding: false with `error` when the daemon must not start (root, no user, not allowed).
[[nodiscard]] bool check_privileges(const privilege_plan& plan, std::string& error);

/// After binding: switches to `plan.user` when running as root (groups, gid, uid) and checks
/// that root cannot be regained. True when nothing had to change.
[[nodiscard]] bool drop_privileges(const privilege_plan& plan, std::string& error);

}  // namespace ikewatch::daemon

#include "daemon/privileges.hpp"

#include <cerrno>
#include <cstring>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace ikewatch::daemon {

bool check_privileges(const privilege_plan& plan, std::string& error) {
    if (::geteuid() != 0 || !plan.user.empty() || plan.allow_root) {
        return true;
    }
    error =
        "refusing to run as root: set `user:` (or --user) to the account to run as after "
        "binding, or `allow_root: true` (--allow-root) to run as root anyway";
    return false;
}

bool drop_privileges(const privilege_plan& plan, std::string& error) {
    if (::geteuid() != 0 || plan.user.empty()) {
        return true;
    }
    errno = 0;
    const passwd* pw = ::getpwnam(plan.user.c_str());
    if (pw == nullptr) {
        error = "user '" + plan.user + "' does not exist";
        return false;
    }
    const uid_t uid = pw->pw_uid;
    const gid_t gid = pw->pw_gid;
    if (::initgroups(plan.user.c_str(), gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) {
        error = "cannot become '" + plan.user + "': " + std::strerror(errno);
        return false;
    }
    if (uid != 0 && (::setuid(0) == 0 || ::geteuid() == 0)) {
        error = "root privileges could be regained after switching to '" + plan.user + "'";
        return false;
    }
    return true;
}

}  // namespace ikewatch::daemon

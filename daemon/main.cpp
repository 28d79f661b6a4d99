// ikewatchd: receives Cisco syslog over UDP and TCP, rebuilds the IKE state of every peer and
// writes diagnoses to the alert log. See README.md ("Running the daemon").

#include <algorithm>
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "config/config_loader.hpp"
#include "daemon/app.hpp"
#include "daemon/privileges.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_runtime = 1;
constexpr int exit_usage = 2;
constexpr int exit_config = 78;  // EX_CONFIG: systemd's RestartPreventExitStatus

}  // namespace

int main(int argc, char** argv) {
    using ikewatch::config::endpoint;
    CLI::App cli{"ikewatchd: why is this IPsec tunnel not coming up? (Cisco syslog receiver)"};
    cli.set_version_flag("--version", std::string(IKEWATCH_VERSION));
    std::string config_path;
    std::vector<std::string> udp;
    std::vector<std::string> tcp;
    std::vector<std::string> rule_paths;
    std::string alert_log;
    std::string alert_format;
    std::string status;
    std::string log_level;
    std::vector<std::string> forwards;
    std::string forward_format = "rfc5424";
    std::string state_dir;
    std::size_t workers = 0;
    std::string user;
    bool allow_root = false;
    bool check_only = false;
    cli.add_option("--config", config_path,
                   "Configuration file (YAML), e.g. /etc/ikewatch/ikewatch.yaml");
    cli.add_option("--udp", udp,
                   "Listen for syslog on UDP ADDR:PORT (repeatable; replaces listen.udp)");
    cli.add_option("--tcp", tcp,
                   "Listen for syslog on TCP ADDR:PORT (repeatable; replaces listen.tcp)");
    cli.add_option("--rules", rule_paths,
                   "Rule file or directory (repeatable; replaces rules.paths; the shipped pack is "
                   "always loaded)");
    cli.add_option("--alert-log", alert_log,
                   "Alert log file (replaces alerts.log; - for standard output)");
    cli.add_option("--alert-format", alert_format, "json or text")
        ->check(CLI::IsMember({"json", "text"}));
    cli.add_option("--status", status,
                   "Status endpoint ADDR:PORT, or off (replaces status.listen)");
    cli.add_option("--log-level", log_level, "trace, debug, info, warn, error")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    cli.add_option("--forward", forwards,
                   "Forward alerts to udp://, tcp://, tls://, http:// or https:// HOST:PORT "
                   "(repeatable; replaces the configured forwarders)");
    cli.add_option("--forward-format", forward_format, "rfc5424, cef, leef or json (for --forward)")
        ->check(CLI::IsMember({"rfc5424", "cef", "leef", "json"}));
    cli.add_option("--workers", workers,
                   "Pipeline threads; each device's lines stay on one (replaces workers)")
        ->check(CLI::Range(1, 64));
    cli.add_option("--state-dir", state_dir,
                   "Directory for the forwarders' spools (replaces state_dir)");
    cli.add_option("--user", user, "When started as root: the user to become after binding");
    cli.add_flag("--allow-root", allow_root, "Run as root (refused otherwise)");
    cli.add_flag("--check-config", check_only,
                 "Validate configuration and rules, then exit 0 (ok) or 78");
    CLI11_PARSE(cli, argc, argv);

    auto logger = spdlog::stderr_color_mt("ikewatchd");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_default_logger(logger);

    // Flags override the file; they are kept across reloads.
    bool usage_error = false;
    const auto parse_endpoints = [&](const std::vector<std::string>& in, const char* what) {
        std::vector<endpoint> out;
        for (const std::string& s : in) {
            if (const auto e = endpoint::parse(s)) {
                out.push_back(*e);
            } else {
                std::cerr << "ikewatchd: " << what << " '" << s << "' is not ADDR:PORT\n";
                usage_error = true;
            }
        }
        return out;
    };
    const std::vector<endpoint> udp_eps = parse_endpoints(udp, "--udp");
    const std::vector<endpoint> tcp_eps = parse_endpoints(tcp, "--tcp");
    std::optional<std::optional<endpoint>> status_ep;
    if (!status.empty()) {
        if (status == "off") {
            status_ep = std::optional<endpoint>{};
        } else if (const auto e = endpoint::parse(status)) {
            status_ep = e;
        } else {
            std::cerr << "ikewatchd: --status '" << status << "' is not ADDR:PORT or off\n";
            usage_error = true;
        }
    }
    for (std::size_t i = 0; i < forwards.size(); ++i) {
        const std::string& url = forwards[i];
        // The URL names the forwarder, its metrics and its spool directory.
        const std::string spool = ikewatch::config::spool_dir_name(url);
        if (std::any_of(forwards.begin(), forwards.begin() + static_cast<std::ptrdiff_t>(i),
                        [&](const std::string& u) {
                            return ikewatch::config::spool_dir_name(u) == spool;
                        })) {
            std::cerr << "ikewatchd: --forward '" << url << "' is given twice\n";
            usage_error = true;
        }
        if (!ikewatch::config::forward_url_ok(url)) {
            std::cerr << "ikewatchd: --forward '" << url
                      << "' is not udp://, tcp://, tls://, http:// or https:// HOST[:PORT]\n";
            usage_error = true;
        }
    }
    if (usage_error) {
        return exit_usage;
    }
    ikewatch::daemon::launch how;
    how.config_path = config_path;
    how.overrides = [=](ikewatch::config::daemon_config& c) {
        if (!udp_eps.empty()) {
            c.udp = udp_eps;
        }
        if (!tcp_eps.empty()) {
            c.tcp = tcp_eps;
        }
        if (!rule_paths.empty()) {
            c.rule_paths = rule_paths;
        }
        if (!alert_log.empty()) {
            c.alert_log = alert_log == "-" ? std::string() : alert_log;
        }
        if (!alert_format.empty()) {
            c.alert_format = alert_format;
        }
        if (status_ep) {
            c.status = *status_ep;
        }
        if (!log_level.empty()) {
            c.log_level = log_level;
        }
        if (!forwards.empty()) {
            c.forwarders.clear();
            for (const std::string& url : forwards) {
                ikewatch::config::forwarder_config f;
                f.name = url;
                f.url = url;
                // HTTP(S) posts JSON whatever --forward-format says (it applies to the others).
                f.format = url.starts_with("http") ? "json" : forward_format;
                c.forwarders.push_back(std::move(f));
            }
        }
        if (workers != 0) {
            c.workers = workers;
        }
        if (!state_dir.empty()) {
            c.state_dir = state_dir;
        }
        if (!user.empty()) {
            c.user = user;
        }
        if (allow_root) {
            c.allow_root = true;
        }
    };

    ikewatch::daemon::loaded_setup setup = ikewatch::daemon::load_setup(how);
    for (const ikewatch::diagnostic& d : setup.problems) {
        std::cerr << d.to_string() << '\n';
    }
    if (!setup.ok()) {
        std::cerr << "ikewatchd: " << setup.problems.size()
                  << " problem(s) in the configuration or rules\n";
        return exit_config;
    }
    if (check_only) {
        std::cout << "ok: configuration and " << setup.rules->rules.size() << " rules\n";
        return exit_ok;
    }
    spdlog::set_level(spdlog::level::from_str(setup.config.log_level));

    const ikewatch::daemon::privilege_plan privileges{setup.config.user, setup.config.allow_root};
    std::string error;
    if (!ikewatch::daemon::check_privileges(privileges, error)) {
        spdlog::critical("{}", error);
        return exit_config;
    }
    ikewatch::daemon::app daemon(how, std::move(setup));
    if (!daemon.bind(error)) {
        spdlog::critical("{}", error);
        return exit_runtime;
    }
    if (!ikewatch::daemon::drop_privileges(privileges, error)) {
        spdlog::critical("{}", error);
        return exit_runtime;
    }
    if (!privileges.user.empty() && ::getuid() != 0) {
        spdlog::info("running as {}", privileges.user);
    }
    if (!daemon.open_outputs(error)) {
        spdlog::critical("{}", error);
        return exit_runtime;
    }
    return daemon.run();
}

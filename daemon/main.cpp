// ikewatchd: receives Cisco syslog over UDP and TCP, rebuilds the IKE state of every peer and
// writes diagnoses to the alert log. See README.md ("Running the daemon").

#include <algorithm>
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "common/enum_option.hpp"
#include "config/config_loader.hpp"
#include "config/config_reference.hpp"
#include "daemon/app.hpp"
#include "daemon/privileges.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_runtime = 1;
constexpr int exit_usage = 2;
constexpr int exit_config = 78;  // EX_CONFIG: systemd's RestartPreventExitStatus

}  // namespace

// An exception that reaches here (out of memory, a bug) should end the process.
// NOLINTNEXTLINE(bugprone-exception-escape)
int main(int argc, char** argv) {
    using ikewatch::add_enum_option;
    using ikewatch::config::endpoint;
    using ikewatch::config::log_level;
    using ikewatch::outputs::output_format;
    using ikewatch::outputs::siem_format;
    CLI::App cli{"ikewatchd: why is this IPsec tunnel not coming up? (Cisco syslog receiver)"};
    cli.set_version_flag("--version", std::string(IKEWATCH_VERSION));
    std::string config_path;
    std::vector<std::string> udp;
    std::vector<std::string> tcp;
    std::vector<std::string> rule_paths;
    std::string alert_log;
    std::optional<output_format> alert_format;
    std::string status;
    std::optional<log_level> level;
    std::vector<std::string> forwards;
    siem_format forward_format = siem_format::rfc5424;
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
    add_enum_option<output_format>(cli, "--alert-format", alert_format,
                                   "Alert log format (replaces alerts.format)");
    cli.add_option("--status", status,
                   "Status endpoint ADDR:PORT, or off (replaces status.listen)");
    add_enum_option<log_level>(cli, "--log-level", level,
                               "Operational log level (replaces log.level)");
    cli.add_option("--forward", forwards,
                   "Forward alerts to " + ikewatch::outputs::forward_scheme_list() +
                       " HOST:PORT (repeatable; replaces the configured forwarders)");
    add_enum_option<siem_format>(
        cli, "--forward-format", forward_format,
        "Format for --forward, default rfc5424; http(s) forwarders send json");
    cli.add_option("--workers", workers,
                   "Pipeline threads; each device's lines stay on one (replaces workers)")
        ->check(CLI::Range(1, 64));
    cli.add_option("--state-dir", state_dir,
                   "Directory for the forwarders' spools (replaces state_dir)");
    cli.add_option("--user", user, "When started as root: the user to become after binding");
    cli.add_flag("--allow-root", allow_root, "Run as root (refused otherwise)");
    cli.add_flag("--check-config", check_only,
                 "Validate configuration and rules, then exit 0 (ok) or 78");
    std::string reference;
    const CLI::Option* reference_flag =
        cli.add_option("--config-reference", reference,
                       "Print every configuration key (type, default, limits, whether SIGHUP "
                       "applies it, description) and exit; =json prints JSON")
            ->expected(0, 1)
            ->check(CLI::IsMember(ikewatch::names_of<output_format>()));
    CLI11_PARSE(cli, argc, argv);

    if (reference_flag->count() > 0) {
        std::cout << (ikewatch::from_string<output_format>(reference) == output_format::json
                          ? ikewatch::config::config_reference_json()
                          : ikewatch::config::config_reference_text());
        return exit_ok;
    }

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
            std::cerr << "ikewatchd: --forward '" << url << "' is not "
                      << ikewatch::outputs::forward_scheme_list() << " HOST[:PORT]\n";
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
        if (alert_format) {
            c.alert_format = *alert_format;
        }
        if (status_ep) {
            c.status = *status_ep;
        }
        if (level) {
            c.log_level = *level;
        }
        if (!forwards.empty()) {
            c.forwarders.clear();
            for (const std::string& url : forwards) {
                ikewatch::outputs::forwarder_settings f;
                f.name = url;
                f.url = url;
                // --forward-format applies to the forwarders that can send it.
                const auto scheme = ikewatch::config::forward_scheme_of(url);
                f.format = scheme && ikewatch::outputs::sends_json_only(*scheme) ? siem_format::json
                                                                                 : forward_format;
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
    ikewatch::daemon::set_log_level(setup.config.log_level);

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

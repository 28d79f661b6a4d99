// ikewatchd: receives Cisco syslog over UDP, TCP and TLS, rebuilds the IKE state of every peer and
// writes diagnoses to the alert log. See README.md ("Running the daemon").

#include <algorithm>
#include <cstdio>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

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

using ikewatch::config::endpoint;
using ikewatch::config::log_level;
using ikewatch::outputs::output_format;
using ikewatch::outputs::siem_format;

/// The command line as given; flags override the configuration file and are kept across reloads.
struct flags {
    std::string config_path;
    std::vector<std::string> udp;
    std::vector<std::string> tcp;
    std::vector<std::string> tls;
    std::string tls_cert;
    std::string tls_key;
    std::string tls_ca;
    bool tls_require_client_cert = false;
    std::vector<std::string> rule_paths;
    std::string alert_log;
    std::optional<output_format> alert_format;
    std::string status;
    std::optional<log_level> level;
    std::vector<std::string> forwards;
    siem_format forward_format = siem_format::rfc5424;
    std::string state_dir;
    std::size_t workers = 0;
    std::string kafka_brokers;
    std::vector<std::string> kafka_topics;
    std::string kafka_group;
    std::string kafka_checkpoint_topic;
    std::string user;
    bool allow_root = false;
    bool check_only = false;
    std::string reference;
};

/// The flags whose text must parse: listen endpoints and the status endpoint.
struct parsed_flags {
    std::vector<endpoint> udp;
    std::vector<endpoint> tcp;
    std::vector<endpoint> tls;
    std::optional<std::optional<endpoint>> status;  ///< unset: not given; set to nullopt: `off`
};

const CLI::Option* add_options(CLI::App& cli, flags& f) {
    using ikewatch::add_enum_option;
    cli.add_option("--config", f.config_path,
                   "Configuration file (YAML), e.g. /etc/ikewatch/ikewatch.yaml");
    cli.add_option("--udp", f.udp,
                   "Listen for syslog on UDP ADDR:PORT (repeatable; replaces listen.udp)");
    cli.add_option("--tcp", f.tcp,
                   "Listen for syslog on TCP ADDR:PORT (repeatable; replaces listen.tcp)");
    cli.add_option("--tls", f.tls,
                   "Listen for syslog over TLS (RFC 5425) on ADDR:PORT (repeatable; replaces "
                   "listen.tls; needs a certificate and key)");
    cli.add_option("--tls-cert", f.tls_cert,
                   "TLS listener's certificate chain, PEM (replaces tls.cert)");
    cli.add_option("--tls-key", f.tls_key, "TLS listener's private key, PEM (replaces tls.key)");
    cli.add_option("--tls-ca", f.tls_ca,
                   "CA bundle (PEM) that client certificates must chain to (replaces tls.ca)");
    cli.add_flag("--tls-require-client-cert", f.tls_require_client_cert,
                 "Refuse TLS clients without a certificate signed by the CA (sets "
                 "tls.require_client_cert)");
    cli.add_option("--rules", f.rule_paths,
                   "Rule file or directory (repeatable; replaces rules.paths; the shipped pack is "
                   "always loaded)");
    cli.add_option("--alert-log", f.alert_log,
                   "Alert log file (replaces alerts.log; - for standard output)");
    add_enum_option<output_format>(cli, "--alert-format", f.alert_format,
                                   "Alert log format (replaces alerts.format)");
    cli.add_option("--status", f.status,
                   "Status endpoint ADDR:PORT, or off (replaces status.listen)");
    add_enum_option<log_level>(cli, "--log-level", f.level,
                               "Operational log level (replaces log.level)");
    cli.add_option("--forward", f.forwards,
                   "Forward alerts to " + ikewatch::outputs::forward_scheme_list() +
                       " HOST:PORT (repeatable; replaces the configured forwarders)");
    add_enum_option<siem_format>(
        cli, "--forward-format", f.forward_format,
        "Format for --forward, default rfc5424; http(s) forwarders send json");
    cli.add_option("--workers", f.workers,
                   "Pipeline threads; each device's lines stay on one (replaces workers)")
        ->check(CLI::Range(1, 64));
    cli.add_option("--state-dir", f.state_dir,
                   "Directory for the forwarders' spools (replaces state_dir)");
    cli.add_option("--kafka-brokers", f.kafka_brokers,
                   "Read syslog lines from Kafka too: bootstrap servers HOST:PORT[,HOST:PORT]");
    cli.add_option("--kafka-topic", f.kafka_topics,
                   "Kafka topic of raw syslog lines (repeat for more)");
    cli.add_option("--kafka-group", f.kafka_group, "Kafka consumer group");
    cli.add_option("--kafka-checkpoint-topic", f.kafka_checkpoint_topic,
                   "Compacted Kafka topic for per-device state across failovers (replaces "
                   "kafka.checkpoint_topic)");
    cli.add_option("--user", f.user, "When started as root: the user to become after binding");
    cli.add_flag("--allow-root", f.allow_root, "Run as root (refused otherwise)");
    cli.add_flag("--check-config", f.check_only,
                 "Validate configuration and rules, then exit 0 (ok) or 78");
    return cli
        .add_option("--config-reference", f.reference,
                    "Print every configuration key (type, default, limits, whether SIGHUP "
                    "applies it, description) and exit; =json prints JSON")
        ->expected(0, 1)
        ->check(CLI::IsMember(ikewatch::names_of<output_format>()));
}

/// Checks the flags that carry addresses and URLs; says what is wrong on standard error.
bool parse_flags(const flags& f, parsed_flags& out) {
    bool ok = true;
    const auto parse_endpoints = [&](const std::vector<std::string>& in, const char* what) {
        std::vector<endpoint> eps;
        for (const std::string& s : in) {
            if (const auto e = endpoint::parse(s)) {
                eps.push_back(*e);
            } else {
                std::cerr << "ikewatchd: " << what << " '" << s << "' is not ADDR:PORT\n";
                ok = false;
            }
        }
        return eps;
    };
    out.udp = parse_endpoints(f.udp, "--udp");
    out.tcp = parse_endpoints(f.tcp, "--tcp");
    out.tls = parse_endpoints(f.tls, "--tls");
    if (!f.status.empty()) {
        if (f.status == "off") {
            out.status = std::optional<endpoint>{};
        } else if (const auto e = endpoint::parse(f.status)) {
            out.status = e;
        } else {
            std::cerr << "ikewatchd: --status '" << f.status << "' is not ADDR:PORT or off\n";
            ok = false;
        }
    }
    for (std::size_t i = 0; i < f.forwards.size(); ++i) {
        const std::string& url = f.forwards[i];
        // The URL names the forwarder, its metrics and its spool directory.
        const std::string spool = ikewatch::config::spool_dir_name(url);
        if (std::any_of(f.forwards.begin(), f.forwards.begin() + static_cast<std::ptrdiff_t>(i),
                        [&](const std::string& u) {
                            return ikewatch::config::spool_dir_name(u) == spool;
                        })) {
            std::cerr << "ikewatchd: --forward '" << url << "' is given twice\n";
            ok = false;
        }
        if (!ikewatch::config::forward_url_ok(url)) {
            std::cerr << "ikewatchd: --forward '" << url << "' is not "
                      << ikewatch::outputs::forward_scheme_list() << " HOST[:PORT]\n";
            ok = false;
        }
    }
    return ok;
}

/// The forwarders `--forward` names, each in `--forward-format` where its transport can send it.
std::vector<ikewatch::outputs::forwarder_settings> forwarders_from(const flags& f) {
    std::vector<ikewatch::outputs::forwarder_settings> out;
    for (const std::string& url : f.forwards) {
        ikewatch::outputs::forwarder_settings s;
        s.name = url;
        s.url = url;
        const auto scheme = ikewatch::config::forward_scheme_of(url);
        s.format = scheme && ikewatch::outputs::sends_json_only(*scheme) ? siem_format::json
                                                                         : f.forward_format;
        out.push_back(std::move(s));
    }
    return out;
}

/// Applies the flags that were given over a configuration read from the file.
std::function<void(ikewatch::config::daemon_config&)> overrides_from(const flags& f,
                                                                     const parsed_flags& p) {
    return [f, p, forwarders = forwarders_from(f)](ikewatch::config::daemon_config& c) {
        if (!p.udp.empty()) {
            c.udp = p.udp;
        }
        if (!p.tcp.empty()) {
            c.tcp = p.tcp;
        }
        if (!p.tls.empty()) {
            c.tls = p.tls;
        }
        if (!f.tls_cert.empty()) {
            c.tls_server.cert = f.tls_cert;
        }
        if (!f.tls_key.empty()) {
            c.tls_server.key = f.tls_key;
        }
        if (!f.tls_ca.empty()) {
            c.tls_server.ca = f.tls_ca;
        }
        if (f.tls_require_client_cert) {
            c.tls_server.require_client_cert = true;
        }
        if (!f.rule_paths.empty()) {
            c.rule_paths = f.rule_paths;
        }
        if (!f.alert_log.empty()) {
            c.alert_log = f.alert_log == "-" ? std::string() : f.alert_log;
        }
        if (f.alert_format) {
            c.alert_format = *f.alert_format;
        }
        if (p.status) {
            c.status = *p.status;
        }
        if (f.level) {
            c.log_level = *f.level;
        }
        if (!forwarders.empty()) {
            c.forwarders = forwarders;
        }
        if (f.workers != 0) {
            c.workers = f.workers;
        }
        if (!f.state_dir.empty()) {
            c.state_dir = f.state_dir;
        }
        if (!f.kafka_brokers.empty()) {
            c.kafka_brokers = f.kafka_brokers;
        }
        if (!f.kafka_topics.empty()) {
            c.kafka_topics = f.kafka_topics;
        }
        if (!f.kafka_group.empty()) {
            c.kafka_group = f.kafka_group;
        }
        if (!f.kafka_checkpoint_topic.empty()) {
            c.kafka_checkpoint_topic = f.kafka_checkpoint_topic;
        }
        if (!f.user.empty()) {
            c.user = f.user;
        }
        if (f.allow_root) {
            c.allow_root = true;
        }
    };
}

/// Binds as the starting user, drops privileges, opens the outputs, then serves until stopped.
int serve(const ikewatch::daemon::launch& how, ikewatch::daemon::loaded_setup setup) {
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

}  // namespace

// An exception that reaches here (out of memory, a bug) should end the process.
// NOLINTNEXTLINE(bugprone-exception-escape)
int main(int argc, char** argv) {
    CLI::App cli{"ikewatchd: why is this IPsec tunnel not coming up? (Cisco syslog receiver)"};
    cli.set_version_flag("--version", std::string(IKEWATCH_VERSION));
    flags f;
    const CLI::Option* reference_flag = add_options(cli, f);
    CLI11_PARSE(cli, argc, argv);

    if (reference_flag->count() > 0) {
        std::cout << (ikewatch::from_string<output_format>(f.reference) == output_format::json
                          ? ikewatch::config::config_reference_json()
                          : ikewatch::config::config_reference_text());
        return exit_ok;
    }

    auto logger = spdlog::stderr_color_mt("ikewatchd");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_default_logger(logger);

    parsed_flags parsed;
    if (!parse_flags(f, parsed)) {
        return exit_usage;
    }
    ikewatch::daemon::launch how;
    how.config_path = f.config_path;
    how.overrides = overrides_from(f, parsed);

    ikewatch::daemon::loaded_setup setup = ikewatch::daemon::load_setup(how);
    for (const ikewatch::diagnostic& d : setup.problems) {
        std::cerr << d.to_string() << '\n';
    }
    if (!setup.ok()) {
        std::cerr << "ikewatchd: " << setup.problems.size()
                  << " problem(s) in the configuration or rules\n";
        return exit_config;
    }
    if (f.check_only) {
        std::cout << "ok: configuration and " << setup.rules->rules.size() << " rules\n";
        return exit_ok;
    }
    return serve(how, std::move(setup));
}

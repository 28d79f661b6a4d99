#include "config/config_schema.hpp"

#include <utility>

#include <algorithm>
#include <cstdio>
#include <type_traits>

#include "config/value_reader.hpp"
#include "ike/memory_plan.hpp"
#include "rules/rule.hpp"

namespace ikewatch::config {

namespace {

// ---- Binding a key to its member ----------------------------------------------------------

template <typename T>
struct member_of;
template <typename C, typename V>
struct member_of<V C::*> {
    using owner = C;
};

// The struct a chain of member pointers starts from (daemon_config or forwarder_settings).
template <auto First, auto... Rest>
struct chain {
    using owner = typename member_of<decltype(First)>::owner;
};
template <auto... Members>
using owner_t = typename chain<Members...>::owner;

// The member a chain of member pointers reaches (a fold over `.*`): `time.utc_offset` is
// (&daemon_config::time, &parsers::time_options::default_offset_seconds).
template <auto... Members, typename Owner>
constexpr auto& follow(Owner& o) noexcept {
    return (o.*....*Members);
}

// The type of that member.
template <auto... Members>
using value_t =
    std::remove_cvref_t<decltype(follow<Members...>(std::declval<owner_t<Members...>&>()))>;

template <auto... Members>
auto& field_of(void* owner) noexcept {
    return follow<Members...>(*static_cast<owner_t<Members...>*>(owner));
}

template <auto... Members>
const auto& field_of(const void* owner) noexcept {
    return follow<Members...>(*static_cast<const owner_t<Members...>*>(owner));
}

// The severity names belong to the rule language (rules/rule.hpp); they are read from there.
std::vector<std::string> severity_names() {
    std::vector<std::string> out;
    for (int i = 0; i <= static_cast<int>(rules::severity::critical); ++i) {
        out.emplace_back(rules::to_string(static_cast<rules::severity>(i)));
    }
    return out;
}

template <typename E>
std::vector<std::string> names_for() {
    if constexpr (named_enum<E>) {
        return names_of<E>();
    } else {
        static_assert(std::is_same_v<E, rules::severity>, "a choice key needs enum_names<E>");
        return severity_names();
    }
}

template <typename E>
std::string_view name_of(E value) {
    if constexpr (named_enum<E>) {
        return ikewatch::to_string(value);
    } else {
        return rules::to_string(value);
    }
}

std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + '"';
}

template <typename T, typename F>
std::string flow_list(const std::vector<T>& items, F&& show_one) {
    std::string out = "[";
    for (const T& item : items) {
        out += (out.size() > 1 ? ", " : "") + show_one(item);
    }
    return out + "]";
}

std::string show_size(std::size_t bytes) {
    for (const auto& [unit, factor] : {std::pair<const char*, std::size_t>{"GiB", 1ULL << 30},
                                       {"MiB", 1ULL << 20},
                                       {"KiB", 1ULL << 10}}) {
        if (bytes >= factor && bytes % factor == 0) {
            return std::to_string(bytes / factor) + unit;
        }
    }
    return std::to_string(bytes);
}

std::string show_duration(micros d) {
    constexpr micros ms = micros_per_second / 1000;
    for (const auto& [unit, factor] :
         {std::pair<const char*, micros>{"d", 86400 * micros_per_second},
          {"h", 3600 * micros_per_second},
          {"m", 60 * micros_per_second},
          {"s", micros_per_second}}) {
        if (d >= factor && d % factor == 0) {
            return std::to_string(d / factor) + unit;
        }
    }
    return std::to_string(d / ms) + "ms";
}

std::string show_offset(int seconds) {
    const int a = seconds < 0 ? -seconds : seconds;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", seconds < 0 ? '-' : '+', a / 3600, a / 60 % 60);
    return quoted(buf);
}

std::string show_cidr(const cidr& c) {
    return quoted(c.base.to_string() + "/" + std::to_string(c.prefix));
}

using enum value_type;

// An integer key may be left unset (std::optional): it is read as the value inside.
template <typename T>
inline constexpr bool is_optional_v = false;
template <typename T>
inline constexpr bool is_optional_v<std::optional<T>> = true;
template <typename T>
struct unset_or {
    using type = T;
};
template <typename T>
struct unset_or<std::optional<T>> {
    using type = T;
};
template <typename T>
using unset_or_t = typename unset_or<T>::type;

template <value_type Type, auto... Members>
void read_value(value_reader& r, const YAML::Node& n, const key_spec& key, void* owner) {
    auto& v = field_of<Members...>(owner);
    using V = value_t<Members...>;
    const std::string_view what = key.name();
    if constexpr (Type == text) {
        r.scalar(n, v, what);
    } else if constexpr (Type == flag) {
        r.flag(n, v, what);
    } else if constexpr (Type == integer || Type == year || Type == rate) {
        if (std::uint64_t x = 0; r.integer(n, x, what, key.min, key.max)) {
            v = static_cast<unset_or_t<V>>(x);
        }
    } else if constexpr (Type == size) {
        r.size(n, v, what, static_cast<std::size_t>(key.min));
    } else if constexpr (Type == duration) {
        r.duration(n, v, what);
    } else if constexpr (Type == utc_offset) {
        r.utc_offset(n, v, what);
    } else if constexpr (Type == utc_offset_map) {
        r.utc_offset_map(n, v, what);
    } else if constexpr (Type == endpoint_list) {
        r.endpoints(n, v, what);
    } else if constexpr (Type == endpoint_or_off) {
        r.endpoint_or_off(n, v, what);
    } else if constexpr (Type == cidr_list) {
        r.cidrs(n, v, what);
    } else if constexpr (Type == text_list) {
        v = r.list(n, what);
    } else if constexpr (Type == choice) {
        if (std::size_t i = 0; r.choice(n, names_for<V>(), i, what)) {
            v = static_cast<V>(i);
        }
    } else if constexpr (Type == url) {
        r.url(n, v, what);
    } else if constexpr (Type == text_map) {
        r.text_map(n, v, what);
    } else {
        static_assert(Type == forwarder_list);
        read_forwarders(r, n, v);
    }
}

template <value_type Type, auto... Members>
std::string show_value(const void* owner) {
    const auto& v = field_of<Members...>(owner);
    using V = value_t<Members...>;
    if constexpr (Type == text || Type == url) {
        return quoted(v);
    } else if constexpr (Type == flag) {
        return v ? "true" : "false";
    } else if constexpr (Type == integer && is_optional_v<V>) {
        return v ? std::to_string(static_cast<std::uint64_t>(*v)) : "(unset)";
    } else if constexpr (Type == integer || Type == rate) {
        return std::to_string(static_cast<std::uint64_t>(v));
    } else if constexpr (Type == year) {
        return v == 0 ? "(inferred)" : std::to_string(v);
    } else if constexpr (Type == size) {
        return show_size(v);
    } else if constexpr (Type == duration) {
        return show_duration(v);
    } else if constexpr (Type == utc_offset) {
        return show_offset(v);
    } else if constexpr (Type == utc_offset_map) {
        std::vector<std::pair<std::string, int>> sorted(v.begin(), v.end());
        std::sort(sorted.begin(), sorted.end());
        std::string out = "{";
        for (const auto& [device, seconds] : sorted) {
            out += (out.size() > 1 ? ", " : "") + quoted(device) + ": " + show_offset(seconds);
        }
        return out + "}";
    } else if constexpr (Type == endpoint_list) {
        return flow_list(v, [](const endpoint& e) { return quoted(e.to_string()); });
    } else if constexpr (Type == endpoint_or_off) {
        return quoted(v ? v->to_string() : "");
    } else if constexpr (Type == cidr_list) {
        return flow_list(v, show_cidr);
    } else if constexpr (Type == text_list) {
        return flow_list(v, [](const std::string& s) { return quoted(s); });
    } else if constexpr (Type == choice) {
        return std::string(name_of(v));
    } else if constexpr (Type == text_map) {
        std::string out = "{";
        for (const auto& [name, value] : v) {
            out += (out.size() > 1 ? ", " : "") + quoted(name) + ": " + quoted(value);
        }
        return out + "}";
    } else {
        static_assert(Type == forwarder_list);
        return v.empty() ? "[]" : "[...]";
    }
}

template <auto... Members>
bool same_value(const void* a, const void* b) {
    return field_of<Members...>(a) == field_of<Members...>(b);
}

template <auto... Members>
void keep_value(void* to, const void* from) {
    field_of<Members...>(to) = field_of<Members...>(from);
}

template <value_type Type, auto... Members>
std::vector<std::string> choices_of() {
    if constexpr (Type == value_type::choice) {
        return names_for<value_t<Members...>>();
    } else {
        return {};
    }
}

template <value_type Type, auto... Members>
constexpr field_binding binding{
    std::is_same_v<owner_t<Members...>, outputs::forwarder_settings>,
    &read_value<Type, Members...>,
    &show_value<Type, Members...>,
    &same_value<Members...>,
    &keep_value<Members...>,
    &choices_of<Type, Members...>,
};

struct key_options {
    std::uint64_t min = 0;
    std::uint64_t max = 0;
    bool reload = false;  // SIGHUP applies it
    bool required = false;
};

template <value_type Type, auto... Members>
constexpr key_spec key(std::string_view path, key_options o, std::string_view description) {
    return {path,     Type,       o.min,       o.max,
            o.reload, o.required, description, &binding<Type, Members...>};
}

// ---- The keys ------------------------------------------------------------------------------

using dc = daemon_config;
using fw = outputs::forwarder_settings;
using to = parsers::time_options;
using ti = tls_input;

constexpr key_options restart{};
constexpr key_options reload{.reload = true};

constexpr std::array keys{
    key<endpoint_list, &dc::udp>(
        "listen.udp", restart,
        "UDP syslog listeners, ADDR:PORT (a numeric address, or * for any). Port 514 needs "
        "CAP_NET_BIND_SERVICE. A listener (UDP or TCP) is required."),
    key<endpoint_list, &dc::tcp>(
        "listen.tcp", restart,
        "TCP syslog listeners, ADDR:PORT. RFC 6587: octet counting or one message per line."),
    key<endpoint_list, &dc::tls>(
        "listen.tls", restart,
        "Syslog over TLS listeners (RFC 5425; 6514 is the usual port), ADDR:PORT: TLS 1.2 or "
        "later, octet counting or one message per line, the TCP limits. Needs tls.cert and "
        "tls.key."),
    key<size, &dc::udp_receive_buffer>(
        "listen.udp_receive_buffer", {.min = 4096},
        "SO_RCVBUF of each UDP socket; the kernel caps it at net.core.rmem_max."),
    key<size, &dc::max_message_size>(
        "listen.max_message_size", {.min = 480, .reload = true},
        "Longer messages are cut to this size and counted (UDP and TCP)."),
    key<integer, &dc::tcp_max_connections>("listen.tcp_max_connections",
                                           {.min = 1, .max = 1'000'000, .reload = true},
                                           "TCP connections open at once; more are refused."),
    key<duration, &dc::tcp_idle_timeout>(
        "listen.tcp_idle_timeout", reload,
        "A TCP connection that sends no whole message for this long is closed."),

    key<text, &dc::tls_server, &ti::cert>(
        "tls.cert", reload,
        "The daemon's certificate chain (PEM) for listen.tls; re-read on SIGHUP (new "
        "connections get a renewed certificate; a bad one is refused and the old one kept)."),
    key<text, &dc::tls_server, &ti::key>("tls.key", reload,
                                         "The certificate's private key (PEM), re-read on SIGHUP."),
    key<text, &dc::tls_server, &ti::ca>(
        "tls.ca", reload,
        "CA bundle (PEM) client certificates must chain to; a client that sends a certificate "
        "it does not sign is refused. Empty: no client certificate is asked for."),
    key<flag, &dc::tls_server, &ti::require_client_cert>(
        "tls.require_client_cert", reload,
        "Refuse clients without a certificate signed by tls.ca (needs tls.ca)."),
    key<text_list, &dc::tls_server, &ti::allowed_clients>(
        "tls.allowed_clients", reload,
        "Client certificate subject CNs or SAN DNS names / IP addresses; when not empty, a "
        "client certificate is required and one that names none of these is refused."),
    key<duration, &dc::tls_server, &ti::handshake_timeout>(
        "tls.handshake_timeout", reload,
        "A TLS connection that has not completed its handshake within this is closed."),

    key<cidr_list, &dc::allow>(
        "senders.allow", reload,
        "Only these senders are heard (addresses or CIDR blocks); others are dropped and "
        "counted. Empty: every sender."),
    key<rate, &dc::rate_limit>("senders.rate_limit", {.max = 100'000'000, .reload = true},
                               "Messages per second per sender; 0: no limit."),
    key<rate, &dc::rate_burst>("senders.rate_burst", {.max = 100'000'000, .reload = true},
                               "Messages a sender may send in one burst (its bucket); 0: twice "
                               "the rate."),

    key<utc_offset, &dc::time, &to::default_offset_seconds>(
        "time.utc_offset", reload,
        "Zone of timestamps that carry none (Cisco logs local time unless `clock timezone "
        "UTC`)."),
    key<utc_offset_map, &dc::time, &to::device_offsets>(
        "time.devices", reload, "Zone per device name, for devices in another zone."),
    key<year, &dc::time, &to::assume_year>(
        "time.year", {.min = 1970, .max = 2200, .reload = true},
        "Year of timestamps that carry none; left out, it is inferred from the receive time."),

    key<text_list, &dc::rule_paths>(
        "rules.paths", reload,
        "Local rule files and directories, loaded after the built-in rule pack: add rules, "
        "override or disable shipped ones by id."),

    key<text, &dc::alert_log>(
        "alerts.log", restart,
        "The alert log (rotate it with SIGUSR1 after the move); empty: standard output."),
    key<choice, &dc::alert_format>("alerts.format", reload,
                                   "One alert per line as JSON, or readable text."),
    key<integer, &dc::alert_queue>("alerts.queue", {.min = 1, .max = 10'000'000},
                                   "Alerts kept in memory while the log cannot be written."),

    key<endpoint_or_off, &dc::status>(
        "status.listen", restart,
        "Status endpoint (/healthz, /peers, /alerts, /metrics), unauthenticated HTTP: keep it "
        "on 127.0.0.1. \"\" turns it off."),

    key<integer, &dc::workers>(
        "workers", {.min = 1, .max = 64},
        "Pipeline threads. Each device's lines are processed in order on one of them; "
        "limits.max_peers is shared out among them."),

    key<size, &dc::memory>("limits.memory", {.min = ike::min_memory},
                           "Memory the daemon plans for: of it, 32 MiB for its own work and 1280 "
                           "bytes per peer (record, rule state and evidence lines), which gives "
                           "max_peers when that is not set."),
    key<integer, &dc::max_peers>("limits.max_peers", {.min = 1, .max = 100'000'000},
                                 "(device, peer) pairs kept; beyond this, peers named by the "
                                 "fewest lines go first. Left out: as many as limits.memory "
                                 "holds."),
    key<duration, &dc::idle_expiry>("limits.idle_expiry", restart,
                                    "Peers silent this long are forgotten."),

    key<choice, &dc::log_level>("log.level", reload,
                                "Operational log level (standard error, journald)."),
    key<duration, &dc::stats_interval>("log.stats_interval", reload,
                                       "How often the counters are logged."),

    key<text, &dc::kafka_brokers>(
        "kafka.brokers", restart,
        "Kafka input: bootstrap servers, HOST:PORT[,HOST:PORT...] (port 9092 if left out); "
        "empty: no Kafka input. Needs kafka.topics and kafka.group."),
    key<text_list, &dc::kafka_topics>("kafka.topics", restart,
                                      "Kafka input: topics of raw syslog lines, one per record; "
                                      "the record key names the device."),
    key<text, &dc::kafka_group>("kafka.group", restart,
                                "Kafka input: consumer group; the topics' partitions are shared "
                                "out among the daemons of one group."),
    key<text_map, &dc::kafka_properties>(
        "kafka.properties", restart,
        "Kafka input: librdkafka consumer properties (security.protocol, sasl.*, ssl.*, "
        "auto.offset.reset, ...), applied over the daemon's own."),
    key<text, &dc::kafka_checkpoint_topic>(
        "kafka.checkpoint_topic", restart,
        "Kafka input: compacted topic (with at least the input topics' partition count) for "
        "per-device state, so that a daemon taking partitions over goes on where the previous "
        "owner stopped; offsets are committed only once the state they lead to is written "
        "(docs/scale-out.md). Empty: state is not kept across a failover."),
    key<duration, &dc::kafka_checkpoint_interval>(
        "kafka.checkpoint_interval", restart,
        "How often the state of the devices that changed is written to the checkpoint topic "
        "(and the input offsets committed); also at revocation and shutdown."),

    key<forwarder_list, &dc::forwarders>(
        "forwarders", restart,
        "SIEM collectors every alert is also sent to, each by its own thread through a spool "
        "(docs/forwarding.md)."),
    key<text, &fw::name>("forwarders[].name", restart,
                         "Labels the forwarder's metrics and log lines and names its spool "
                         "directory; empty: the url. Forwarders must differ in it."),
    key<url, &fw::url>("forwarders[].url", {.required = true},
                       "udp://, tcp://, tls://, http:// or https:// HOST[:PORT][/PATH]; "
                       "default ports 514, 514, 6514, 80, 443."),
    key<choice, &fw::format>("forwarders[].format", restart,
                             "Message format; http(s) forwarders send json."),
    key<choice, &fw::min_severity>("forwarders[].min_severity", restart,
                                   "Only alerts whose rule severity is at least this."),
    key<text_list, &fw::codes>("forwarders[].codes", restart,
                               "Only alerts with one of these diagnosis codes; empty: all."),
    key<text, &fw::ca_file>("forwarders[].ca_file", restart,
                            "TLS: CA bundle (PEM) the collector's certificate must chain to; "
                            "empty: the system's."),
    key<text, &fw::cert_file>("forwarders[].cert_file", restart,
                              "TLS: client certificate chain (PEM); needs key_file."),
    key<text, &fw::key_file>("forwarders[].key_file", restart,
                             "TLS: the client certificate's key (PEM)."),
    key<text, &fw::server_name>("forwarders[].server_name", restart,
                                "TLS: the name the collector's certificate must carry; empty: "
                                "the url's host."),
    key<flag, &fw::verify>("forwarders[].verify", restart,
                           "TLS: false skips the certificate and name checks (tests only)."),
    key<text, &fw::token>("forwarders[].token", restart,
                          "HTTP(S): sent as `Authorization: Splunk <token>` (HEC)."),
    key<text_map, &fw::properties>(
        "forwarders[].properties", restart,
        "Kafka: librdkafka producer properties (security.protocol, sasl.*, ssl.*, acks, "
        "compression.type, ...), applied over the forwarder's own."),
    key<duration, &fw::connect_timeout>(
        "forwarders[].timeout", restart,
        "Connecting (TLS handshake included), each write and each HTTP exchange must end within "
        "this, or the attempt fails and is retried with backoff."),
    key<size, &fw::spool_max_bytes>("forwarders[].spool_max_bytes", {.min = 4096},
                                    "Spool limit; past it the oldest alerts are dropped and "
                                    "counted."),
    key<text, &dc::state_dir>(
        "state_dir", restart,
        "Directory of the forwarders' spools (state_dir/spool/<name>); empty: spools in memory "
        "only, lost at exit."),

    key<text, &dc::user>("user", restart,
                         "Started as root: the user to become after binding the sockets."),
    key<flag, &dc::allow_root>("allow_root", restart, "Run as root (refused otherwise)."),
};

// The table holds together: paths distinct, a forwarder's keys bound to forwarder_settings and
// the others to daemon_config, limits that leave room for a value.
constexpr bool table_ok() {
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const key_spec& k = keys[i];
        // (k.field is the address of a binding, never null; comparing it with null is not a
        // constant expression under -fsanitize=undefined.)
        if (k.path.empty() || k.description.empty() ||
            k.path.starts_with(forwarder_key_prefix) != k.field->in_forwarder) {
            return false;
        }
        if ((k.type == integer || k.type == year || k.type == rate) && k.max < k.min) {
            return false;
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (keys[j].path == k.path) {
                return false;
            }
        }
    }
    return true;
}
static_assert(table_ok(), "the configuration key table is inconsistent");

const daemon_config& defaults() {
    static const daemon_config c;
    return c;
}

const outputs::forwarder_settings& forwarder_defaults() {
    static const outputs::forwarder_settings f;
    return f;
}

}  // namespace

std::string_view key_spec::name() const noexcept {
    const std::size_t dot = path.rfind('.');
    return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

std::span<const key_spec> config_keys() noexcept {
    return keys;
}

const key_spec* find_key(std::string_view path) noexcept {
    for (const key_spec& k : keys) {
        if (k.path == path) {
            return &k;
        }
    }
    return nullptr;
}

std::string default_text(const key_spec& key) {
    if (key.required) {
        return "(required)";
    }
    return key.field->show(key.field->in_forwarder ? static_cast<const void*>(&forwarder_defaults())
                                                   : static_cast<const void*>(&defaults()));
}

std::string limits_text(const key_spec& key) {
    switch (key.type) {
        case integer:
        case year:
        case rate:
            return std::to_string(key.min) + " to " + std::to_string(key.max);
        case size:
            return "at least " + std::to_string(key.min) + " bytes";
        case choice:
            return join_names(key.field->choices());
        default:
            return {};
    }
}

std::vector<std::string> choices(const key_spec& key) {
    return key.field->choices();
}

std::vector<std::string_view> changed_keys(const daemon_config& a, const daemon_config& b) {
    std::vector<std::string_view> out;
    for (const key_spec& k : keys) {
        if (!k.field->in_forwarder && !k.field->same(&a, &b)) {
            out.push_back(k.path);
        }
    }
    return out;
}

std::vector<std::string_view> restart_changes(const daemon_config& running,
                                              const daemon_config& next) {
    std::vector<std::string_view> out = changed_keys(running, next);
    std::erase_if(out, [](std::string_view path) { return find_key(path)->reloadable; });
    return out;
}

void keep_restart_keys(daemon_config& next, const daemon_config& running) {
    for (const key_spec& k : keys) {
        if (!k.reloadable && !k.field->in_forwarder) {
            k.field->keep(&next, &running);
        }
    }
}

}  // namespace ikewatch::config

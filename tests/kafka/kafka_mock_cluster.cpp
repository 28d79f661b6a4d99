// kafka_mock_cluster: librdkafka's in-process mock cluster as a program, for tests.
//
//   kafka_mock_cluster [--brokers N] [--down] [--bootstrap-file FILE] TOPIC:PARTITIONS...
//
// Starts N brokers (default 3) listening on 127.0.0.1, creates each TOPIC with PARTITIONS
// partitions, prints the bootstrap servers (`127.0.0.1:PORT,...`) as one line on standard output
// (and into FILE, written whole then renamed), and runs until SIGTERM or SIGINT.
// SIGUSR1 takes every broker down (connections are closed, new ones refused), SIGUSR2 brings
// them up again; `--down` starts with them down. Real clients (kcat, rsyslog's omkafka,
// ikewatchd) reach it over TCP like any cluster.

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace {

struct topic_arg {
    std::string name;
    int partitions = 1;
};

int usage() {
    std::fputs(
        "usage: kafka_mock_cluster [--brokers N] [--down] [--bootstrap-file FILE] "
        "TOPIC:PARTITIONS...\n",
        stderr);
    return 2;
}

bool parse_count(const char* text, int max, int& out) {
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < 1 || v > max) {
        return false;
    }
    out = static_cast<int>(v);
    return true;
}

void set_all(rd_kafka_mock_cluster_t* cluster, int brokers, bool up) {
    for (int id = 1; id <= brokers; ++id) {
        const rd_kafka_resp_err_t err = up ? rd_kafka_mock_broker_set_up(cluster, id)
                                           : rd_kafka_mock_broker_set_down(cluster, id);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            std::fprintf(stderr, "kafka_mock_cluster: broker %d: %s\n", id, rd_kafka_err2str(err));
        }
    }
    std::fprintf(stderr, "kafka_mock_cluster: brokers %s\n", up ? "up" : "down");
}

bool write_file(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (f == nullptr) {
        return false;
    }
    const bool ok = std::fputs(text.c_str(), f) >= 0;
    return std::fclose(f) == 0 && ok && std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
    int brokers = 3;
    bool down = false;
    std::string bootstrap_file;
    std::vector<topic_arg> topics;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--brokers" && i + 1 < argc) {
            if (!parse_count(argv[++i], 16, brokers)) {
                return usage();
            }
        } else if (a == "--down") {
            down = true;
        } else if (a == "--bootstrap-file" && i + 1 < argc) {
            bootstrap_file = argv[++i];
        } else if (const auto colon = a.rfind(':');
                   colon != std::string_view::npos && colon > 0 && !a.starts_with("-")) {
            topic_arg t{std::string(a.substr(0, colon)), 1};
            if (!parse_count(argv[i] + colon + 1, 1000, t.partitions)) {
                return usage();
            }
            topics.push_back(std::move(t));
        } else {
            return usage();
        }
    }

    // Blocked before librdkafka starts its threads, so they inherit the mask and the signals
    // reach sigwait below only.
    sigset_t wanted;
    sigemptyset(&wanted);
    for (const int s : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) {
        sigaddset(&wanted, s);
    }
    pthread_sigmask(SIG_BLOCK, &wanted, nullptr);

    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    // The handle only hosts the cluster; it never connects anywhere (so no warning that it has
    // no bootstrap servers).
    if (rd_kafka_conf_set(conf, "client.id", "kafka_mock_cluster", errstr, sizeof errstr) !=
            RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        std::fprintf(stderr, "kafka_mock_cluster: %s\n", errstr);
        return 1;
    }
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (rk == nullptr) {
        std::fprintf(stderr, "kafka_mock_cluster: %s\n", errstr);
        return 1;
    }
    rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
    if (cluster == nullptr) {
        std::fprintf(stderr, "kafka_mock_cluster: cannot create the cluster\n");
        rd_kafka_destroy(rk);
        return 1;
    }
    int status = 0;
    for (const topic_arg& t : topics) {
        const rd_kafka_resp_err_t err =
            rd_kafka_mock_topic_create(cluster, t.name.c_str(), t.partitions, 1);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            std::fprintf(stderr, "kafka_mock_cluster: topic %s: %s\n", t.name.c_str(),
                         rd_kafka_err2str(err));
            status = 1;
        }
    }
    if (status == 0 && down) {
        set_all(cluster, brokers, false);
    }
    const std::string bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);
    if (status == 0 && !bootstrap_file.empty() && !write_file(bootstrap_file, bootstrap + "\n")) {
        std::fprintf(stderr, "kafka_mock_cluster: cannot write %s\n", bootstrap_file.c_str());
        status = 1;
    }
    if (status == 0) {
        std::printf("%s\n", bootstrap.c_str());
        std::fflush(stdout);
        for (;;) {
            int signo = 0;
            if (sigwait(&wanted, &signo) != 0) {
                continue;
            }
            if (signo == SIGUSR1 || signo == SIGUSR2) {
                set_all(cluster, brokers, signo == SIGUSR2);
                continue;
            }
            break;
        }
    }
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(rk);
    return status;
}

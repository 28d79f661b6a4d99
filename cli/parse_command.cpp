#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/record_reader.hpp"
#include "cli/time_flags.hpp"
#include "common/clock.hpp"
#include "outputs/parse_json.hpp"
#include "parsers/record_decoder.hpp"

namespace ikewatch::cli {

namespace {

void print_stats(const parsers::decode_stats& s) {
    static constexpr const char* names[] = {"none", "ASA", "FTD", "PIX", "IOS"};
    std::printf("%-6s %10s %10s %10s\n", "family", "framed", "with_id", "decoded");
    std::uint64_t framed = 0;
    for (std::size_t f = 0; f < parsers::decode_stats::families; ++f) {
        std::printf("%-6s %10llu %10llu %10llu\n", names[f],
                    static_cast<unsigned long long>(s.framed[f]),
                    static_cast<unsigned long long>(s.with_id[f]),
                    static_cast<unsigned long long>(s.decoded[f]));
        framed += s.framed[f];
    }
    std::printf("records %llu, framed %llu\n", static_cast<unsigned long long>(s.records),
                static_cast<unsigned long long>(framed));
    for (std::size_t i = 0; i < s.errors.size(); ++i) {
        if (s.errors[i] != 0) {
            std::printf(
                "error %-18s %llu\n",
                std::string(parsers::to_string(static_cast<parsers::parse_error>(i))).c_str(),
                static_cast<unsigned long long>(s.errors[i]));
        }
    }
}

}  // namespace

std::string source_name(const std::string& path) {
    if (path == "-") {
        return "stdin";
    }
    const std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

int run_parse(const parse_options& options) {
    parsers::time_options topt;
    std::string error;
    if (!to_time_options(options.time, topt, error)) {
        std::cerr << "ikewatch parse: " << error << '\n';
        return exit_usage;
    }
    parsers::record_decoder decoder(std::move(topt));
    micros reference = 0;
    if (!reference_time(options.time, reference, error)) {
        std::cerr << "ikewatch parse: " << error << '\n';
        return exit_usage;
    }
    parsers::decoded d;
    int status = exit_ok;
    for (const std::string& path : options.inputs) {
        const std::string device = source_name(path);
        const bool ok = read_records(
            path,
            [&](std::string_view record, std::size_t line) {
                decoder.decode(record, device, reference, d);
                if (options.stats) {
                    return;
                }
                const nlohmann::json j =
                    d.ok ? outputs::parsed_record_json(
                               line, d.record, d.ev,
                               d.has_timestamp ? std::optional<micros>(d.ev.time) : std::nullopt)
                         : outputs::parse_error_json(line, device, d.error);
                std::cout << outputs::dump_json(j) << '\n';
            },
            error);
        if (!ok) {
            std::cerr << "ikewatch parse: " << error << '\n';
            status = exit_findings;
        }
    }
    if (options.stats) {
        print_stats(decoder.stats());
    }
    std::cout.flush();
    return status;
}

}  // namespace ikewatch::cli

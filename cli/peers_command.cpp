#include <iostream>
#include <limits>

#include "cli/commands.hpp"
#include "cli/record_reader.hpp"
#include "cli/time_flags.hpp"
#include "common/clock.hpp"
#include "outputs/parse_json.hpp"
#include "outputs/peers_format.hpp"
#include "pipeline/pipeline.hpp"

namespace ikewatch::cli {

int run_peers(const peers_options& options) {
    pipeline::pipeline_options popt;
    std::string error;
    if (!to_time_options(options.time, popt.time, error)) {
        std::cerr << "ikewatch peers: " << error << '\n';
        return exit_usage;
    }
    popt.table.max_peers = options.max_peers;
    popt.table.evidence_bytes = ike::evidence_bytes_for(options.max_peers);
    popt.replay = true;
    // A replay keeps every peer it saw: nothing expires while reading old logs.
    popt.table.idle_expiry = std::numeric_limits<micros>::max() / 2;
    pipeline::pipeline pipe(std::move(popt));
    micros reference = 0;
    if (!reference_time(options.time, reference, error)) {
        std::cerr << "ikewatch peers: " << error << '\n';
        return exit_usage;
    }
    int status = exit_ok;
    if (options.transitions) {
        pipe.on_transition([&](const parsers::event& e, const ike::transition& t) {
            const ike::peer_record& p = *t.peer;
            std::cout << rfc3339(e.time) << " line " << pipe.tag() << ' '
                      << outputs::printable(e.device) << ' ' << outputs::printable(p.peer.view())
                      << ' ' << parsers::to_string(e.kind) << ": " << ike::asa_name(t.old_state)
                      << '/' << ike::to_string(t.old_status) << " -> " << p.state_asa() << '/'
                      << p.state_ios() << '/' << ike::to_string(p.status)
                      << " role=" << ike::to_string(p.role) << " mode=" << ike::to_string(p.mode)
                      << " phase2=" << ike::to_string(p.phase2) << '\n';
        });
    }
    for (const std::string& path : options.inputs) {
        const std::string source = source_name(path);
        if (!read_records(
                path,
                [&](std::string_view record, std::size_t line) {
                    pipe.process(record, source, reference, line);
                },
                error)) {
            std::cerr << "ikewatch peers: " << error << '\n';
            status = exit_findings;
        }
        pipe.finish(source);
    }
    const ike::peer_table& table = pipe.tracker().table();
    if (options.transitions) {
        std::cout << '\n';
    }
    const auto peers = outputs::peers_json(
        table, [&](std::string_view device) { return pipe.device_now(device); });
    if (options.format == outputs::output_format::json) {
        for (const auto& p : peers) {
            std::cout << outputs::dump_json(p) << '\n';
        }
    } else {
        std::cout << outputs::peers_text(peers);
    }
    return status;
}

}  // namespace ikewatch::cli

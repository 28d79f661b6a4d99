#include <iostream>

#include "cli/commands.hpp"
#include "common/text.hpp"
#include "rules/codes.hpp"
#include "rules/loader.hpp"

namespace ikewatch::cli {

int run_explain(const std::string& what) {
    const rules::load_result pack = rules::load_with_pack({});
    if (const rules::code_info* c = rules::find_code(what)) {
        std::cout << c->code << ": " << c->meaning << "\n\n" << c->explain << "\n";
        if (pack.ok()) {
            std::cout << "\nShipped rules that report it:\n";
            for (const rules::rule& r : pack.rules->rules) {
                if (r.code == what) {
                    std::cout << "  " << r.id << "  " << r.name << " (confidence "
                              << rules::to_string(r.conf) << ")\n";
                }
            }
        }
        return exit_ok;
    }
    if (pack.ok()) {
        if (const auto it = pack.rules->custom_codes.find(what);
            it != pack.rules->custom_codes.end()) {
            std::cout << what << ": " << it->second << '\n';
            return exit_ok;
        }
        if (const rules::rule* r = pack.rules->find(what)) {
            std::cout << r->id << " (version " << r->version << "): " << r->name << "\ncode "
                      << r->code << ", severity " << rules::to_string(r->sev) << ", confidence "
                      << rules::to_string(r->conf) << "\ndefined in " << r->file << ':' << r->line
                      << '\n';
            return exit_ok;
        }
    }
    bool found = false;
    for (const auto& s : rules::state_infos(what)) {
        std::cout << (found ? "\n" : "") << s->names << "\n" << s->explain << '\n';
        found = true;
    }
    if (found) {
        return exit_ok;
    }
    std::cerr << "ikewatch explain: '" << what
              << "' is neither a diagnosis code, a rule id nor an IKE state name\n"
                 "codes:";
    for (const rules::code_info& c : rules::builtin_codes()) {
        std::cerr << ' ' << c.code;
    }
    std::cerr << '\n';
    return exit_findings;
}

}  // namespace ikewatch::cli

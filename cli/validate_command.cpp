#include <iostream>

#include "cli/commands.hpp"
#include "rules/loader.hpp"

namespace ikewatch::cli {

int run_validate(const std::vector<std::string>& paths) {
    const rules::load_result loaded = rules::load_with_pack(paths);
    for (const ikewatch::diagnostic& d : loaded.problems) {
        std::cout << d.to_string() << '\n';
    }
    if (!loaded.ok()) {
        std::cout << loaded.problems.size() << " problem(s); the rule set is refused\n";
        return exit_findings;
    }
    std::cout << "ok: " << loaded.rules->rules.size() << " rules from "
              << loaded.rules->files.size() << " files\n";
    return exit_ok;
}

}  // namespace ikewatch::cli

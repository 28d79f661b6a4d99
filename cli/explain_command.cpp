#include <iostream>

#include "cli/commands.hpp"
#include "common/text.hpp"
#include "parsers/event.hpp"
#include "rules/codes.hpp"
#include "rules/loader.hpp"
#include "rules/peer_fields.hpp"

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
    // A name the devices print (debug state machine `I_WAIT_AUTH`, `UP-IDLE` …): the state it
    // stands for.
    const std::string_view known = rules::state_alias_of(what);
    if (!found && !known.empty()) {
        std::cout << what << ": a name devices print for\n\n";
        for (const auto& s : rules::state_infos(known)) {
            std::cout << (found ? "\n" : "") << s->names << "\n" << s->explain << '\n';
            found = true;
        }
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

int run_explain_fields() {
    const auto type_name = [](rules::field_type t) -> std::string_view {
        switch (t) {
            case rules::field_type::number:
                return "number";
            case rules::field_type::flag:
                return "`true` / `false`";
            case rules::field_type::name:
                return "name";
            case rules::field_type::text:
                return "text";
            case rules::field_type::state:
                return "state name";
            case rules::field_type::event:
                return "event kind";
        }
        return "?";
    };
    std::cout << "| field | values | about |\n|---|---|---|\n";
    for (const rules::peer_field& f : rules::peer_fields()) {
        std::cout << "| `" << f.name << "` | ";
        if (f.allowed.empty()) {
            std::cout << type_name(f.type);
        } else {
            for (std::size_t i = 0; i < f.allowed.size(); ++i) {
                std::cout << (i == 0 ? "" : ", ") << '`' << f.allowed[i] << '`';
            }
        }
        std::cout << " | " << f.description << (f.device_scope ? " (a fact of the device)" : "")
                  << " |\n";
    }
    return exit_ok;
}

int run_explain_events() {
    std::cout << "| kind | source | fields |\n|---|---|---|\n";
    for (const parsers::event_kind_info& k : parsers::event_kinds()) {
        std::cout << "| `" << k.name << '`' << (k.tracks_peer ? "" : " (no peer state)") << " | "
                  << k.source << " | " << k.fields << " |\n";
    }
    return exit_ok;
}

}  // namespace ikewatch::cli

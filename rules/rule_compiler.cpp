#include "rules/rule_compiler.hpp"

#include <set>
#include <string>

#include <yaml-cpp/yaml.h>

#include "common/text.hpp"
#include "rules/codes.hpp"
#include "rules/condition_compiler.hpp"
#include "rules/match_compiler.hpp"
#include "rules/peer_fields.hpp"
#include "rules/rule_values.hpp"

namespace ikewatch::rules {

namespace {

// The keys of `resolve`.
const std::set<std::string> resolve_keys{"state", "status", "phase2", "peer", "event", "after"};

// Each key's problems are reported in the file the key came from (an override may have
// replaced it), the rule-level ones where the rule was defined.
class rule_compiler {
  public:
    rule_compiler(const collected_rules& defined, diagnostics& problems)
        : defined_(defined),
          check_(problems),
          conditions_(defined, problems),
          match_(conditions_, problems) {}

    void compile(const raw_rule& raw, rule_set& set);

  private:
    using value = raw_rule::value;

    const value* required(const raw_rule& raw, const rule& r, const char* name);
    bool enabled(const raw_rule& raw);
    void compile_identity(const raw_rule& raw, rule& r);
    void compile_grading(const raw_rule& raw, rule& r);
    void compile_texts(const raw_rule& raw, rule& r);
    void compile_options(const raw_rule& raw, rule& r);
    bool text(const std::string& file, const YAML::Node& n, text_template& out, const char* what);
    void compile_resolve(const std::string& file, const YAML::Node& res, rule& r);
    static void default_resolve(rule& r);

    const collected_rules& defined_;
    rule_values check_;
    condition_compiler conditions_;
    match_compiler match_;
};

void rule_compiler::compile(const raw_rule& raw, rule_set& set) {
    rule r;
    r.id = raw.id_node.Scalar();
    r.file = raw.file;
    r.line = line_of(raw.id_node.Mark());
    if (r.id.empty() || r.id.find_first_not_of(
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") !=
                            std::string::npos) {
        check_.error(raw.file, raw.id_node, load_error::bad_value,
                     "rule ids use letters, digits, '-', '_' and '.'");
    }
    if (raw.disabled || !enabled(raw)) {
        return;
    }
    compile_identity(raw, r);
    compile_grading(raw, r);
    compile_texts(raw, r);
    compile_options(raw, r);
    if (const value* m = required(raw, r, "match")) {
        if (!m->node.IsMap()) {
            check_.error(m->file, m->node, load_error::bad_type, "'match' is a map");
        } else {
            match_.compile(m->file, m->node, r);
        }
    }
    if (const value* res = raw.get("resolve")) {
        compile_resolve(res->file, res->node, r);
    } else if (r.kind != rule::type::state) {
        default_resolve(r);
    }
    set.rules.push_back(std::move(r));
}

const raw_rule::value* rule_compiler::required(const raw_rule& raw, const rule& r,
                                               const char* name) {
    const value* v = raw.get(name);
    if (v == nullptr) {
        check_.error(raw.file, raw.id_node, load_error::missing_key,
                     "rule '" + r.id + "' needs '" + name + "'");
    }
    return v;
}

// False only for `enabled: false`; a value that is not true or false is reported.
bool rule_compiler::enabled(const raw_rule& raw) {
    const value* enabled = raw.get("enabled");
    if (enabled == nullptr) {
        return true;
    }
    bool on = true;
    if (!enabled->node.IsScalar() || !YAML::convert<bool>::decode(enabled->node, on)) {
        check_.error(enabled->file, enabled->node, load_error::bad_type,
                     "'enabled' takes true or false");
        return true;
    }
    return on;
}

// version, name and code
void rule_compiler::compile_identity(const raw_rule& raw, rule& r) {
    if (const value* v = raw.get("version")) {
        std::string s;
        if (check_.scalar(v->file, v->node, s, "version")) {
            const auto num = text::to_number<int>(s);
            if (!num || *num < 1) {
                check_.error(v->file, v->node, load_error::bad_value,
                             "version is a whole number from 1");
            } else {
                r.version = *num;
            }
        }
    }
    if (const value* v = required(raw, r, "name")) {
        (void)check_.scalar(v->file, v->node, r.name, "name");
    }
    if (const value* v = required(raw, r, "code");
        v != nullptr && check_.scalar(v->file, v->node, r.code, "code")) {
        if (find_code(r.code) == nullptr && defined_.codes.count(r.code) == 0) {
            check_.error(
                v->file, v->node, load_error::unknown_code,
                "unknown diagnosis code '" + r.code + "' (declare it under 'codes:' first)");
        }
    }
}

// severity and confidence
void rule_compiler::compile_grading(const raw_rule& raw, rule& r) {
    if (const value* v = required(raw, r, "severity")) {
        std::string s;
        if (check_.scalar(v->file, v->node, s, "severity")) {
            if (const auto sev = severity_from(s)) {
                r.sev = *sev;
            } else {
                check_.error(v->file, v->node, load_error::bad_severity,
                             "severity is info, low, medium, high or critical");
            }
        }
    }
    if (const value* v = raw.get("confidence")) {
        std::string s;
        if (check_.scalar(v->file, v->node, s, "confidence")) {
            if (s == "low") {
                r.conf = confidence::low;
            } else if (s == "medium") {
                r.conf = confidence::medium;
            } else if (s == "high") {
                r.conf = confidence::high;
            } else {
                check_.error(v->file, v->node, load_error::bad_value,
                             "confidence is low, medium or high");
            }
        }
    }
}

// title, cause and checks
void rule_compiler::compile_texts(const raw_rule& raw, rule& r) {
    if (const value* v = required(raw, r, "title")) {
        (void)text(v->file, v->node, r.title, "title");
    }
    if (const value* v = required(raw, r, "cause")) {
        (void)text(v->file, v->node, r.cause, "cause");
    }
    if (const value* v = required(raw, r, "checks")) {
        if (!v->node.IsSequence()) {
            check_.error(v->file, v->node, load_error::bad_type, "'checks' is a list of texts");
        } else {
            for (const auto& c : v->node) {
                text_template t;
                if (text(v->file, c, t, "check")) {
                    r.checks.push_back(std::move(t));
                }
            }
        }
    }
}

// suppress and fallback
void rule_compiler::compile_options(const raw_rule& raw, rule& r) {
    if (const value* v = raw.get("suppress")) {
        (void)check_.duration(v->file, v->node, r.suppress);
    }
    if (const value* v = raw.get("fallback")) {
        if (!v->node.IsScalar() || !YAML::convert<bool>::decode(v->node, r.fallback)) {
            check_.error(v->file, v->node, load_error::bad_type, "'fallback' takes true or false");
        }
    }
}

bool rule_compiler::text(const std::string& file, const YAML::Node& n, text_template& out,
                         const char* what) {
    std::string s;
    if (!check_.scalar(file, n, s, what)) {
        return false;
    }
    std::string why;
    if (!text_template::compile(s, out, why)) {
        check_.error(file, n, load_error::bad_placeholder, std::string(what) + ": " + why);
        return false;
    }
    bool ok = true;
    for (const std::string& name : out.unknown_names()) {
        check_.error(file, n, load_error::bad_placeholder,
                     std::string(what) + ": unknown placeholder '{" + name + "}'");
        ok = false;
    }
    return ok;
}

void rule_compiler::compile_resolve(const std::string& file, const YAML::Node& res, rule& r) {
    if (!res.IsMap()) {
        check_.error(file, res, load_error::bad_type, "'resolve' is a map");
        return;
    }
    check_.check_keys(file, res, resolve_keys, "resolve");
    for (const char* shorthand : {"state", "status", "phase2"}) {
        if (const auto v = res[shorthand]) {
            conditions_.peer_condition(file, shorthand, v, r.resolve.peer);
        }
    }
    if (const auto v = res["peer"]) {
        conditions_.peer_where(file, v, r.resolve.peer);
    }
    if (const auto v = res["event"]) {
        (void)conditions_.kinds(file, v, r.resolve.events);
    }
    if (const auto v = res["after"]) {
        (void)check_.duration(file, v, r.resolve.after);
    }
    if (r.key != key_kind::peer && (!r.resolve.peer.empty() || r.resolve.events.any())) {
        check_.error(file, res, load_error::bad_match,
                     "only 'after' resolves a rule not keyed by peer (state, status, phase2, "
                     "peer and event describe a peer)");
    }
}

// Without `resolve`, failures of a peer clear when its phase 1 comes up; other keys after a
// quiet hour.
void rule_compiler::default_resolve(rule& r) {
    if (r.key == key_kind::peer) {
        peer_predicate up;
        up.field = find_peer_field("status");
        up.values = {"up"};
        up.prepare();
        r.resolve.peer.push_back(std::move(up));
    } else {
        r.resolve.after = 3600 * micros_per_second;
    }
}

}  // namespace

rule_set compile_rules(const collected_rules& collected, diagnostics& problems) {
    rule_set set;
    set.custom_codes = collected.codes;
    rule_compiler compiler(collected, problems);
    for (const raw_rule& raw : collected.rules) {
        compiler.compile(raw, set);
    }
    return set;
}

}  // namespace ikewatch::rules

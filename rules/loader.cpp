#include "rules/loader.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/text.hpp"
#include "rules/codes.hpp"
#include "rules/load_errors.hpp"

namespace ikewatch::rules {

namespace {

diagnostic problem(const std::string& file, int line, int column, load_error code,
                   std::string message) {
    return {file, line, column, std::string(ikewatch::to_string(code)), std::move(message)};
}

using parsers::event_kind;

// Every key the language knows, per map. One table per extension point.
const std::set<std::string> top_keys{"rules", "lists", "macros", "codes", "disable", "overrides"};
const std::set<std::string> rule_keys{
    "id",       "version", "name",  "code",   "severity", "confidence",  "match",   "resolve",
    "suppress", "title",   "cause", "checks", "enabled",  "description", "fallback"};
const std::set<std::string> match_keys{"event", "msg_id", "where",  "peer", "state",
                                       "for",   "count",  "within", "key",  "not_followed_by",
                                       "with"};
const std::set<std::string> with_keys{"event", "where", "within"};
const std::set<std::string> resolve_keys{"state", "status", "phase2", "peer", "event", "after"};

// Placeholders a message may use besides the peer fields (peer_fields.hpp) and the event field
// names: facts about the alert and its rule.
const std::set<std::string> placeholders{"device", "peer", "key",  "duration", "count",
                                         "window", "for",  "code", "rule",     "confidence"};

// A rule before compilation: its keys with the file each came from (an override replaces some
// keys of a rule loaded from another file, and messages must point at the right one).
//
// A YAML::Node is a handle, and assigning one handle to another rewrites the node it refers to
// (every alias of it, every rule sharing an anchor). So nodes here are only ever constructed,
// never assigned: a replaced key is erased and emplaced again, and a disabled rule is flagged,
// not erased from the middle of a vector.
struct raw_rule {
    std::string file;  // where the rule was defined
    YAML::Node id_node;
    YAML::Node map;  // the defining map (for positions of rule-level problems)
    struct value {
        std::string file;
        YAML::Node node;
    };
    std::map<std::string, value> keys;
    bool disabled = false;

    [[nodiscard]] const value* get(const std::string& key) const {
        const auto it = keys.find(key);
        return it == keys.end() ? nullptr : &it->second;
    }
    void set(const std::string& key, const value& v) {
        keys.erase(key);
        keys.emplace(key, v);
    }
};

class compiler {
  public:
    diagnostics problems;

    void load(const rule_source& src);
    std::shared_ptr<rule_set> finish();

  private:
    void error(const std::string& file, const YAML::Node& at, load_error code,
               const std::string& message);
    void error(const std::string& file, const YAML::Mark& at, load_error code,
               const std::string& message);
    void check_keys(const std::string& file, const YAML::Node& map, const std::set<std::string>& ok,
                    const char* what);
    bool scalar(const std::string& file, const YAML::Node& n, std::string& out, const char* what);
    bool duration(const std::string& file, const YAML::Node& n, micros& out);
    std::vector<std::string> values(const std::string& file, const YAML::Node& n);
    bool kinds(const std::string& file, const YAML::Node& n, kind_set& out);
    bool condition(const std::string& file, const YAML::Node& value, op& o,
                   std::vector<std::string>& vals, bool& expect);
    void event_where(const std::string& file, const YAML::Node& map,
                     std::vector<event_predicate>& out, int depth = 0);
    void peer_where(const std::string& file, const YAML::Node& map,
                    std::vector<peer_predicate>& out);
    void peer_condition(const std::string& file, const std::string& name, const YAML::Node& value,
                        std::vector<peer_predicate>& out);
    bool text(const std::string& file, const YAML::Node& n, text_template& out, const char* what);
    void compile(const raw_rule& raw, rule_set& set);

    std::map<std::string, std::vector<std::string>> lists_;
    std::map<std::string, std::pair<std::string, YAML::Node>> macros_;  // name -> (file, map)
    std::map<std::string, std::string> codes_;
    std::vector<raw_rule> raws_;
    std::vector<std::string> files_;
};

int line_of(const YAML::Mark& m) {
    return m.line >= 0 ? m.line + 1 : 0;
}
int column_of(const YAML::Mark& m) {
    return m.column >= 0 ? m.column + 1 : 0;
}

void compiler::error(const std::string& file, const YAML::Mark& at, load_error code,
                     const std::string& message) {
    problems.push_back(problem(file, line_of(at), column_of(at), code, message));
}

void compiler::error(const std::string& file, const YAML::Node& at, load_error code,
                     const std::string& message) {
    error(file, at.IsDefined() ? at.Mark() : YAML::Mark::null_mark(), code, message);
}

void compiler::check_keys(const std::string& file, const YAML::Node& map,
                          const std::set<std::string>& ok, const char* what) {
    for (const auto& kv : map) {
        const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
        if (ok.count(key) == 0) {
            std::string list;
            for (const std::string& k : ok) {
                list += (list.empty() ? "" : ", ") + k;
            }
            error(file, kv.first, load_error::unknown_key,
                  "unknown key '" + key + "' in " + what + " (expected one of: " + list + ")");
        }
    }
}

bool compiler::scalar(const std::string& file, const YAML::Node& n, std::string& out,
                      const char* what) {
    if (!n.IsScalar()) {
        error(file, n, load_error::bad_type, std::string(what) + " must be a single value");
        return false;
    }
    out = n.Scalar();
    return true;
}

bool compiler::duration(const std::string& file, const YAML::Node& n, micros& out) {
    std::string s;
    if (!scalar(file, n, s, "a duration")) {
        return false;
    }
    if (!parse_duration(s, out)) {
        error(file, n, load_error::bad_duration,
              "'" + s +
                  "' is not a duration (a whole number with ms, s, m, h or d, e.g. 30s, 10m; a "
                  "bare number is seconds)");
        return false;
    }
    return true;
}

std::vector<std::string> compiler::values(const std::string& file, const YAML::Node& n) {
    std::vector<std::string> out;
    auto add = [&](const YAML::Node& v) {
        if (!v.IsScalar()) {
            error(file, v, load_error::bad_type, "a list of plain values was expected");
            return;
        }
        const std::string& s = v.Scalar();
        if (!s.empty() && s[0] == '$') {
            const auto it = lists_.find(s.substr(1));
            if (it == lists_.end()) {
                error(file, v, load_error::unknown_list, "no list named '" + s.substr(1) + "'");
                return;
            }
            out.insert(out.end(), it->second.begin(), it->second.end());
            return;
        }
        out.push_back(s);
    };
    if (n.IsSequence()) {
        for (const auto& v : n) {
            add(v);
        }
    } else {
        add(n);
    }
    return out;
}

bool compiler::kinds(const std::string& file, const YAML::Node& n, kind_set& out) {
    bool ok = true;
    for (const std::string& name : values(file, n)) {
        const auto k = parsers::event_kind_from(name);
        if (!k || *k == event_kind::other) {
            std::string hint;
            for (std::size_t i = 1; i < parsers::event_kind_count; ++i) {
                hint += (hint.empty() ? "" : ", ") +
                        std::string(parsers::to_string(static_cast<event_kind>(i)));
            }
            error(file, n, load_error::unknown_event,
                  "unknown event kind '" + name + "' (known: " + hint + ")");
            ok = false;
            continue;
        }
        out.set(static_cast<std::size_t>(*k));
    }
    return ok;
}

// `value` | [values] | {op: value(s)}
bool compiler::condition(const std::string& file, const YAML::Node& value, op& o,
                         std::vector<std::string>& vals, bool& expect) {
    expect = true;
    if (value.IsMap()) {
        if (value.size() != 1) {
            error(file, value, load_error::bad_condition,
                  "a condition map takes exactly one operator");
            return false;
        }
        const auto kv = *value.begin();
        const std::string name = kv.first.Scalar();
        static const std::map<std::string, op> ops{
            {"eq", op::eq},         {"ne", op::ne},
            {"in", op::in},         {"not_in", op::not_in},
            {"gt", op::gt},         {"gte", op::gte},
            {"lt", op::lt},         {"lte", op::lte},
            {"exists", op::exists}, {"contains", op::contains},
            {"prefix", op::prefix}};
        const auto it = ops.find(name);
        if (it == ops.end()) {
            error(file, kv.first, load_error::bad_condition,
                  "unknown operator '" + name +
                      "' (use eq, ne, in, not_in, gt, gte, lt, lte, exists, contains, prefix)");
            return false;
        }
        o = it->second;
        if (o == op::exists) {
            std::string b;
            if (!scalar(file, kv.second, b, "exists") || (b != "true" && b != "false")) {
                error(file, kv.second, load_error::bad_type, "exists takes true or false");
                return false;
            }
            expect = b == "true";
            return true;
        }
        vals = values(file, kv.second);
        if ((o == op::gt || o == op::gte || o == op::lt || o == op::lte) &&
            (vals.size() != 1 || vals[0].find_first_not_of("0123456789.-") != std::string::npos)) {
            error(file, kv.second, load_error::bad_type, "'" + name + "' takes one number");
            return false;
        }
        return true;
    }
    vals = values(file, value);
    o = value.IsSequence() ? op::in : op::eq;
    return !vals.empty() || value.IsSequence();
}

void compiler::event_where(const std::string& file, const YAML::Node& map,
                           std::vector<event_predicate>& out, int depth) {
    if (!map.IsMap()) {
        error(file, map, load_error::bad_type, "'where' must be a map of field: condition");
        return;
    }
    for (const auto& kv : map) {
        const std::string name = kv.first.Scalar();
        if (name == "macro") {
            for (const std::string& m : values(file, kv.second)) {
                const auto it = macros_.find(m);
                if (it == macros_.end()) {
                    error(file, kv.second, load_error::unknown_macro, "no macro named '" + m + "'");
                } else if (depth > 4) {
                    error(file, kv.second, load_error::bad_macro,
                          "macros nest too deeply (a loop?)");
                } else {
                    event_where(it->second.first, it->second.second, out, depth + 1);
                }
            }
            continue;
        }
        event_predicate p;
        static const std::map<std::string, event_subject> virtuals{
            {"port", event_subject::any_port},           {"address", event_subject::any_address},
            {"msg_id", event_subject::msg_id},           {"severity", event_subject::severity},
            {"family", event_subject::family},           {"peer", event_subject::peer},
            {"ike_version", event_subject::ike_version}, {"phase", event_subject::phase}};
        if (const auto v = virtuals.find(name); v != virtuals.end()) {
            p.subject = v->second;
        } else if (const auto f = parsers::field_from(name)) {
            p.subject = event_subject::field;
            p.field = *f;
        } else {
            error(file, kv.first, load_error::unknown_field, "unknown event field '" + name + "'");
            continue;
        }
        if (condition(file, kv.second, p.comparison, p.values, p.expect)) {
            p.prepare();
            out.push_back(std::move(p));
        }
    }
}

void compiler::peer_condition(const std::string& file, const std::string& name,
                              const YAML::Node& value, std::vector<peer_predicate>& out) {
    peer_predicate p;
    p.field = find_peer_field(name);
    if (p.field == nullptr && name != "exists") {
        std::string list;
        for (const peer_field& f : peer_fields()) {
            list += (list.empty() ? "" : ", ") + std::string(f.name);
        }
        error(file, value, load_error::unknown_field,
              "unknown peer attribute '" + name + "' (known: " + list + ", exists)");
        return;
    }
    if (!condition(file, value, p.comparison, p.values, p.expect)) {
        return;
    }
    const field_type type = p.field == nullptr ? field_type::flag : p.field->type;
    if (type == field_type::flag && p.comparison != op::exists) {
        if (p.values.size() != 1 || (p.values[0] != "true" && p.values[0] != "false")) {
            error(file, value, load_error::bad_type, "'" + name + "' takes true or false");
            return;
        }
        p.expect = p.values[0] == "true";
    }
    switch (type) {
        case field_type::state:
            for (const std::string& v : p.values) {
                if (!ike::is_known_state_name(v)) {
                    error(file, value, load_error::unknown_state,
                          "unknown IKE state '" + v +
                              "' (ASA names such as MM_WAIT_MSG4 or "
                              "PIX/IOS names such as MM_KEY_EXCH)");
                    continue;
                }
                for (std::size_t s = 0; s < ike::p1_state_count; ++s) {
                    if (ike::matches_name(static_cast<ike::p1_state>(s), v) ||
                        (text::iequals(v, "MM_KEY_AUTH") &&
                         static_cast<ike::p1_state>(s) == ike::p1_state::mm_active) ||
                        (text::iequals(v, "AG_AUTH") &&
                         static_cast<ike::p1_state>(s) == ike::p1_state::am_active)) {
                        p.states.set(s);
                    }
                }
            }
            break;
        case field_type::name:
            for (const std::string& v : p.values) {
                const auto& allowed = p.field->allowed;
                if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
                    std::string list;
                    for (const std::string_view a : allowed) {
                        list += (list.empty() ? "" : ", ") + std::string(a);
                    }
                    error(file, value, load_error::bad_value,
                          "'" + v + "' is not a " + name + " (" + list + ")");
                }
            }
            break;
        case field_type::event:
            for (const std::string& v : p.values) {
                if (!parsers::event_kind_from(v)) {
                    error(file, value, load_error::unknown_event, "unknown event kind '" + v + "'");
                }
            }
            break;
        case field_type::number:
        case field_type::flag:
        case field_type::text:
            break;
    }
    p.prepare();
    out.push_back(std::move(p));
}

void compiler::peer_where(const std::string& file, const YAML::Node& map,
                          std::vector<peer_predicate>& out) {
    if (!map.IsMap()) {
        error(file, map, load_error::bad_type, "'peer' must be a map of attribute: condition");
        return;
    }
    for (const auto& kv : map) {
        peer_condition(file, kv.first.Scalar(), kv.second, out);
    }
}

bool compiler::text(const std::string& file, const YAML::Node& n, text_template& out,
                    const char* what) {
    std::string s;
    if (!scalar(file, n, s, what)) {
        return false;
    }
    std::string why;
    if (!text_template::compile(s, out, why)) {
        error(file, n, load_error::bad_placeholder, std::string(what) + ": " + why);
        return false;
    }
    bool ok = true;
    for (const std::string& name : out.names()) {
        if (placeholders.count(name) == 0 && find_peer_field(name) == nullptr &&
            !parsers::field_from(name)) {
            error(file, n, load_error::bad_placeholder,
                  std::string(what) + ": unknown placeholder '{" + name + "}'");
            ok = false;
        }
    }
    return ok;
}

void compiler::load(const rule_source& src) {
    const std::string& file = src.name;
    files_.push_back(file);
    YAML::Node doc;
    try {
        doc = YAML::Load(src.text);
    } catch (const YAML::ParserException& e) {
        error(file, e.mark, load_error::yaml_syntax, e.msg);
        return;
    } catch (const YAML::Exception& e) {
        problems.push_back(problem(file, 0, 0, load_error::yaml_syntax, e.what()));
        return;
    }
    if (doc.IsNull()) {
        return;  // an empty file is allowed (a rules.d placeholder)
    }
    if (!doc.IsMap()) {
        error(file, doc, load_error::bad_type, "a rule file is a map (rules:, lists:, macros:, …)");
        return;
    }
    check_keys(file, doc, top_keys, "a rule file");
    if (const auto lists = doc["lists"]) {
        if (!lists.IsMap()) {
            error(file, lists, load_error::bad_type, "'lists' must be a map of name: [values]");
        } else {
            for (const auto& kv : lists) {
                const std::string name = kv.first.Scalar();
                if (lists_.count(name) != 0) {
                    error(file, kv.first, load_error::duplicate_id,
                          "list '" + name + "' is defined twice");
                }
                lists_[name] = values(file, kv.second);
            }
        }
    }
    if (const auto macros = doc["macros"]) {
        if (!macros.IsMap()) {
            error(file, macros, load_error::bad_type,
                  "'macros' must be a map of name: {conditions}");
        } else {
            for (const auto& kv : macros) {
                const std::string name = kv.first.Scalar();
                if (macros_.count(name) != 0) {
                    error(file, kv.first, load_error::duplicate_id,
                          "macro '" + name + "' is defined twice");
                }
                macros_[name] = {file, kv.second};
            }
        }
    }
    if (const auto codes = doc["codes"]) {
        if (!codes.IsMap()) {
            error(file, codes, load_error::bad_type, "'codes' must be a map of code: meaning");
        } else {
            for (const auto& kv : codes) {
                const std::string code = kv.first.Scalar();
                if (find_code(code) != nullptr) {
                    error(file, kv.first, load_error::duplicate_id,
                          "code '" + code + "' is built in; its meaning cannot change");
                    continue;
                }
                if (codes_.count(code) != 0) {
                    error(file, kv.first, load_error::duplicate_id,
                          "code '" + code + "' is declared twice");
                    continue;
                }
                std::string meaning;
                if (scalar(file, kv.second, meaning, "a code's meaning")) {
                    codes_[code] = meaning;
                }
            }
        }
    }
    if (const auto rules = doc["rules"]) {
        if (!rules.IsSequence()) {
            error(file, rules, load_error::bad_type, "'rules' must be a list of rules");
        } else {
            for (const auto& r : rules) {
                if (!r.IsMap()) {
                    error(file, r, load_error::bad_type, "a rule is a map");
                    continue;
                }
                const YAML::Node id = r["id"];
                std::string id_text;
                if (!id || !scalar(file, id, id_text, "id")) {
                    if (!id) {
                        error(file, r, load_error::missing_key, "a rule needs an 'id'");
                    }
                    continue;
                }
                const auto dup = std::find_if(raws_.begin(), raws_.end(), [&](const raw_rule& x) {
                    return x.id_node.Scalar() == id_text;
                });
                if (dup != raws_.end()) {
                    error(file, id, load_error::duplicate_id,
                          "rule id '" + id_text + "' is already defined in " + dup->file + ":" +
                              std::to_string(line_of(dup->id_node.Mark())) +
                              " (use 'overrides' or 'disable' to change a rule)");
                    continue;
                }
                raw_rule raw{file, id, r, {}, false};
                for (const auto& kv : r) {
                    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
                    if (rule_keys.count(key) == 0) {
                        error(file, kv.first, load_error::unknown_key,
                              "unknown key '" + key + "' in a rule");
                        continue;
                    }
                    raw.set(key, {file, kv.second});
                }
                raws_.push_back(std::move(raw));
            }
        }
    }
    if (const auto disable = doc["disable"]) {
        for (const std::string& id : values(file, disable)) {
            const auto it = std::find_if(raws_.begin(), raws_.end(), [&](const raw_rule& x) {
                return x.id_node.Scalar() == id;
            });
            if (it == raws_.end()) {
                error(file, disable, load_error::override_unknown_id,
                      "cannot disable unknown rule '" + id + "'");
            } else {
                it->disabled = true;
            }
        }
    }
    if (const auto overrides = doc["overrides"]) {
        if (!overrides.IsSequence()) {
            error(file, overrides, load_error::bad_type,
                  "'overrides' must be a list of {id, key: value}");
        } else {
            for (const auto& o : overrides) {
                const YAML::Node id = o["id"];
                if (!o.IsMap() || !id || !id.IsScalar()) {
                    error(file, o, load_error::missing_key, "an override needs an 'id'");
                    continue;
                }
                const auto it = std::find_if(raws_.begin(), raws_.end(), [&](const raw_rule& x) {
                    return x.id_node.Scalar() == id.Scalar();
                });
                if (it == raws_.end()) {
                    error(file, id, load_error::override_unknown_id,
                          "cannot override unknown rule '" + id.Scalar() + "'");
                    continue;
                }
                check_keys(file, o, rule_keys, "an override");
                for (const auto& kv : o) {
                    if (kv.first.Scalar() != "id" && rule_keys.count(kv.first.Scalar()) != 0) {
                        it->set(kv.first.Scalar(), {file, kv.second});
                    }
                }
            }
        }
    }
}

void compiler::compile(const raw_rule& raw, rule_set& set) {
    rule r;
    r.id = raw.id_node.Scalar();
    r.file = raw.file;
    r.line = line_of(raw.id_node.Mark());
    if (r.id.empty() || r.id.find_first_not_of(
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") !=
                            std::string::npos) {
        error(raw.file, raw.id_node, load_error::bad_value,
              "rule ids use letters, digits, '-', '_' and '.'");
    }
    if (raw.disabled) {
        return;
    }
    if (const auto* enabled = raw.get("enabled")) {
        bool on = true;
        if (!enabled->node.IsScalar() || !YAML::convert<bool>::decode(enabled->node, on)) {
            error(enabled->file, enabled->node, load_error::bad_type,
                  "'enabled' takes true or false");
        } else if (!on) {
            return;
        }
    }
    // Each key's problems are reported in the file the key came from.
    std::string file = raw.file;
    auto key = [&](const char* name) -> YAML::Node {
        const raw_rule::value* v = raw.get(name);
        if (v == nullptr) {
            return YAML::Node(YAML::NodeType::Undefined);
        }
        file = v->file;
        return v->node;
    };
    auto required = [&](const char* name) -> YAML::Node {
        const YAML::Node v = key(name);
        if (!v.IsDefined()) {
            error(raw.file, raw.id_node, load_error::missing_key,
                  "rule '" + r.id + "' needs '" + name + "'");
        }
        return v;
    };
    if (const auto v = key("version"); v.IsDefined()) {
        std::string s;
        if (scalar(file, v, s, "version")) {
            const auto num = text::to_number<int>(s);
            if (!num || *num < 1) {
                error(file, v, load_error::bad_value, "version is a whole number from 1");
            } else {
                r.version = *num;
            }
        }
    }
    if (const auto v = required("name")) {
        (void)scalar(file, v, r.name, "name");
    }
    if (const auto v = required("code"); v && scalar(file, v, r.code, "code")) {
        if (find_code(r.code) == nullptr && codes_.count(r.code) == 0) {
            error(file, v, load_error::unknown_code,
                  "unknown diagnosis code '" + r.code + "' (declare it under 'codes:' first)");
        }
    }
    if (const auto v = required("severity")) {
        std::string s;
        if (scalar(file, v, s, "severity")) {
            if (const auto sev = severity_from(s)) {
                r.sev = *sev;
            } else {
                error(file, v, load_error::bad_severity,
                      "severity is info, low, medium, high or critical");
            }
        }
    }
    if (const auto v = key("confidence"); v.IsDefined()) {
        std::string s;
        if (scalar(file, v, s, "confidence")) {
            if (s == "low") {
                r.conf = confidence::low;
            } else if (s == "medium") {
                r.conf = confidence::medium;
            } else if (s == "high") {
                r.conf = confidence::high;
            } else {
                error(file, v, load_error::bad_value, "confidence is low, medium or high");
            }
        }
    }
    if (const auto v = required("title")) {
        (void)text(file, v, r.title, "title");
    }
    if (const auto v = required("cause")) {
        (void)text(file, v, r.cause, "cause");
    }
    if (const auto v = required("checks")) {
        if (!v.IsSequence()) {
            error(file, v, load_error::bad_type, "'checks' is a list of texts");
        } else {
            for (const auto& c : v) {
                text_template t;
                if (text(file, c, t, "check")) {
                    r.checks.push_back(std::move(t));
                }
            }
        }
    }
    if (const auto v = key("suppress"); v.IsDefined()) {
        (void)duration(file, v, r.suppress);
    }
    if (const auto v = key("fallback"); v.IsDefined()) {
        if (!v.IsScalar() || !YAML::convert<bool>::decode(v, r.fallback)) {
            error(file, v, load_error::bad_type, "'fallback' takes true or false");
        }
    }
    const YAML::Node m = required("match");
    if (m && !m.IsMap()) {
        error(file, m, load_error::bad_type, "'match' is a map");
    } else if (m) {
        check_keys(file, m, match_keys, "match");
        const bool has_event = static_cast<bool>(m["event"]);
        const bool has_state = static_cast<bool>(m["state"]);
        if (has_event == has_state) {
            error(file, m, load_error::bad_match,
                  "match on either 'event' or 'state' (time in state)");
        }
        if (has_event) {
            (void)kinds(file, m["event"], r.events);
        }
        if (const auto v = m["msg_id"]; v && has_state) {
            error(file, v, load_error::bad_match,
                  "'msg_id' applies to events, not to a time in state");
        } else if (v) {
            event_predicate p;
            p.subject = event_subject::msg_id;
            p.values = values(file, v);
            p.comparison = op::in;
            p.prepare();
            r.where.push_back(std::move(p));
        }
        if (const auto v = m["where"]) {
            if (has_state) {
                error(file, v, load_error::bad_match,
                      "'where' applies to events; use 'peer' with 'state'");
            }
            event_where(file, v, r.where);
        }
        if (const auto v = m["peer"]) {
            peer_where(file, v, r.peer);
        }
        if (has_state) {
            r.kind = rule::type::state;
            std::vector<peer_predicate> st;
            if (!m["state"].IsScalar() && !m["state"].IsSequence()) {
                error(file, m["state"], load_error::bad_type,
                      "'state' names a state, a list of states or a $list");
            } else {
                peer_condition(file, "state", m["state"], st);
            }
            if (!st.empty()) {
                r.states = st.front().states;
            }
            if (const auto v = m["for"]) {
                (void)duration(file, v, r.for_);
            } else {
                error(file, m, load_error::missing_key, "a time-in-state match needs 'for'");
            }
        } else if (m["for"]) {
            error(file, m["for"], load_error::bad_match, "'for' goes with 'state'");
        }
        const bool threshold = static_cast<bool>(m["count"]);
        const bool absence = static_cast<bool>(m["not_followed_by"]);
        if (threshold && absence) {
            error(file, m, load_error::bad_match,
                  "a rule is a threshold ('count') or an absence ('not_followed_by'), not both");
        }
        if ((threshold || absence) && !has_event) {
            error(file, m, load_error::bad_match,
                  "'count' and 'not_followed_by' need an 'event' trigger");
        }
        if (threshold) {
            std::string s;
            if (scalar(file, m["count"], s, "count")) {
                const auto c = text::to_number<std::uint32_t>(s);
                if (!c || *c < 1 || *c > 10000) {
                    error(file, m["count"], load_error::bad_value,
                          "count is a whole number from 1 to 10000");
                } else {
                    r.count = *c;
                }
            }
            r.kind = rule::type::threshold;
        }
        if (absence) {
            (void)kinds(file, m["not_followed_by"], r.followups);
            r.kind = rule::type::absence;
        }
        if (threshold || absence) {
            if (const auto v = m["within"]) {
                (void)duration(file, v, r.within);
            } else {
                error(file, m, load_error::missing_key,
                      "'count' and 'not_followed_by' need 'within'");
            }
        } else if (m["within"]) {
            error(file, m["within"], load_error::bad_match,
                  "'within' goes with 'count' or 'not_followed_by'");
        }
        if (const auto v = m["key"]; v && has_state) {
            error(file, v, load_error::bad_match, "a time-in-state rule is always keyed by peer");
        } else if (v) {
            std::string s;
            if (scalar(file, v, s, "key")) {
                if (s == "peer") {
                    r.key = key_kind::peer;
                } else if (s == "device") {
                    r.key = key_kind::device;
                } else if (const auto f = parsers::field_from(s)) {
                    r.key = key_kind::field;
                    r.key_field = *f;
                } else {
                    error(file, v, load_error::unknown_field,
                          "key is peer, device or an event field, not '" + s + "'");
                }
            }
        }
        if (const auto w = m["with"]) {
            if (!w.IsMap()) {
                error(file, w, load_error::bad_type, "'with' is a map {event, where, within}");
            } else {
                check_keys(file, w, with_keys, "with");
                r.with.enabled = true;
                if (const auto v = w["event"]) {
                    (void)kinds(file, v, r.with.events);
                } else {
                    error(file, w, load_error::missing_key, "'with' needs 'event'");
                }
                if (const auto v = w["where"]) {
                    event_where(file, v, r.with.where);
                }
                if (const auto v = w["within"]) {
                    (void)duration(file, v, r.with.within);
                } else {
                    error(file, w, load_error::missing_key, "'with' needs 'within'");
                }
            }
            if (r.key == key_kind::field) {
                error(file, w, load_error::bad_match,
                      "'with' correlates events of the same peer or device: key must be peer "
                      "or device");
            }
        }
    }
    const YAML::Node res = key("resolve");
    if (res.IsDefined()) {
        if (!res.IsMap()) {
            error(file, res, load_error::bad_type, "'resolve' is a map");
        } else {
            check_keys(file, res, resolve_keys, "resolve");
            for (const char* shorthand : {"state", "status", "phase2"}) {
                if (const auto v = res[shorthand]) {
                    peer_condition(file, shorthand, v, r.resolve.peer);
                }
            }
            if (const auto v = res["peer"]) {
                peer_where(file, v, r.resolve.peer);
            }
            if (const auto v = res["event"]) {
                (void)kinds(file, v, r.resolve.events);
            }
            if (const auto v = res["after"]) {
                (void)duration(file, v, r.resolve.after);
            }
            if (r.key != key_kind::peer && (!r.resolve.peer.empty() || r.resolve.events.any())) {
                error(file, res, load_error::bad_match,
                      "only 'after' resolves a rule not keyed by peer (state, status, phase2, "
                      "peer and event describe a peer)");
            }
        }
    } else if (r.kind != rule::type::state) {
        // Failures of a peer clear when its phase 1 comes up; other keys after a quiet hour.
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
    set.rules.push_back(std::move(r));
}

std::shared_ptr<rule_set> compiler::finish() {
    auto set = std::make_shared<rule_set>();
    set->files = files_;
    set->custom_codes = codes_;
    for (const raw_rule& raw : raws_) {
        compile(raw, *set);
    }
    std::stable_sort(
        problems.begin(), problems.end(), [&](const diagnostic& a, const diagnostic& b) {
            const auto fa = std::find(files_.begin(), files_.end(), a.file) - files_.begin();
            const auto fb = std::find(files_.begin(), files_.end(), b.file) - files_.begin();
            return fa != fb ? fa < fb : a.line != b.line ? a.line < b.line : a.column < b.column;
        });
    if (!problems.empty()) {
        return nullptr;
    }
    set->index();
    return set;
}

}  // namespace

load_result load_rules(const std::vector<rule_source>& sources) {
    compiler c;
    for (const rule_source& s : sources) {
        c.load(s);
    }
    load_result out;
    out.rules = c.finish();
    out.problems = std::move(c.problems);
    return out;
}

std::vector<rule_source> read_rule_paths(const std::vector<std::string>& paths,
                                         diagnostics& problems) {
    namespace fs = std::filesystem;
    std::vector<rule_source> out;
    auto read = [&](const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        if (!in) {
            problems.push_back(
                problem(p.string(), 0, 0, load_error::unreadable, "cannot read the file"));
            return;
        }
        std::stringstream ss;
        ss << in.rdbuf();
        out.push_back({p.string(), ss.str()});
    };
    for (const std::string& path : paths) {
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            std::vector<fs::path> files;
            for (const auto& e : fs::directory_iterator(path, ec)) {
                const auto ext = e.path().extension();
                if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) {
                    files.push_back(e.path());
                }
            }
            std::sort(files.begin(), files.end());
            for (const auto& f : files) {
                read(f);
            }
        } else if (fs::exists(path, ec)) {
            read(path);
        } else {
            problems.push_back(
                problem(path, 0, 0, load_error::unreadable, "no such file or directory"));
        }
    }
    return out;
}

load_result load_with_pack(const std::vector<std::string>& paths) {
    diagnostics problems;
    std::vector<rule_source> sources = shipped_pack();
    std::vector<rule_source> local = read_rule_paths(paths, problems);
    sources.insert(sources.end(), std::make_move_iterator(local.begin()),
                   std::make_move_iterator(local.end()));
    load_result result = load_rules(sources);
    if (!problems.empty()) {
        result.problems.insert(result.problems.begin(), problems.begin(), problems.end());
        result.rules = nullptr;
    }
    return result;
}

}  // namespace ikewatch::rules

#include "rules/condition_compiler.hpp"

#include <algorithm>
#include <map>

#include "common/text.hpp"
#include "ike/states.hpp"
#include "rules/peer_fields.hpp"

namespace ikewatch::rules {

using parsers::event_kind;

std::vector<std::string> condition_compiler::values(const std::string& file, const YAML::Node& n) {
    return check_.values(file, n, defined_.lists);
}

bool condition_compiler::kinds(const std::string& file, const YAML::Node& n, kind_set& out) {
    bool ok = true;
    for (const std::string& name : values(file, n)) {
        const auto k = parsers::event_kind_from(name);
        if (!k || *k == event_kind::other) {
            std::string hint;
            for (std::size_t i = 1; i < parsers::event_kind_count; ++i) {
                hint += (hint.empty() ? "" : ", ") +
                        std::string(parsers::to_string(static_cast<event_kind>(i)));
            }
            check_.error(file, n, load_error::unknown_event,
                         "unknown event kind '" + name + "' (known: " + hint + ")");
            ok = false;
            continue;
        }
        out.set(static_cast<std::size_t>(*k));
    }
    return ok;
}

// `value` | [values] | {op: value(s)}
bool condition_compiler::condition(const std::string& file, const YAML::Node& value, op& o,
                                   std::vector<std::string>& vals, bool& expect) {
    expect = true;
    if (value.IsMap()) {
        return operator_condition(file, value, o, vals, expect);
    }
    vals = values(file, value);
    o = value.IsSequence() ? op::in : op::eq;
    return !vals.empty() || value.IsSequence();
}

// {op: value(s)}
bool condition_compiler::operator_condition(const std::string& file, const YAML::Node& value, op& o,
                                            std::vector<std::string>& vals, bool& expect) {
    if (value.size() != 1) {
        check_.error(file, value, load_error::bad_condition,
                     "a condition map takes exactly one operator");
        return false;
    }
    const auto kv = *value.begin();
    const std::string name = kv.first.Scalar();
    static const std::map<std::string, op> ops{{"eq", op::eq},         {"ne", op::ne},
                                               {"in", op::in},         {"not_in", op::not_in},
                                               {"gt", op::gt},         {"gte", op::gte},
                                               {"lt", op::lt},         {"lte", op::lte},
                                               {"exists", op::exists}, {"contains", op::contains},
                                               {"prefix", op::prefix}};
    const auto it = ops.find(name);
    if (it == ops.end()) {
        check_.error(file, kv.first, load_error::bad_condition,
                     "unknown operator '" + name +
                         "' (use eq, ne, in, not_in, gt, gte, lt, lte, exists, contains, prefix)");
        return false;
    }
    o = it->second;
    if (o == op::exists) {
        std::string b;
        if (!check_.scalar(file, kv.second, b, "exists") || (b != "true" && b != "false")) {
            check_.error(file, kv.second, load_error::bad_type, "exists takes true or false");
            return false;
        }
        expect = b == "true";
        return true;
    }
    vals = values(file, kv.second);
    if ((o == op::gt || o == op::gte || o == op::lt || o == op::lte) &&
        (vals.size() != 1 || vals[0].find_first_not_of("0123456789.-") != std::string::npos)) {
        check_.error(file, kv.second, load_error::bad_type, "'" + name + "' takes one number");
        return false;
    }
    return true;
}

void condition_compiler::event_where(const std::string& file, const YAML::Node& map,
                                     std::vector<event_predicate>& out, int depth) {
    if (!map.IsMap()) {
        check_.error(file, map, load_error::bad_type, "'where' must be a map of field: condition");
        return;
    }
    for (const auto& kv : map) {
        const std::string name = kv.first.Scalar();
        if (name == "macro") {
            expand_macros(file, kv.second, out, depth);
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
            check_.error(file, kv.first, load_error::unknown_field,
                         "unknown event field '" + name + "'");
            continue;
        }
        if (condition(file, kv.second, p.comparison, p.values, p.expect)) {
            p.prepare();
            out.push_back(std::move(p));
        }
    }
}

void condition_compiler::expand_macros(const std::string& file, const YAML::Node& names,
                                       std::vector<event_predicate>& out, int depth) {
    for (const std::string& m : values(file, names)) {
        const auto it = defined_.macros.find(m);
        if (it == defined_.macros.end()) {
            check_.error(file, names, load_error::unknown_macro, "no macro named '" + m + "'");
        } else if (depth > 4) {
            check_.error(file, names, load_error::bad_macro, "macros nest too deeply (a loop?)");
        } else {
            event_where(it->second.file, it->second.map, out, depth + 1);
        }
    }
}

void condition_compiler::peer_condition(const std::string& file, const std::string& name,
                                        const YAML::Node& value, std::vector<peer_predicate>& out) {
    peer_predicate p;
    p.field = find_peer_field(name);
    if (p.field == nullptr && name != "exists") {
        std::string list;
        for (const peer_field& f : peer_fields()) {
            list += (list.empty() ? "" : ", ") + std::string(f.name);
        }
        check_.error(file, value, load_error::unknown_field,
                     "unknown peer attribute '" + name + "' (known: " + list + ", exists)");
        return;
    }
    if (!condition(file, value, p.comparison, p.values, p.expect)) {
        return;
    }
    const field_type type = p.field == nullptr ? field_type::flag : p.field->type;
    if (type == field_type::flag && p.comparison != op::exists) {
        if (p.values.size() != 1 || (p.values[0] != "true" && p.values[0] != "false")) {
            check_.error(file, value, load_error::bad_type, "'" + name + "' takes true or false");
            return;
        }
        p.expect = p.values[0] == "true";
    }
    check_values(file, name, value, type, p);
    p.prepare();
    out.push_back(std::move(p));
}

void condition_compiler::peer_where(const std::string& file, const YAML::Node& map,
                                    std::vector<peer_predicate>& out) {
    if (!map.IsMap()) {
        check_.error(file, map, load_error::bad_type,
                     "'peer' must be a map of attribute: condition");
        return;
    }
    for (const auto& kv : map) {
        peer_condition(file, kv.first.Scalar(), kv.second, out);
    }
}

// Values of a state, a name or an event attribute must be ones the attribute can take.
void condition_compiler::check_values(const std::string& file, const std::string& name,
                                      const YAML::Node& value, field_type type, peer_predicate& p) {
    switch (type) {
        case field_type::state:
            state_values(file, value, p);
            break;
        case field_type::name:
            for (const std::string& v : p.values) {
                const auto& allowed = p.field->allowed;
                if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
                    std::string list;
                    for (const std::string_view a : allowed) {
                        list += (list.empty() ? "" : ", ") + std::string(a);
                    }
                    check_.error(file, value, load_error::bad_value,
                                 "'" + v + "' is not a " + name + " (" + list + ")");
                }
            }
            break;
        case field_type::event:
            for (const std::string& v : p.values) {
                if (!parsers::event_kind_from(v)) {
                    check_.error(file, value, load_error::unknown_event,
                                 "unknown event kind '" + v + "'");
                }
            }
            break;
        case field_type::number:
        case field_type::flag:
        case field_type::text:
            break;
    }
}

// State names of either vocabulary, each the set of ASA states it stands for.
void condition_compiler::state_values(const std::string& file, const YAML::Node& value,
                                      peer_predicate& p) {
    for (const std::string& v : p.values) {
        if (!ike::is_known_state_name(v)) {
            check_.error(file, value, load_error::unknown_state,
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
}

}  // namespace ikewatch::rules

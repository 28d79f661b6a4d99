#include "rules/rule_values.hpp"

namespace ikewatch::rules {

namespace {

int column_of(const YAML::Mark& m) {
    return m.column >= 0 ? m.column + 1 : 0;
}

}  // namespace

diagnostic load_problem(const std::string& file, int line, int column, load_error code,
                        std::string message) {
    return {file, line, column, std::string(ikewatch::to_string(code)), std::move(message)};
}

int line_of(const YAML::Mark& m) {
    return m.line >= 0 ? m.line + 1 : 0;
}

void rule_values::error(const std::string& file, const YAML::Mark& at, load_error code,
                        const std::string& message) {
    problems_.push_back(load_problem(file, line_of(at), column_of(at), code, message));
}

void rule_values::error(const std::string& file, const YAML::Node& at, load_error code,
                        const std::string& message) {
    error(file, at.IsDefined() ? at.Mark() : YAML::Mark::null_mark(), code, message);
}

void rule_values::check_keys(const std::string& file, const YAML::Node& map,
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

bool rule_values::scalar(const std::string& file, const YAML::Node& n, std::string& out,
                         const char* what) {
    if (!n.IsScalar()) {
        error(file, n, load_error::bad_type, std::string(what) + " must be a single value");
        return false;
    }
    out = n.Scalar();
    return true;
}

bool rule_values::duration(const std::string& file, const YAML::Node& n, micros& out) {
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

std::vector<std::string> rule_values::values(const std::string& file, const YAML::Node& n,
                                             const list_table& lists) {
    std::vector<std::string> out;
    auto add = [&](const YAML::Node& v) {
        if (!v.IsScalar()) {
            error(file, v, load_error::bad_type, "a list of plain values was expected");
            return;
        }
        const std::string& s = v.Scalar();
        if (!s.empty() && s[0] == '$') {
            const auto it = lists.find(s.substr(1));
            if (it == lists.end()) {
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

}  // namespace ikewatch::rules

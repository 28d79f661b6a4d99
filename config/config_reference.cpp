#include "config/config_reference.hpp"

#include <nlohmann/json.hpp>

#include "common/enum_names.hpp"
#include "config/config_schema.hpp"

namespace ikewatch::config {

std::string config_reference_text() {
    std::string out;
    for (const key_spec& k : config_keys()) {
        const std::string limits = limits_text(k);
        if (!out.empty()) {
            out += '\n';
        }
        out += std::string(k.path) + '\n';
        out += "  type: " + std::string(ikewatch::to_string(k.type)) + '\n';
        out += "  default: " + default_text(k) + '\n';
        out += "  limits: " + (limits.empty() ? std::string("-") : limits) + '\n';
        out += std::string("  reloadable: ") + (k.reloadable ? "yes" : "no") + '\n';
        out += "  description: " + std::string(k.description) + '\n';
    }
    return out;
}

std::string config_reference_json() {
    nlohmann::json keys = nlohmann::json::array();
    for (const key_spec& k : config_keys()) {
        nlohmann::json j{{"key", k.path},
                         {"type", ikewatch::to_string(k.type)},
                         {"default", default_text(k)},
                         {"limits", limits_text(k)},
                         {"reloadable", k.reloadable},
                         {"required", k.required},
                         {"description", k.description}};
        if (k.type == value_type::choice) {
            j["choices"] = choices(k);
        }
        keys.push_back(std::move(j));
    }
    return keys.dump(2) + '\n';
}

}  // namespace ikewatch::config

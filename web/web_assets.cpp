#include "web/web_assets.hpp"

namespace ikewatch::web {

const asset* find_asset(std::string_view name) noexcept {
    for (const asset& a : assets()) {
        if (a.name == name) {
            return &a;
        }
    }
    return nullptr;
}

}  // namespace ikewatch::web

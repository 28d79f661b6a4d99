#include "outputs/html_report.hpp"

#include <array>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "outputs/parse_json.hpp"
#include "web/web_assets.hpp"

namespace ikewatch::outputs {

namespace {

// The page's modules, each after the ones it imports.
constexpr std::array<std::string_view, 9> module_order{"dom.js",  "format.js", "routes.js",
                                                       "data.js", "ladder.js", "fleet.js",
                                                       "peer.js", "alerts.js", "app.js"};

std::string_view asset_text(std::string_view name) {
    const web::asset* a = web::find_asset(name);
    if (a == nullptr) {
        throw std::logic_error("web page file missing: " + std::string(name));
    }
    return a->data;
}

// The modules as one script: each module's single-line imports go (the names they import are
// declared above it) and `export` keywords are dropped.
std::string bundle() {
    std::size_t modules = 0;
    for (const web::asset& a : web::assets()) {
        if (a.name.ends_with(".js")) {
            ++modules;
        }
    }
    if (modules != module_order.size()) {
        throw std::logic_error("web page modules changed: update module_order in html_report.cpp");
    }
    std::string out;
    for (const std::string_view name : module_order) {
        std::string_view text = asset_text(name);
        out += "// ---- ";
        out += name;
        out += '\n';
        while (!text.empty()) {
            const std::size_t nl = text.find('\n');
            std::string_view line = text.substr(0, nl);
            text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
            if (line.starts_with("import ")) {
                continue;
            }
            if (line.starts_with("export ")) {
                line.remove_prefix(7);
            }
            out += line;
            out += '\n';
        }
    }
    return out;
}

std::string sha256_base64(std::string_view text) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
    std::array<unsigned char, 64> b64{};
    const int n = EVP_EncodeBlock(b64.data(), digest.data(), static_cast<int>(digest.size()));
    return {reinterpret_cast<const char*>(b64.data()), static_cast<std::size_t>(n)};
}

void replace_once(std::string& s, std::string_view what, std::string_view with) {
    const std::size_t at = s.find(what);
    if (at == std::string::npos) {
        throw std::logic_error("web page index.html changed: cannot find " + std::string(what));
    }
    s.replace(at, what.size(), with);
}

}  // namespace

std::string html_report(const nlohmann::json& data) {
    std::string page(asset_text("index.html"));
    const std::string css(asset_text("app.css"));
    const std::string script = bundle();
    // JSON inside <script>: no `<` at all, so neither `</script>` nor `<!--` can appear.
    std::string json = dump_json(data);
    std::string safe;
    safe.reserve(json.size() + 64);
    for (const char c : json) {
        if (c == '<') {
            safe += "\\u003c";
        } else {
            safe += c;
        }
    }
    const std::string csp = "default-src 'none'; script-src 'sha256-" + sha256_base64(script) +
                            "'; style-src 'sha256-" + sha256_base64(css) +
                            "'; img-src data:; base-uri 'none'; form-action 'none'";
    replace_once(
        page, "<meta charset=\"utf-8\">",
        "<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"" + csp +
            "\">\n<meta name=\"referrer\" content=\"no-referrer\">");
    replace_once(page, R"(<link rel="stylesheet" href="/ui/app.css">)",
                 "<style>" + css + "</style>");
    replace_once(page, R"(<script type="module" src="/ui/app.js"></script>)",
                 R"(<script type="application/json" id="ikewatch-data">)" + safe +
                     "</script>\n<script type=\"module\">" + script + "</script>");
    return page;
}

}  // namespace ikewatch::outputs

#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace ikewatch::outputs {

/// One self-contained HTML file: the web page (its CSS and its ES modules inlined, in
/// dependency order, into one module script) with `data` inlined as JSON, for
/// `ikewatch replay --html`. `data` holds `report`, `fleet` (every row), `alerts` and `peers`
/// (peer views). A Content-Security-Policy meta tag allows exactly the inlined script and style
/// (by their SHA-256) and nothing from the network. Text from the logs stays data: the JSON is
/// escaped so no `<` reaches the markup.
[[nodiscard]] std::string html_report(const nlohmann::json& data);

}  // namespace ikewatch::outputs

#pragma once

#include <span>
#include <string_view>

namespace ikewatch::web {

/// One file of the web page, compiled into the binary (web/page/, embedded by embed_web.cmake).
struct asset {
    std::string_view name;          ///< file name: `index.html`, `app.js`, `app.css`
    std::string_view content_type;  ///< with charset
    std::string_view etag;          ///< quoted hash of the content
    std::string_view data;
};

/// Every file, sorted by name.
[[nodiscard]] std::span<const asset> assets() noexcept;

/// The file of that name, or nullptr.
[[nodiscard]] const asset* find_asset(std::string_view name) noexcept;

}  // namespace ikewatch::web

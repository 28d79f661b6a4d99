// The self-contained report (`ikewatch replay --html`) and the page's URL parsing.

#include <gtest/gtest.h>

#include "daemon/web_routes.hpp"
#include "outputs/html_report.hpp"
#include "web/web_assets.hpp"

using namespace ikewatch;

TEST(WebReport, InlinesEveryModuleAndKeepsLogTextOutOfTheMarkup) {
    const nlohmann::json data{{"fleet", {{"peers", nlohmann::json::array()}}},
                              {"evil", "</script><script>window.__xss=1</script><!--"}};
    const std::string page = outputs::html_report(data);
    EXPECT_EQ(page.find("</script><script>window.__xss"), std::string::npos);
    EXPECT_NE(page.find("\\u003c/script>\\u003cscript>window.__xss=1\\u003c/script>\\u003c!--"),
              std::string::npos);
    EXPECT_NE(page.find("Content-Security-Policy"), std::string::npos);
    EXPECT_NE(page.find("script-src 'sha256-"), std::string::npos);
    EXPECT_EQ(page.find("src=\"/ui/"), std::string::npos);
    EXPECT_EQ(page.find("href=\"/ui/"), std::string::npos);
    for (const web::asset& a : web::assets()) {
        if (a.name.ends_with(".js")) {
            EXPECT_NE(page.find("// ---- " + std::string(a.name)), std::string::npos) << a.name;
        }
    }
    EXPECT_EQ(page.find("\nimport "), std::string::npos);
    EXPECT_EQ(page.find("\nexport "), std::string::npos);
}

TEST(WebReport, PeerPathsArePercentDecodedSegments) {
    const auto p = daemon::split_peer_path("fw%2Fhq/2001%3Adb8%3A%3A2");
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->first, "fw/hq");
    EXPECT_EQ(p->second, "2001:db8::2");
    EXPECT_FALSE(daemon::split_peer_path("a/b/c").has_value());
    EXPECT_FALSE(daemon::split_peer_path("a").has_value());
    EXPECT_FALSE(daemon::split_peer_path("/b").has_value());
    EXPECT_FALSE(daemon::split_peer_path("a/%zz").has_value());
}

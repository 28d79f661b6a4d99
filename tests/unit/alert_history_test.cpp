// The web page's memory of recent resolves: bounded, newest first, each resolve as it was
// emitted (the oldest lends its strings to the newest once full).

#include "outputs/alert_history.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "outputs/alert_format.hpp"

using ikewatch::outputs::alert_history;
using ikewatch::rules::alert;

namespace {

alert resolve_of(int n) {
    alert a;
    a.action = alert::action_t::resolved;
    a.id = "R/fw/" + std::to_string(n);
    a.time = n;
    a.message = std::string(static_cast<std::size_t>(n % 3) * 40, 'm');
    for (int i = 0; i < n % 4; ++i) {
        a.checks.push_back("check " + std::to_string(i) + std::string(50, 'x'));
        a.evidence.push_back({i, "line " + std::to_string(n) + "/" + std::to_string(i)});
    }
    return a;
}

}  // namespace

TEST(AlertHistory, KeepsTheNewestResolvesWholeAndNewestFirst) {
    alert_history history(3);
    alert raised = resolve_of(100);
    raised.action = alert::action_t::raised;
    for (int n = 1; n <= 7; ++n) {
        history.record(resolve_of(n));
        history.record(raised);  // raises are the engine's to list
    }
    EXPECT_EQ(history.size(), 3U);
    EXPECT_EQ(history.recorded(), 7U);
    std::vector<std::string> seen;
    history.for_each_since(
        6, [&](const alert& a) { seen.push_back(ikewatch::outputs::alert_json_line(a)); });
    ASSERT_EQ(seen.size(), 2U);
    EXPECT_EQ(seen[0], ikewatch::outputs::alert_json_line(resolve_of(7)));
    EXPECT_EQ(seen[1], ikewatch::outputs::alert_json_line(resolve_of(6)));
    seen.clear();
    history.for_each_since(0, [&](const alert& a) { seen.push_back(a.id); });
    EXPECT_EQ(seen, (std::vector<std::string>{"R/fw/7", "R/fw/6", "R/fw/5"}));
}

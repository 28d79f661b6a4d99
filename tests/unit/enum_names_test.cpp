#include "common/enum_names.hpp"

#include <gtest/gtest.h>

#include "common/enum_option.hpp"
#include "config/daemon_config.hpp"
#include "outputs/forwarder_settings.hpp"
#include "outputs/output_format.hpp"
#include "outputs/siem_format.hpp"

using namespace ikewatch;

TEST(EnumNames, EachValueHasItsNameAndBack) {
    EXPECT_EQ(ikewatch::to_string(outputs::siem_format::leef), "leef");
    EXPECT_EQ(from_string<outputs::siem_format>("cef"), outputs::siem_format::cef);
    EXPECT_EQ(from_string<config::log_level>("warn"), config::log_level::warn);
    EXPECT_EQ(from_string<outputs::forward_scheme>("https"), outputs::forward_scheme::https);
    // One list: no aliases, no other spelling.
    EXPECT_FALSE(from_string<outputs::siem_format>("syslog"));
    EXPECT_FALSE(from_string<outputs::siem_format>("ecs"));
    EXPECT_FALSE(from_string<outputs::siem_format>("JSON"));
    EXPECT_FALSE(from_string<config::log_level>(""));
    EXPECT_EQ(ikewatch::to_string(outputs::output_format::count_), "");
    for (std::size_t i = 0; i < names_table<config::log_level>().size(); ++i) {
        const auto level = static_cast<config::log_level>(i);
        EXPECT_EQ(from_string<config::log_level>(ikewatch::to_string(level)), level);
    }
}

TEST(EnumNames, ListsForPeople) {
    EXPECT_EQ(name_list<outputs::siem_format>(), "rfc5424, cef, leef or json");
    EXPECT_EQ(name_list<outputs::output_format>(), "json or text");
    EXPECT_EQ(name_list<outputs::siem_format>("|", "|"), "rfc5424|cef|leef|json");
    EXPECT_EQ(outputs::forward_scheme_list(),
              "udp://, tcp://, tls://, http://, https:// or kafka://");
    EXPECT_EQ(names_of<outputs::output_format>(), (std::vector<std::string>{"json", "text"}));
    EXPECT_EQ(join_names(std::vector<std::string>{"one"}), "one");
}

TEST(EnumOption, TakesOnlyTheNames) {
    const auto parse = [](std::vector<std::string> args, auto& out) {
        CLI::App app;
        add_enum_option<outputs::siem_format>(app, "--format", out, "Format");
        std::vector<char*> argv{const_cast<char*>("test")};
        for (std::string& a : args) {
            argv.push_back(a.data());
        }
        try {
            app.parse(static_cast<int>(argv.size()), argv.data());
            return true;
        } catch (const CLI::ParseError&) {
            return false;
        }
    };
    outputs::siem_format f = outputs::siem_format::rfc5424;
    EXPECT_TRUE(parse({"--format", "leef"}, f));
    EXPECT_EQ(f, outputs::siem_format::leef);
    EXPECT_FALSE(parse({"--format", "syslog"}, f));
    EXPECT_EQ(f, outputs::siem_format::leef);
    std::optional<outputs::siem_format> given;
    EXPECT_TRUE(parse({}, given));
    EXPECT_FALSE(given);
    EXPECT_TRUE(parse({"--format=json"}, given));
    EXPECT_EQ(given, outputs::siem_format::json);
}

#pragma once

#include <cstdio>
#include <string>

#include "outputs/alert_format.hpp"
#include "outputs/parse_json.hpp"
#include "rules/alert.hpp"

namespace ikewatch::cli {

/// Prints alerts to standard output as they are raised and resolved (JSON lines or text).
class alert_printer final : public rules::alert_sink {
  public:
    explicit alert_printer(bool json) : json_(json) {}
    void emit(const rules::alert& a) override {
        const std::string line =
            json_ ? outputs::dump_json(outputs::alert_json(a)) + '\n' : outputs::alert_text(a);
        std::fwrite(line.data(), 1, line.size(), stdout);
        a.action == rules::alert::action_t::raised ? ++raised : ++resolved;
    }
    std::size_t raised = 0;
    std::size_t resolved = 0;

  private:
    bool json_;
};

}  // namespace ikewatch::cli

#pragma once

#include <cstdio>
#include <string>

#include "outputs/alert_format.hpp"
#include "outputs/json_writer.hpp"
#include "rules/alert.hpp"

namespace ikewatch::cli {

/// Prints alerts to standard output as they are raised and resolved (JSON lines or text).
class alert_printer final : public rules::alert_sink {
  public:
    explicit alert_printer(bool json) : json_(json) {}
    void emit(const rules::alert& a) override {
        if (json_) {
            // The fixed-schema writer, into a buffer kept between alerts: no document per alert.
            line_.clear();
            outputs::append_alert_json(a, line_, times_);
            line_.push_back('\n');
        } else {
            line_ = outputs::alert_text(a);
        }
        std::fwrite(line_.data(), 1, line_.size(), stdout);
        a.action == rules::alert::action_t::raised ? ++raised : ++resolved;
    }
    std::size_t raised = 0;
    std::size_t resolved = 0;

  private:
    bool json_;
    std::string line_;
    outputs::json_time_memo times_;
};

}  // namespace ikewatch::cli

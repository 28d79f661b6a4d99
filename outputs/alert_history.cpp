#include "outputs/alert_history.hpp"

namespace ikewatch::outputs {

void alert_history::record(const rules::alert& a) {
    if (a.action != rules::alert::action_t::resolved || capacity_ == 0) {
        return;
    }
    if (resolved_.size() < capacity_) {
        resolved_.push_back(a);
    } else {
        // The oldest makes room and lends its strings to the newest: no allocation once full.
        rules::alert oldest = std::move(resolved_.front());
        resolved_.pop_front();
        oldest = a;
        resolved_.push_back(std::move(oldest));
    }
    ++recorded_;
}

}  // namespace ikewatch::outputs

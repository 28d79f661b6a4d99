#include "outputs/alert_history.hpp"

namespace ikewatch::outputs {

void alert_history::record(const rules::alert& a) {
    if (a.action != rules::alert::action_t::resolved || capacity_ == 0) {
        return;
    }
    if (resolved_.size() == capacity_) {
        resolved_.pop_front();
    }
    resolved_.push_back(a);
    ++recorded_;
}

}  // namespace ikewatch::outputs

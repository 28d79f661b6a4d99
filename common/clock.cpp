#include "common/clock.hpp"

#include <chrono>

namespace ikewatch {

micros system_clock_source::now() const noexcept {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace ikewatch

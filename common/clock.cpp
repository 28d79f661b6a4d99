#include "common/clock.hpp"

#include <chrono>

namespace ikewatch {

micros wall_micros() noexcept {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

micros steady_micros() noexcept {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

micros system_clock_source::now() const noexcept {
    return wall_micros();
}

}  // namespace ikewatch

#include "ike/peer.hpp"

#include <algorithm>
#include <cstring>

#include "common/text.hpp"

namespace ikewatch::ike {

void evidence_ring::add(micros time, std::string_view text, bool start) noexcept {
    line* slot = nullptr;
    if (start) {
        slot = &lines_[0];
        pinned_ = true;
        count_ = 0;
        next_ = 0;
    } else {
        slot = &lines_[1 + next_];
        next_ = (next_ + 1) % (slots - 1);
        ++count_;
    }
    // Cut on a character boundary: a broken character at the end would reach the outputs.
    const std::size_t n = text::utf8_prefix(text, line_bytes).size();
    std::memcpy(slot->text.data(), text.data(), n);
    slot->size = static_cast<std::uint16_t>(n);
    slot->time = time;
}

void evidence_ring::clear() noexcept {
    pinned_ = false;
    count_ = 0;
    next_ = 0;
}

std::string_view peer_record::state_ios() const noexcept {
    // The name the device printed when it used its own vocabulary: an IOS show name, or any
    // IKEv2 name (READY, UP-ACTIVE, the debug state machine's I_WAIT_AUTH …).
    if (reported_unknown || (!reported_state.empty() &&
                             (is_ios_show_name(reported_state.view()) || ike_version == 2))) {
        return reported_state.view();
    }
    return ios_name(state);
}

std::string_view peer_record::state_asa() const noexcept {
    return reported_unknown ? reported_state.view() : asa_name(state);
}

}  // namespace ikewatch::ike

#include "ike/peer.hpp"

namespace ikewatch::ike {

void evidence_refs::add(evidence_ref r, bool start) noexcept {
    constexpr std::size_t ring = slots - 1;
    if (start) {
        refs[0] = r;
        next = 0;
        count = 0;
        return;
    }
    refs[1 + next] = r;
    next = static_cast<std::uint8_t>((next + 1) % ring);
    if (count < ring) {
        ++count;
    }
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

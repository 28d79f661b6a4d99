#include "ike/states.hpp"

#include <array>

#include "common/text.hpp"

namespace ikewatch::ike {

namespace {

using parsers::ike_role;

struct names {
    std::string_view asa;
    std::string_view ios;
};

constexpr std::array<names, p1_state_count> state_names{{
    {"NONE", "NONE"},
    {"MM_WAIT_MSG2", "MM_NO_STATE"},
    {"MM_WAIT_MSG3", "MM_SA_SETUP"},
    {"MM_WAIT_MSG4", "MM_SA_SETUP"},
    {"MM_WAIT_MSG5", "MM_KEY_EXCH"},
    {"MM_WAIT_MSG6", "MM_KEY_EXCH"},
    {"MM_ACTIVE", "QM_IDLE"},
    {"AM_WAIT_MSG2", "AG_NO_STATE"},
    {"AM_WAIT_MSG3", "AG_INIT_EXCH"},
    {"AM_ACTIVE", "QM_IDLE"},
    {"NEGOTIATING", "IN-NEG"},
    {"ESTABLISHED", "READY"},
    {"SA_INIT_WAIT", "IN-NEG"},
    {"AUTH_WAIT", "IN-NEG"},
}};

struct alias {
    std::string_view name;
    p1_state initiator;  // also used when the role is unknown
    p1_state responder;
};

// Every name a device prints, in any vocabulary, with its state for each role.
constexpr alias aliases[] = {
    // ASA show / 713136 names
    {"MM_WAIT_MSG2", p1_state::mm_wait_msg2, p1_state::mm_wait_msg2},
    {"MM_WAIT_MSG3", p1_state::mm_wait_msg3, p1_state::mm_wait_msg3},
    {"MM_WAIT_MSG4", p1_state::mm_wait_msg4, p1_state::mm_wait_msg4},
    {"MM_WAIT_MSG5", p1_state::mm_wait_msg5, p1_state::mm_wait_msg5},
    {"MM_WAIT_MSG6", p1_state::mm_wait_msg6, p1_state::mm_wait_msg6},
    {"MM_ACTIVE", p1_state::mm_active, p1_state::mm_active},
    {"AM_WAIT_MSG2", p1_state::am_wait_msg2, p1_state::am_wait_msg2},
    {"AM_WAIT_MSG3", p1_state::am_wait_msg3, p1_state::am_wait_msg3},
    {"AM_ACTIVE", p1_state::am_active, p1_state::am_active},
    // ASA FSM history names (715065): the state a message was being sent in
    {"MM_SND_MSG1", p1_state::mm_wait_msg2, p1_state::mm_wait_msg2},
    {"MM_SND_MSG2", p1_state::mm_wait_msg3, p1_state::mm_wait_msg3},
    {"MM_SND_MSG3", p1_state::mm_wait_msg4, p1_state::mm_wait_msg4},
    {"MM_SND_MSG4", p1_state::mm_wait_msg5, p1_state::mm_wait_msg5},
    {"MM_SND_MSG5", p1_state::mm_wait_msg6, p1_state::mm_wait_msg6},
    {"MM_SND_MSG6", p1_state::mm_active, p1_state::mm_active},
    {"AM_SND_MSG1", p1_state::am_wait_msg2, p1_state::am_wait_msg2},
    {"AM_SND_MSG2", p1_state::am_wait_msg3, p1_state::am_wait_msg3},
    {"AM_SND_MSG3", p1_state::am_active, p1_state::am_active},
    // PIX / IOS show names
    {"MM_NO_STATE", p1_state::mm_wait_msg2, p1_state::mm_wait_msg2},
    {"MM_SA_SETUP", p1_state::mm_wait_msg4, p1_state::mm_wait_msg3},
    {"MM_KEY_EXCH", p1_state::mm_wait_msg6, p1_state::mm_wait_msg5},
    {"MM_KEY_AUTH", p1_state::mm_active, p1_state::mm_active},
    {"AG_NO_STATE", p1_state::am_wait_msg2, p1_state::am_wait_msg2},
    {"AG_INIT_EXCH", p1_state::am_wait_msg2, p1_state::am_wait_msg3},
    {"AG_AUTH", p1_state::am_active, p1_state::am_active},
    {"QM_IDLE", p1_state::mm_active, p1_state::mm_active},
    {"ACTIVE", p1_state::mm_active, p1_state::mm_active},  // IOS `detail` lists no state
    // IOS internal FSM names (Old State / New State)
    {"IKE_I_MM1", p1_state::mm_wait_msg2, p1_state::mm_wait_msg2},
    {"IKE_I_MM2", p1_state::mm_wait_msg2, p1_state::mm_wait_msg2},
    {"IKE_I_MM3", p1_state::mm_wait_msg4, p1_state::mm_wait_msg4},
    {"IKE_I_MM4", p1_state::mm_wait_msg4, p1_state::mm_wait_msg4},
    {"IKE_I_MM5", p1_state::mm_wait_msg6, p1_state::mm_wait_msg6},
    {"IKE_I_MM6", p1_state::mm_wait_msg6, p1_state::mm_wait_msg6},
    {"IKE_R_MM1", p1_state::mm_wait_msg3, p1_state::mm_wait_msg3},
    {"IKE_R_MM2", p1_state::mm_wait_msg3, p1_state::mm_wait_msg3},
    {"IKE_R_MM3", p1_state::mm_wait_msg5, p1_state::mm_wait_msg5},
    {"IKE_R_MM4", p1_state::mm_wait_msg5, p1_state::mm_wait_msg5},
    {"IKE_R_MM5", p1_state::mm_wait_msg5, p1_state::mm_wait_msg5},
    {"IKE_R_MM6", p1_state::mm_active, p1_state::mm_active},
    {"IKE_I_AM1", p1_state::am_wait_msg2, p1_state::am_wait_msg2},
    {"IKE_I_AM2", p1_state::am_active, p1_state::am_active},
    {"IKE_R_AM1", p1_state::am_wait_msg3, p1_state::am_wait_msg3},
    {"IKE_R_AM2", p1_state::am_wait_msg3, p1_state::am_wait_msg3},
    {"IKE_R_AM3", p1_state::am_active, p1_state::am_active},
    {"IKE_P1_COMPLETE", p1_state::mm_active, p1_state::mm_active},
    // IKEv2 show names
    {"READY", p1_state::v2_up, p1_state::v2_up},
    {"UP-ACTIVE", p1_state::v2_up, p1_state::v2_up},
    {"UP-IDLE", p1_state::v2_up, p1_state::v2_up},
    {"IN-NEG", p1_state::v2_negotiating, p1_state::v2_negotiating},
    // ikewatch's own IKEv2 names
    {"NEGOTIATING", p1_state::v2_negotiating, p1_state::v2_negotiating},
    {"ESTABLISHED", p1_state::v2_up, p1_state::v2_up},
    {"SA_INIT_WAIT", p1_state::v2_sa_init_wait, p1_state::v2_sa_init_wait},
    {"AUTH_WAIT", p1_state::v2_auth_wait, p1_state::v2_auth_wait},
    // IKEv2 debug state machine (`SM Trace-> … CurState: I_WAIT_AUTH`)
    {"I_BLD_INIT", p1_state::v2_sa_init_wait, p1_state::v2_sa_init_wait},
    {"I_WAIT_INIT", p1_state::v2_sa_init_wait, p1_state::v2_sa_init_wait},
    {"I_PROC_INIT", p1_state::v2_sa_init_wait, p1_state::v2_sa_init_wait},
    {"I_BLD_AUTH", p1_state::v2_auth_wait, p1_state::v2_auth_wait},
    {"I_WAIT_AUTH", p1_state::v2_auth_wait, p1_state::v2_auth_wait},
    {"I_PROC_AUTH", p1_state::v2_auth_wait, p1_state::v2_auth_wait},
    {"R_INIT", p1_state::v2_negotiating, p1_state::v2_negotiating},
    {"R_BLD_INIT", p1_state::v2_negotiating, p1_state::v2_negotiating},
    {"R_WAIT_AUTH", p1_state::v2_auth_wait, p1_state::v2_auth_wait},
    {"R_VERIFY_AUTH", p1_state::v2_auth_wait, p1_state::v2_auth_wait},
    {"R_PROC_AUTH", p1_state::v2_auth_wait, p1_state::v2_auth_wait},
    {"R_BLD_AUTH", p1_state::v2_auth_wait, p1_state::v2_auth_wait},
    {"AUTH_DONE", p1_state::v2_up, p1_state::v2_up},
};

}  // namespace

std::string_view asa_name(p1_state s) noexcept {
    return state_names[static_cast<std::size_t>(s)].asa;
}

std::string_view ios_name(p1_state s) noexcept {
    return state_names[static_cast<std::size_t>(s)].ios;
}

std::string_view to_string(p1_status s) noexcept {
    switch (s) {
        case p1_status::idle:
            return "idle";
        case p1_status::negotiating:
            return "negotiating";
        case p1_status::up:
            return "up";
        case p1_status::failed:
            return "failed";
        case p1_status::down:
            return "down";
    }
    return "idle";
}

std::string_view to_string(p2_status s) noexcept {
    switch (s) {
        case p2_status::none:
            return "none";
        case p2_status::negotiating:
            return "negotiating";
        case p2_status::up:
            return "up";
        case p2_status::failed:
            return "failed";
        case p2_status::down:
            return "down";
    }
    return "none";
}

std::string_view to_string(ike_mode m) noexcept {
    switch (m) {
        case ike_mode::main:
            return "main";
        case ike_mode::aggressive:
            return "aggressive";
        case ike_mode::unknown:
            break;
    }
    return "unknown";
}

std::string_view to_string(ike_role r) noexcept {
    switch (r) {
        case ike_role::initiator:
            return "initiator";
        case ike_role::responder:
            return "responder";
        case ike_role::unknown:
            break;
    }
    return "unknown";
}

bool is_waiting(p1_state s) noexcept {
    switch (s) {
        case p1_state::mm_wait_msg2:
        case p1_state::mm_wait_msg3:
        case p1_state::mm_wait_msg4:
        case p1_state::mm_wait_msg5:
        case p1_state::mm_wait_msg6:
        case p1_state::am_wait_msg2:
        case p1_state::am_wait_msg3:
        case p1_state::v2_negotiating:
        case p1_state::v2_sa_init_wait:
        case p1_state::v2_auth_wait:
            return true;
        default:
            return false;
    }
}

bool is_active(p1_state s) noexcept {
    return s == p1_state::mm_active || s == p1_state::am_active || s == p1_state::v2_up;
}

std::optional<p1_state> state_from_name(std::string_view name, ike_role role) noexcept {
    name = text::trim(name);
    for (const alias& a : aliases) {
        if (text::iequals(a.name, name)) {
            return role == ike_role::responder ? a.responder : a.initiator;
        }
    }
    return std::nullopt;
}

std::vector<std::string_view> state_alias_names() {
    std::vector<std::string_view> out;
    out.reserve(std::size(aliases));
    for (const alias& a : aliases) {
        out.push_back(a.name);
    }
    return out;
}

bool is_known_state_name(std::string_view name) noexcept {
    for (const names& n : state_names) {
        if (text::iequals(n.asa, name) || text::iequals(n.ios, name)) {
            return true;
        }
    }
    return text::iequals(name, "MM_KEY_AUTH") || text::iequals(name, "AG_AUTH");
}

bool is_ios_show_name(std::string_view name) noexcept {
    static constexpr std::array<std::string_view, 8> ios{
        "MM_NO_STATE", "MM_SA_SETUP",  "MM_KEY_EXCH", "MM_KEY_AUTH",
        "AG_NO_STATE", "AG_INIT_EXCH", "AG_AUTH",     "QM_IDLE"};
    for (std::string_view n : ios) {
        if (text::iequals(n, name)) {
            return true;
        }
    }
    return false;
}

bool matches_name(p1_state s, std::string_view name) noexcept {
    return text::iequals(asa_name(s), name) || text::iequals(ios_name(s), name);
}

}  // namespace ikewatch::ike

namespace ikewatch::ike {

std::string_view to_string(ipsec_sa s) noexcept {
    switch (s) {
        case ipsec_sa::unknown:
            return "unknown";
        case ipsec_sa::none:
            return "none";
        case ipsec_sa::present:
            return "present";
    }
    return "unknown";
}

}  // namespace ikewatch::ike

#include "parsers/message_registry.hpp"

#include <algorithm>
#include <array>

#include "parsers/decode_helpers.hpp"

namespace ikewatch::parsers {

namespace {

namespace d = decoders;

// Sorted by id (checked by a unit test). `true` = the text begins with the ASA peer context.
constexpr std::array registry{
    asa_message{106001, d::acl_from_to, false},
    asa_message{106006, d::acl_from_to, false},
    asa_message{106007, d::acl_from_to, false},
    asa_message{106010, d::acl_src_dst, false},
    asa_message{106014, d::acl_src_dst, false},
    asa_message{106015, d::acl_from_to, false},
    asa_message{106021, d::acl_src_dst, false},
    asa_message{106023, d::acl_106023, false},
    asa_message{106100, d::acl_list_log, false},
    asa_message{106102, d::acl_list_log, false},
    asa_message{106103, d::acl_list_log, false},
    asa_message{110002, d::route_failure, false},
    asa_message{110003, d::route_failure, false},
    asa_message{113005, d::login_aaa, false},
    asa_message{113015, d::login_aaa, false},
    asa_message{113019, d::session_disconnected, true},
    asa_message{302015, d::udp_connection, false},
    asa_message{302016, d::udp_connection, false},
    asa_message{402116, d::ipsec_data_error, false},
    asa_message{402117, d::ipsec_data_error, false},
    asa_message{402119, d::ipsec_data_error, false},
    asa_message{402120, d::ipsec_data_error, false},
    asa_message{602303, d::ipsec_sa, false},
    asa_message{602304, d::ipsec_sa, false},
    asa_message{605004, d::login_605, false},
    asa_message{605005, d::login_605, false},
    asa_message{611101, d::login_611, false},
    asa_message{611102, d::login_611, false},
    asa_message{710003, d::acl_to_box, false},
    asa_message{710005, d::request_discarded, false},
    asa_message{710006, d::request_discarded, false},
    asa_message{713004, d::ike_capacity, true},
    asa_message{713022, d::ike_group_missing, true},
    asa_message{713041, d::ike_initiator_start, true},
    asa_message{713042, d::ike_no_policy, true},
    asa_message{713048, d::ike_malformed, true},
    asa_message{713049, d::ike_security_complete, true},
    asa_message{713050, d::ike_connection_terminated, true},
    asa_message{713061, d::ike_crypto_map_reject, true},
    asa_message{713068, d::ike_notify, true},
    asa_message{713117, d::ike_invalid_spi, true},
    asa_message{713119, d::ike_phase1_complete, true},
    asa_message{713120, d::ike_phase2_complete, true},
    asa_message{713122, d::ike_keepalive_mismatch, true},
    asa_message{713123, d::ike_lost_contact, true},
    asa_message{713133, d::ike_attribute_mismatch, true},
    asa_message{713134, d::ike_attribute_mismatch, true},
    asa_message{713136, d::ike_session_timeout, true},
    asa_message{713138, d::ike_group_missing, true},
    asa_message{713139, d::ike_group_missing, true},
    asa_message{713157, d::ike_session_timeout, true},
    asa_message{713165, d::ike_auth_failed, true},
    asa_message{713166, d::ike_auth_failed, true},
    asa_message{713167, d::ike_auth_failed, true},
    asa_message{713172, d::ike_nat_status, true},
    asa_message{713176, d::ike_capacity, true},
    asa_message{713187, d::ike_no_policy, true},
    asa_message{713191, d::ike_capacity, true},
    asa_message{713193, d::ike_malformed, true},
    asa_message{713194, d::ike_delete_with_reason, true},
    asa_message{713201, d::ike_duplicate, true},
    asa_message{713202, d::ike_duplicate, true},
    asa_message{713219, d::ike_key_acquire, true},
    asa_message{713222, d::ike_crypto_map_reject, true},
    asa_message{713223, d::ike_crypto_map_reject, true},
    asa_message{713224, d::ike_crypto_map_reject, true},
    asa_message{713225, d::ike_crypto_map_reject, true},
    asa_message{713236, d::ike_decode_packet, true},
    asa_message{713239, d::ike_capacity, true},
    asa_message{713255, d::ike_group_missing, true},
    asa_message{713256, d::ike_group_missing, true},
    asa_message{713257, d::ike_attribute_mismatch, true},
    asa_message{713259, d::ike_teardown, true},
    asa_message{713276, d::ike_capacity, true},
    asa_message{713900, d::ike_by_text, true},
    asa_message{713901, d::ike_by_text, true},
    asa_message{713902, d::ike_by_text, true},
    asa_message{713903, d::ike_by_text, true},
    asa_message{713904, d::ike_by_text, true},
    asa_message{713905, d::ike_by_text, true},
    asa_message{713906, d::ike_by_text, true},
    asa_message{714002, d::ike_qm_start, true},
    asa_message{714003, d::ike_qm_start, true},
    asa_message{715027, d::ike_proposal_accepted, true},
    asa_message{715028, d::ike_proposal_accepted, true},
    asa_message{715036, d::ike_keepalive, true},
    asa_message{715057, d::ike_nat_status, true},
    asa_message{715058, d::ike_nat_status, true},
    asa_message{715065, d::ike_fsm_history, true},
    asa_message{715075, d::ike_keepalive, true},
    asa_message{715077, d::ike_key_acquire, true},
};

// An open-addressing index over the registry, built at compile time: most lines carry an id, and
// one multiply and a probe or two cost less than a binary search over the rows.
constexpr std::size_t index_slots = 256;
static_assert(registry.size() < index_slots / 2, "keep the index at most half full");

constexpr std::size_t slot_of(std::uint32_t id) noexcept {
    return static_cast<std::size_t>((id * 2654435761U) >> 24U);  // top 8 bits of a 32-bit product
}

constexpr std::array<std::uint8_t, index_slots> registry_index = [] {
    std::array<std::uint8_t, index_slots> t{};
    for (std::size_t i = 0; i < registry.size(); ++i) {
        std::size_t s = slot_of(registry[i].id);
        while (t[s] != 0) {
            s = (s + 1) % index_slots;
        }
        t[s] = static_cast<std::uint8_t>(i + 1);
    }
    return t;
}();

const asa_message* find_asa(std::uint32_t id) noexcept {
    for (std::size_t s = slot_of(id);; s = (s + 1) % index_slots) {
        const std::uint8_t row = registry_index[s];
        if (row == 0) {
            return nullptr;
        }
        if (registry[row - 1U].id == id) {
            return &registry[row - 1U];
        }
    }
}

// Ids in the IKEv1 ranges that have no row still name their peer in the context prefix.
bool ikev1_range(std::uint32_t id) noexcept {
    return (id >= 713000 && id <= 715999);
}

void decode_asa(std::uint32_t id, std::string_view text, event& e) noexcept {
    if (const asa_message* m = find_asa(id)) {
        m->decode(m->peer_context ? detail::asa_context(text, e) : text, e);
        return;
    }
    if (ikev1_range(id)) {
        d::ike_info_only(detail::asa_context(text, e), e);
    } else if (id >= 750000 && id <= 750999) {
        d::ikev2_sa_message(text, e);
    } else if (id >= 751000 && id <= 751999) {
        d::ikev2_peer_message(text, e);
    } else if (id >= 752000 && id <= 752999) {
        d::ikev2_tunnel_manager(text, e);
    }
}

}  // namespace

std::span<const asa_message> asa_messages() noexcept {
    return registry;
}

void decode_event(const syslog_record& rec, const cisco_message& msg, event& e) noexcept {
    e.fam = msg.fam;
    e.msg_id = msg.msg_id;
    e.msg_number = msg.id;
    e.ike_version = msg.ike_version;
    e.severity = msg.severity >= 0 ? msg.severity
                 : rec.pri >= 0    ? static_cast<std::int8_t>(rec.pri & 7)
                                   : rec.relay_severity;
    switch (msg.source) {
        case message_source::tagged:
        case message_source::bare_id:
            if (msg.id != 0) {
                decode_asa(msg.id, msg.text, e);
            } else if (msg.fam == family::ios && msg.facility == "IKEV2") {
                d::ikev2_ios_mnemonic(msg, e);
            } else if (msg.fam == family::ios) {
                d::ios_mnemonic(msg, e);
            }
            break;
        case message_source::console:
            d::ike_by_text(detail::asa_context(msg.text, e), e);
            break;
        case message_source::ios_debug:
            d::ios_debug(msg.text, e);
            break;
        case message_source::ikev2_debug:
            d::ikev2_debug(msg.text, e);
            break;
        case message_source::none:
            break;
    }
}

}  // namespace ikewatch::parsers

#include "outputs/peers_format.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <vector>

#include "common/text.hpp"
#include "outputs/parse_json.hpp"

namespace ikewatch::outputs {

std::string printable(std::string_view s) {
    if (std::all_of(s.begin(), s.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u >= 0x20 && u < 0x7f;
        })) {
        return std::string(s);
    }
    std::string out;
    out.reserve(s.size() + 16);
    char buf[16];
    while (!s.empty()) {
        const text::utf8_char c = text::utf8_decode(s);
        if (c.size == 0) {
            // Not UTF-8: the byte is shown by its value, so the output stays valid UTF-8.
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s.front()));
            out += buf;
            s.remove_prefix(1);
            continue;
        }
        if (text::is_layout_control(c.code)) {
            std::snprintf(buf, sizeof buf, c.code < 0x80 ? "\\x%02x" : "\\u%04x",
                          static_cast<unsigned>(c.code));
            out += buf;
        } else {
            out.append(s.substr(0, c.size));
        }
        s.remove_prefix(c.size);
    }
    return out;
}

nlohmann::json peer_json(const ike::peer_table& table, const ike::peer_record& p,
                         const device_now_fn& now_of) {
    nlohmann::json j;
    j["device"] = text_value(table.device_name(p.device));
    j["peer"] = text_value(p.peer.view());
    j["ike_version"] = p.ike_version == 0 ? 1 : p.ike_version;
    j["state"] = text_value(p.state_asa());
    j["state_ios"] = text_value(p.state_ios());
    j["status"] = std::string(ike::to_string(p.status));
    j["role"] = std::string(ike::to_string(p.role));
    j["mode"] = std::string(ike::to_string(p.mode));
    j["phase2"] = std::string(ike::to_string(p.phase2));
    j["since"] = p.since != 0 ? nlohmann::json(rfc3339(p.since)) : nlohmann::json(nullptr);
    const micros now = now_of ? now_of(table.device_name(p.device)) : 0;
    j["state_for_s"] = now != 0 && p.since != 0 && now >= p.since
                           ? nlohmann::json((now - p.since) / micros_per_second)
                           : nlohmann::json(nullptr);
    j["last_event"] = rfc3339(p.last_event);
    j["last_event_kind"] = std::string(parsers::to_string(p.last_kind));
    j["retransmits"] = p.retransmits;
    j["peer_retransmits"] = p.peer_retransmits;
    j["negotiations"] = p.negotiations;
    j["nat_t"] = p.nat_t;
    j["debug_seen"] = p.debug_seen;
    j["group"] = p.group.empty() ? nlohmann::json(nullptr) : text_value(p.group.view());
    // Facts only pasted `show` output gives, present when it did.
    if (p.ipsec.counters || p.ipsec.installed != ike::ipsec_sa::unknown) {
        nlohmann::json ipsec;
        ipsec["sa"] = std::string(ike::to_string(p.ipsec.installed));
        if (p.ipsec.counters) {
            ipsec["encaps"] = p.ipsec.encaps;
            ipsec["decaps"] = p.ipsec.decaps;
            ipsec["send_errors"] = p.ipsec.send_errors;
            ipsec["recv_errors"] = p.ipsec.recv_errors;
        }
        j["ipsec"] = std::move(ipsec);
    }
    if (p.deleted_attempts != 0) {
        j["deleted_attempts"] = p.deleted_attempts;
    }
    if (!p.session_status.empty()) {
        j["session_status"] = text_value(p.session_status.view());
    }
    if (p.last_failure != parsers::event_kind::other) {
        j["last_failure"] = std::string(parsers::to_string(p.last_failure));
        j["last_failure_at"] = rfc3339(p.last_failure_at);
    }
    nlohmann::json ev = nlohmann::json::array();
    table.for_each_evidence(p, [&](const ike::evidence_entry& l) {
        ev.push_back({{"time", rfc3339(l.time)}, {"line", text_value(l.text)}});
    });
    j["evidence"] = std::move(ev);
    return j;
}

nlohmann::json peers_json(const ike::peer_table& table, const device_now_fn& now_of) {
    std::vector<const ike::peer_record*> all;
    all.reserve(table.size());
    table.for_each([&](const ike::peer_record& p) { all.push_back(&p); });
    std::sort(all.begin(), all.end(), [&](const ike::peer_record* a, const ike::peer_record* b) {
        const auto da = table.device_name(a->device);
        const auto db = table.device_name(b->device);
        return da != db ? da < db : a->peer.view() < b->peer.view();
    });
    nlohmann::json out = nlohmann::json::array();
    for (const ike::peer_record* p : all) {
        out.push_back(peer_json(table, *p, now_of));
    }
    return out;
}

namespace {

std::string str(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        return "-";
    }
    return it->is_string() ? printable(it->get<std::string>()) : it->dump();
}

// Appends `s` and pads it with spaces to `width` characters (UTF-8 continuation bytes take no
// room); `right` aligns it to the right instead. Longer text is kept whole.
void column(std::string& out, std::string_view s, std::size_t width, bool right = false) {
    const auto chars = static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xc0U) != 0x80;
    }));
    const std::size_t pad = chars < width ? width - chars : 0;
    if (right) {
        out.append(pad, ' ');
    }
    out += s;
    if (!right) {
        out.append(pad, ' ');
    }
}

// One row of the table. Built by appending, not in a fixed buffer: a long field (a device name
// can be as long as a message) must never cut the line before its newline.
void row(std::string& out, const std::array<std::string, 11>& f) {
    static constexpr std::array<std::size_t, 10> widths{18, 3, 9, 10, 14, 13, 11, 9, 6, 4};
    out += "  ";
    for (std::size_t i = 0; i < widths.size(); ++i) {
        column(out, f[i], widths[i], i == 9);
        out += i == 9 ? "  " : " ";
    }
    out += f[10];
    out += '\n';
}

}  // namespace

std::string peers_text(const nlohmann::json& peers) {
    std::map<std::string, std::vector<const nlohmann::json*>> by_device;
    for (const auto& p : peers) {
        by_device[str(p, "device")].push_back(&p);
    }
    std::string out;
    for (const auto& [device, list] : by_device) {
        out += device + " — " + std::to_string(list.size()) + " IKE peer" +
               (list.size() == 1 ? "" : "s") + '\n';
        row(out, {"IKE Peer", "Ver", "Role", "Mode", "State", "IOS state", "Status", "For", "P2",
                  "Retx", "Last event"});
        for (const nlohmann::json* p : list) {
            const auto for_s = p->find("state_for_s");
            const std::string age = for_s != p->end() && for_s->is_number_integer()
                                        ? format_duration(for_s->get<micros>() * micros_per_second)
                                        : "-";
            row(out, {str(*p, "peer"), str(*p, "ike_version"), str(*p, "role"), str(*p, "mode"),
                      str(*p, "state"), str(*p, "state_ios"), str(*p, "status"), age,
                      str(*p, "phase2"), str(*p, "retransmits"), str(*p, "last_event_kind")});
        }
        out += '\n';
    }
    if (by_device.empty()) {
        out = "no IKE peers\n";
    }
    return out;
}

}  // namespace ikewatch::outputs

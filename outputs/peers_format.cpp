#include "outputs/peers_format.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include "outputs/parse_json.hpp"

namespace ikewatch::outputs {

std::string printable(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += ch;
        }
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
    if (p.last_failure != parsers::event_kind::other) {
        j["last_failure"] = std::string(parsers::to_string(p.last_failure));
        j["last_failure_at"] = rfc3339(p.last_failure_at);
    }
    nlohmann::json ev = nlohmann::json::array();
    if (p.evidence) {
        p.evidence->for_each([&](const ike::evidence_ring::line& l) {
            ev.push_back({{"time", rfc3339(l.time)}, {"line", text_value(l.view())}});
        });
    }
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

}  // namespace

std::string peers_text(const nlohmann::json& peers) {
    std::map<std::string, std::vector<const nlohmann::json*>> by_device;
    for (const auto& p : peers) {
        by_device[str(p, "device")].push_back(&p);
    }
    std::string out;
    char line[512];
    for (const auto& [device, list] : by_device) {
        std::snprintf(line, sizeof line, "%s — %zu IKE peer%s\n", device.c_str(), list.size(),
                      list.size() == 1 ? "" : "s");
        out += line;
        std::snprintf(line, sizeof line,
                      "  %-18s %-3s %-9s %-10s %-14s %-13s %-11s %-9s %-6s %4s  %s\n", "IKE Peer",
                      "Ver", "Role", "Mode", "State", "IOS state", "Status", "For", "P2", "Retx",
                      "Last event");
        out += line;
        for (const nlohmann::json* p : list) {
            const auto for_s = p->find("state_for_s");
            const std::string age = for_s != p->end() && for_s->is_number_integer()
                                        ? format_duration(for_s->get<micros>() * micros_per_second)
                                        : "-";
            std::snprintf(
                line, sizeof line, "  %-18s %-3s %-9s %-10s %-14s %-13s %-11s %-9s %-6s %4s  %s\n",
                str(*p, "peer").c_str(), str(*p, "ike_version").c_str(), str(*p, "role").c_str(),
                str(*p, "mode").c_str(), str(*p, "state").c_str(), str(*p, "state_ios").c_str(),
                str(*p, "status").c_str(), age.c_str(), str(*p, "phase2").c_str(),
                str(*p, "retransmits").c_str(), str(*p, "last_event_kind").c_str());
            out += line;
        }
        out += '\n';
    }
    if (by_device.empty()) {
        out = "no IKE peers\n";
    }
    return out;
}

}  // namespace ikewatch::outputs

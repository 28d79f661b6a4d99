// The pipeline's checkpoints: one device's state out (save_devices) and back in
// (restore_device). See device_snapshot.hpp for what a snapshot holds.

#include <exception>

#include "common/string_map.hpp"
#include "pipeline/peer_snapshot.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/snapshot_json.hpp"

namespace ikewatch::pipeline {

using nlohmann::json;

std::vector<std::string> pipeline::take_changed() {
    std::vector<std::string> out;
    out.reserve(changed_.size());
    changed_.for_each([&](const std::string& device, bool) { out.push_back(device); });
    changed_.clear();
    return out;
}

std::vector<device_snapshot> pipeline::save_devices(const std::vector<std::string>& devices) const {
    std::vector<device_snapshot> out(devices.size());
    string_map<std::size_t> index;  // device → its place in `out`
    for (std::size_t i = 0; i < devices.size(); ++i) {
        out[i].device = devices[i];
        out[i].state = json::object();
        index.emplace(devices[i], i);
    }
    const auto state_of = [&](std::string_view device) -> json* {
        const auto found = index.find(device);
        return found == index.end() ? nullptr : &out[found->second].state;
    };
    const ike::peer_table& table = tracker_.table();
    for (device_snapshot& s : out) {
        json& st = s.state;
        if (const device_clocks::entry* c = clocks_.find(s.device)) {
            st["clock"] = {{"time", c->time}, {"wall", c->wall}};
        }
        if (const auto* t = decoder_.clock().find(s.device)) {
            st["time"] = {
                {"last", t->last}, {"calendar", t->calendar},     {"uptime_base", t->uptime_base},
                {"year", t->year}, {"year_begin", t->year_begin}, {"year_end", t->year_end}};
        }
        const ike::peer_table::device_flags f = table.flags_of(s.device);
        st["flags"] = {{"debug", f.debug},
                       {"isakmp_off", f.isakmp_off},
                       {"cleared", f.cleared},
                       {"held_at", f.held_at},
                       {"last_peer", std::string(table.last_peer(s.device))}};
        json conns = json::array();
        table.for_each_conn(s.device, [&](std::string_view conn, std::string_view peer) {
            conns.push_back({std::string(conn), std::string(peer)});
        });
        st["conns"] = std::move(conns);
        st["peers"] = json::array();
    }
    table.for_each_with_lines([&](const ike::peer_record& p, std::uint8_t lines) {
        if (json* st = state_of(table.device_name(p.device))) {
            (*st)["peers"].push_back(peer_to_json(table, p, lines));
        }
    });
    if (engine_ != nullptr) {
        engine_->save(table, [&](std::string_view device) -> json* {
            json* st = state_of(device);
            return st == nullptr ? nullptr : &(*st)["engine"];
        });
    }
    return out;
}

bool pipeline::inside_pasted_output() const {
    return show_open_ || !show_.console_device().empty() || !waiting_.empty();
}

void pipeline::forget_device(std::string_view device) {
    clocks_.forget(device);
    decoder_.clock().forget(device);
    tracker_.table().forget_device(device);
    if (engine_ != nullptr) {
        engine_->forget_device(device);
    }
    changed_.erase(device);
}

bool pipeline::restore_device(const device_snapshot& s, std::string& error) {
    forget_device(s.device);
    // The one place a snapshot's state is read: a malformed one throws from the JSON accessors
    // or the range checks, and leaves the device as if it had never been seen.
    try {
        const json& st = s.state;
        if (const auto c = st.find("clock"); c != st.end()) {
            clocks_.restore(s.device, {c->at("time").get<micros>(), c->at("wall").get<micros>()});
        }
        if (const auto t = st.find("time"); t != st.end()) {
            parsers::event_time::device_clock c;
            c.last = t->at("last").get<micros>();
            c.calendar = t->at("calendar").get<bool>();
            c.uptime_base = t->at("uptime_base").get<micros>();
            c.year = t->at("year").get<int>();
            c.year_begin = t->at("year_begin").get<micros>();
            c.year_end = t->at("year_end").get<micros>();
            decoder_.clock().restore(s.device, c);
        }
        ike::peer_table& table = tracker_.table();
        const json& flags = st.at("flags");
        table.restore_device(s.device,
                             {flags.at("debug").get<bool>(), flags.at("isakmp_off").get<bool>(),
                              flags.at("cleared").get<bool>(), flags.value("held_at", micros{0})},
                             flags.at("last_peer").get<std::string>());
        for (const json& p : st.at("peers")) {
            const std::string peer = p.at("peer").get<std::string>();
            ike::peer_record* rec =
                table.restore_peer(s.device, peer, p.at("lines").get<std::uint8_t>());
            if (rec == nullptr) {
                throw snapshot_invalid("the peer table refused the device");
            }
            peer_from_json(p, table, *rec);
        }
        for (const json& c : st.at("conns")) {
            table.bind_conn(s.device, c.at(0).get<std::string>(), c.at(1).get<std::string>());
        }
        if (const auto e = st.find("engine"); e != st.end() && engine_ != nullptr) {
            engine_->restore(s.device, *e, table);
        }
    } catch (const std::exception& e) {
        forget_device(s.device);
        error = "device " + s.device + ": " + e.what();
        return false;
    }
    return true;
}

}  // namespace ikewatch::pipeline

// The peer table's part in checkpoints: what a device snapshot reads and writes back.

#include "ike/peer_table.hpp"

namespace ikewatch::ike {

void peer_table::for_each_conn(
    std::string_view device,
    const std::function<void(std::string_view, std::string_view)>& f) const {
    const std::uint32_t dev = lookup_device(device);
    if (dev == nil) {
        return;
    }
    for (const auto& [key, peer] : conns_) {
        if (key.device == dev) {
            f(key.conn.view(), peer.view());
        }
    }
}

std::string_view peer_table::last_peer(std::string_view device) const {
    const std::uint32_t id = lookup_device(device);
    return id < devices_.size() ? devices_[id].last_peer.view() : std::string_view{};
}

void peer_table::restore_device(std::string_view device, const device_flags& flags,
                                std::string_view last_peer) {
    const std::uint32_t id = intern(device);
    if (id >= devices_.size()) {
        return;
    }
    device_entry& d = devices_[id];
    d.debug = flags.debug;
    d.isakmp_off = flags.isakmp_off;
    d.cleared = flags.cleared;
    d.held_at = flags.held_at;
    d.last_peer.assign(last_peer);
}

peer_record* peer_table::restore_peer(std::string_view device, std::string_view peer,
                                      std::uint8_t lines) {
    bool created = false;
    peer_record* rec = upsert(device, peer, 0, created);
    if (rec == nullptr) {
        return nullptr;
    }
    // upsert counted one line and placed the peer in its class for that: set both as recorded.
    const std::uint32_t dev = rec->device;
    const std::uint32_t i = find_slot(dev, rec->peer.view(), peer_hash_of(dev, rec->peer.view()));
    slot& s = slots_[i];
    s.lines = lines == 0 ? 1 : lines;
    if (const peer_class c = class_of_lines(s.lines); c != s.cls) {
        unlink(i);
        s.cls = c;
        promote_evidence(s.rec, c);  // no lines yet: the arena its lines will go to
        push_front(i);
    }
    s.referenced = false;
    return rec;
}

std::size_t peer_table::forget_device(std::string_view device) {
    const std::uint32_t dev = lookup_device(device);
    if (dev == nil) {
        return 0;
    }
    std::size_t n = 0;
    for (const list& l : lists_) {
        for (std::uint32_t i = l.head; i != nil;) {
            const std::uint32_t next = slots_[i].next;
            if (slots_[i].rec.device == dev) {
                remove(i);
                ++n;
            }
            i = next;
        }
    }
    std::erase_if(conns_, [dev](const auto& c) { return c.first.device == dev; });
    device_ids_.erase(devices_[dev].name);
    devices_[dev].name.clear();
    devices_[dev].peers = 0;
    free_devices_.push_back(dev);
    return n;
}

}  // namespace ikewatch::ike

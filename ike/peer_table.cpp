#include "ike/peer_table.hpp"

#include "common/string_map.hpp"

namespace ikewatch::ike {

namespace {

std::uint64_t fnv(std::string_view s, std::uint64_t h = 1469598103934665603ULL) noexcept {
    for (const char c : s) {
        h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    return h;
}

// The peer's address read a word at a time, and the device id spread over the high bits, which
// the fold brings down to the low ones the index uses.
std::uint32_t peer_hash(std::uint32_t device, std::string_view peer) noexcept {
    return fold_hash(string_hash{}(peer) ^ (device * 0x9E3779B97F4A7C15ULL));
}

}  // namespace

std::size_t peer_table::conn_hash::operator()(const conn_key& k) const noexcept {
    return static_cast<std::size_t>(fnv(k.conn.view(), k.device * 0x9E3779B97F4A7C15ULL));
}

peer_table::peer_table(table_options options)
    : options_(options), evidence_(options.evidence_bytes) {}

std::uint32_t peer_table::peer_hash_of(std::uint32_t device, std::string_view peer) noexcept {
    return peer_hash(device, peer);
}

void peer_table::set_options(const table_options& options) {
    if (options.evidence_bytes != options_.evidence_bytes) {
        evidence_.reset(options.evidence_bytes);
    }
    options_ = options;
    while (index_.size() > options_.max_peers && evict_one() != nil) {
    }
}

std::size_t peer_table::bytes_per_peer_estimate() noexcept {
    // Record and list links, plus the index entry at its maximum load (8 bytes / 0.35 when the
    // index has just doubled).
    return sizeof(slot) + 24;
}

std::uint32_t peer_table::lookup_device(std::string_view device) const {
    const std::uint32_t* id = device_ids_.find(device);
    return id == nullptr ? nil : *id;
}

std::uint32_t peer_table::intern(std::string_view device) {
    if (const std::uint32_t id = lookup_device(device); id != nil) {
        return id;
    }
    if (device_ids_.size() >= options_.max_devices) {
        // Reclaim devices whose peers have all gone before refusing a new one.
        for (std::uint32_t id = 0; id < devices_.size(); ++id) {
            device_entry& d = devices_[id];
            if (d.peers == 0 && !d.name.empty()) {
                device_ids_.erase(d.name);
                d.name.clear();
                free_devices_.push_back(id);
            }
        }
        // Connection ids name devices by id; a reclaimed id must not inherit them.
        conns_.clear();
        if (device_ids_.size() >= options_.max_devices) {
            return nil;
        }
    }
    std::uint32_t id = 0;
    if (!free_devices_.empty()) {
        id = free_devices_.back();
        free_devices_.pop_back();
        devices_[id] = device_entry{std::string(device), 0, false, false, false, 0, {}, {}};
    } else {
        id = static_cast<std::uint32_t>(devices_.size());
        devices_.push_back(device_entry{std::string(device), 0, false, false, false, 0, {}, {}});
    }
    *device_ids_.try_emplace(device).first = id;
    return id;
}

std::string_view peer_table::device_name(std::uint32_t id) const noexcept {
    return id < devices_.size() ? std::string_view(devices_[id].name) : std::string_view{};
}

bool peer_table::device_debug(std::string_view device) const {
    return device_debug(lookup_device(device));
}

bool peer_table::device_debug(std::uint32_t id) const noexcept {
    return id < devices_.size() && devices_[id].debug;
}

void peer_table::mark_debug(std::uint32_t id) noexcept {
    if (id < devices_.size()) {
        devices_[id].debug = true;
    }
}

bool peer_table::device_isakmp_off(std::string_view device) const {
    const std::uint32_t id = lookup_device(device);
    return id < devices_.size() && devices_[id].isakmp_off;
}

void peer_table::set_isakmp(std::string_view device, bool on) {
    const std::uint32_t id = on ? lookup_device(device) : intern(device);
    if (id < devices_.size()) {
        devices_[id].isakmp_off = !on;
    }
}

bool peer_table::device_cleared(std::string_view device) const {
    const std::uint32_t id = lookup_device(device);
    return id < devices_.size() && devices_[id].cleared;
}

peer_table::device_flags peer_table::flags_of(std::string_view device) const {
    return flags_of(lookup_device(device));
}

peer_table::device_flags peer_table::flags_of(std::uint32_t id) const noexcept {
    if (id >= devices_.size()) {
        return {};
    }
    const device_entry& d = devices_[id];
    return {d.debug, d.isakmp_off, d.cleared, d.held_at};
}

void peer_table::mark_cleared(std::string_view device) {
    const std::uint32_t id = intern(device);
    if (id < devices_.size()) {
        devices_[id].cleared = true;
    }
}

void peer_table::mark_held(std::string_view device, micros t) {
    const std::uint32_t id = intern(device);
    if (id < devices_.size()) {
        devices_[id].held_at = std::max(devices_[id].held_at, t);
    }
}

std::string_view peer_table::debug_context_peer(std::string_view device) const {
    const std::uint32_t id = lookup_device(device);
    if (id >= devices_.size()) {
        return {};
    }
    const std::string_view name = devices_[id].debug_peer.view();
    return find(device, name) != nullptr ? name : std::string_view{};
}

void peer_table::set_debug_context(std::string_view device, std::string_view peer) {
    const std::uint32_t id = lookup_device(device);
    if (id < devices_.size()) {
        devices_[id].debug_peer.assign(peer);
    }
}

void peer_table::unlink(std::uint32_t i) noexcept {
    slot& s = slots_[i];
    list& l = list_of(i);
    if (s.prev != nil) {
        slots_[s.prev].next = s.next;
    } else {
        l.head = s.next;
    }
    if (s.next != nil) {
        slots_[s.next].prev = s.prev;
    } else {
        l.tail = s.prev;
    }
    s.prev = s.next = nil;
    --l.size;
}

void peer_table::push_front(std::uint32_t i) noexcept {
    slot& s = slots_[i];
    list& l = list_of(i);
    s.prev = nil;
    s.next = l.head;
    if (l.head != nil) {
        slots_[l.head].prev = i;
    }
    l.head = i;
    if (l.tail == nil) {
        l.tail = i;
    }
    ++l.size;
}

std::uint32_t peer_table::find_slot(std::uint32_t device, std::string_view peer,
                                    std::uint32_t hash) const {
    return index_.find(hash, [&](std::uint32_t i) {
        const peer_record& r = slots_[i].rec;
        return r.device == device && same_key(r.peer.view(), peer);
    });
}

void peer_table::remove(std::uint32_t i) {
    slot& s = slots_[i];
    unlink(i);
    index_.erase(s.hash, [i](std::uint32_t candidate) { return candidate == i; });
    if (s.rec.device < devices_.size() && devices_[s.rec.device].peers > 0) {
        --devices_[s.rec.device].peers;
    }
    s.rec = peer_record{};
    s.referenced = false;
    s.lines = 0;
    s.cls = peer_class::single_line;
    free_.push_back(i);
}

std::uint32_t peer_table::victim() noexcept {
    // The lowest class that has peers gives the victim (see the policy in the header).
    for (list& l : lists_) {
        if (l.tail == nil) {
            continue;
        }
        // Second chance: a peer updated since it last reached the tail goes back to the front.
        for (std::size_t guard = l.size; guard > 0 && slots_[l.tail].referenced; --guard) {
            const std::uint32_t i = l.tail;
            slots_[i].referenced = false;
            unlink(i);
            push_front(i);
        }
        return l.tail;
    }
    return nil;
}

std::uint32_t peer_table::evict_one() {
    const std::uint32_t i = victim();
    if (i == nil) {
        return nil;
    }
    const std::uint32_t device = slots_[i].rec.device;
    ++stats_.evicted_by_class[static_cast<std::size_t>(slots_[i].cls)];
    ++stats_.evicted;
    remove(i);
    return device;
}

peer_record* peer_table::upsert(std::string_view device, std::string_view peer, micros now,
                                bool& created) {
    created = false;
    std::uint32_t dev = intern(device);
    // Device table full of devices that still have peers: evict peers, in the table's order,
    // until one device has none left (a flood of forged host names churns the same entries as a
    // flood of forged peers does).
    for (int attempt = 0; dev == nil && attempt < 64; ++attempt) {
        const std::uint32_t old_device = evict_one();
        if (old_device == nil) {
            break;
        }
        if (old_device < devices_.size() && devices_[old_device].peers == 0) {
            device_ids_.erase(devices_[old_device].name);
            devices_[old_device].name.clear();
            free_devices_.push_back(old_device);
            conns_.clear();
            dev = intern(device);
        }
    }
    if (dev == nil) {
        ++stats_.device_dropped;
        return nullptr;
    }
    const inline_string<46> name(peer);
    const std::uint32_t hash = peer_hash(dev, name.view());
    if (const std::uint32_t found = find_slot(dev, name.view(), hash); found != flat_index::npos) {
        slot& s = slots_[found];
        if (s.lines < 255) {
            ++s.lines;
        }
        if (const peer_class up = class_of_lines(s.lines); up != s.cls) {
            // Moves up a class: to the front of the new class's list, its evidence lines to
            // the class's arena.
            unlink(found);
            s.cls = up;
            promote_evidence(s.rec, up);
            s.referenced = false;
            push_front(found);
        } else {
            s.referenced = true;
        }
        return &s.rec;
    }
    if (index_.size() >= options_.max_peers) {
        evict_one();
    }
    std::uint32_t i = 0;
    if (!free_.empty()) {
        i = free_.back();
        free_.pop_back();
    } else {
        i = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    slot& s = slots_[i];
    s.hash = hash;
    s.referenced = false;
    s.lines = 1;
    s.cls = peer_class::single_line;
    s.rec.device = dev;
    s.rec.slot = i;
    s.rec.serial = ++serials_;
    s.rec.peer = name;
    s.rec.first_seen = now;
    s.rec.last_event = now;
    s.rec.since = now;  // in no state since it was first named
    index_.insert(hash, i);
    ++devices_[dev].peers;
    devices_[dev].last_peer = name;
    push_front(i);
    created = true;
    return &s.rec;
}

void peer_table::promote_evidence(peer_record& p, peer_class c) {
    const auto tier = static_cast<std::size_t>(c);
    p.evidence.tier = static_cast<std::uint8_t>(tier);
    p.evidence.for_each([&](evidence_ref& r) { r = evidence_.move_to(tier, r); });
}

void peer_table::add_evidence(peer_record& p, micros time, std::string_view line, bool start) {
    p.evidence.add(evidence_.append(p.evidence.tier, time, line), start);
}

std::string_view peer_table::only_peer(std::string_view device) const {
    const std::uint32_t id = lookup_device(device);
    if (id >= devices_.size() || devices_[id].peers != 1) {
        return {};
    }
    const std::string_view name = devices_[id].last_peer.view();
    return find(device, name) != nullptr ? name : std::string_view{};
}

const peer_record* peer_table::find(std::string_view device, std::string_view peer) const {
    const std::uint32_t dev = lookup_device(device);
    if (dev == nil) {
        return nullptr;
    }
    const inline_string<46> name(peer);
    const std::uint32_t i = find_slot(dev, name.view(), peer_hash(dev, name.view()));
    return i == flat_index::npos ? nullptr : &slots_[i].rec;
}

std::optional<peer_class> peer_table::class_of(std::string_view device,
                                               std::string_view peer) const {
    const std::uint32_t dev = lookup_device(device);
    if (dev == nil) {
        return std::nullopt;
    }
    const inline_string<46> name(peer);
    const std::uint32_t i = find_slot(dev, name.view(), peer_hash(dev, name.view()));
    return i == flat_index::npos ? std::nullopt : std::optional<peer_class>(slots_[i].cls);
}

std::size_t peer_table::expire(micros now) {
    return expire([now](std::string_view) { return now; });
}

std::size_t peer_table::expire(const std::function<micros(std::string_view)>& now_of) {
    // One clock reading per device, not per peer.
    std::vector<micros> now(devices_.size(), -1);
    std::size_t n = 0;
    for (const list& l : lists_) {
        for (std::uint32_t i = l.head; i != nil;) {
            const std::uint32_t next = slots_[i].next;
            const peer_record& rec = slots_[i].rec;
            micros& dev_now = now[rec.device];
            if (dev_now < 0) {
                dev_now = now_of(devices_[rec.device].name);
            }
            if (dev_now != 0 && rec.last_event + options_.idle_expiry < dev_now) {
                remove(i);
                ++n;
            }
            i = next;
        }
    }
    stats_.expired += n;
    return n;
}

std::string_view peer_table::conn_peer(std::string_view device, std::string_view conn) const {
    const std::uint32_t dev = lookup_device(device);
    if (dev == nil) {
        return {};
    }
    const auto it = conns_.find(conn_key{dev, inline_string<24>(conn)});
    return it == conns_.end() ? std::string_view{} : it->second.view();
}

void peer_table::bind_conn(std::string_view device, std::string_view conn, std::string_view peer) {
    const std::uint32_t dev = intern(device);
    if (dev == nil) {
        return;
    }
    if (conns_.size() >= options_.max_conn_ids) {
        conns_.clear();
        ++stats_.conn_ids_cleared;
    }
    conns_.insert_or_assign(conn_key{dev, inline_string<24>(conn)}, inline_string<46>(peer));
}

}  // namespace ikewatch::ike

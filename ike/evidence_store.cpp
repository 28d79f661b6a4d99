#include "ike/evidence_store.hpp"

#include <algorithm>
#include <cstring>

#include "common/text.hpp"

namespace ikewatch::ike {

namespace {

constexpr unsigned tier_shift = 62;
constexpr std::uint64_t position_mask = (std::uint64_t{1} << tier_shift) - 1;

}  // namespace

evidence_store::evidence_store(std::size_t capacity) {
    size_arenas(capacity);
}

void evidence_store::size_arenas(std::size_t capacity) {
    capacity_ = capacity;
    const std::size_t quarter = capacity / 4;
    arenas_[0].size = quarter;
    arenas_[1].size = quarter;
    arenas_[2].size = capacity - 2 * quarter;
}

void evidence_store::reset(std::size_t capacity) {
    size_arenas(capacity);
    for (arena& a : arenas_) {
        a.bytes.reset();
        // Positions go on from here: a handle to a line written before names nothing.
        a.base = a.head;
    }
}

evidence_ref evidence_store::append(std::size_t tier, micros time, std::string_view text) {
    tier = std::min(tier, tiers - 1);
    arena& a = arenas_[tier];
    // Cut on a character boundary: a broken character at the end would reach the outputs.
    text = text::utf8_prefix(text, line_bytes);
    const std::size_t n = line_overhead + text.size();
    if (n > a.size) {
        return {};
    }
    if (!a.bytes) {
        a.bytes = std::make_unique_for_overwrite<char[]>(a.size);
    }
    auto offset = static_cast<std::size_t>(a.head % a.size);
    if (offset + n > a.size) {
        // Lines never wrap: the rest of the lap stays unused.
        a.head += a.size - offset;
        offset = 0;
    }
    const std::uint64_t at = a.head;
    const auto len = static_cast<std::uint16_t>(text.size());
    char* out = a.bytes.get() + offset;
    std::memcpy(out, &time, sizeof time);
    std::memcpy(out + sizeof time, &len, sizeof len);
    std::memcpy(out + line_overhead, text.data(), text.size());
    a.head += n;
    ++appended_;
    return {(static_cast<std::uint64_t>(tier) << tier_shift) | (at + 1)};
}

std::optional<evidence_entry> evidence_store::get(evidence_ref ref) const noexcept {
    const std::uint64_t pos = ref.value & position_mask;
    const auto tier = static_cast<std::size_t>(ref.value >> tier_shift);
    if (pos == 0 || tier >= tiers) {
        return std::nullopt;
    }
    const std::uint64_t at = pos - 1;
    const arena& a = arenas_[tier];
    // Overwritten once the arena has written a whole lap past the line's start.
    if (!a.bytes || at < a.base || at >= a.head || a.head - at > a.size) {
        return std::nullopt;
    }
    const auto offset = static_cast<std::size_t>(at % a.size);
    const char* in = a.bytes.get() + offset;
    evidence_entry e;
    std::uint16_t len = 0;
    std::memcpy(&e.time, in, sizeof e.time);
    std::memcpy(&len, in + sizeof e.time, sizeof len);
    e.text = std::string_view(in + line_overhead, len);
    return e;
}

evidence_ref evidence_store::move_to(std::size_t tier, evidence_ref ref) {
    if (static_cast<std::size_t>(ref.value >> tier_shift) == tier) {
        return get(ref) ? ref : evidence_ref{};
    }
    const std::optional<evidence_entry> e = get(ref);
    // Arenas never share bytes: the view stays valid while another arena is written.
    return e ? append(tier, e->time, e->text) : evidence_ref{};
}

std::size_t evidence_store::used_bytes() const noexcept {
    std::size_t n = 0;
    for (const arena& a : arenas_) {
        if (a.bytes) {
            n += static_cast<std::size_t>(std::min<std::uint64_t>(a.head - a.base, a.size));
        }
    }
    return n;
}

}  // namespace ikewatch::ike

#pragma once

#include <utility>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/flat_index.hpp"
#include "common/string_map.hpp"

namespace ikewatch {

/// A map from short names (device names) to values, looked up once or more per line: values sit
/// in one array and a flat open-addressing index finds them, so a lookup is a hash, one probe
/// run and one string compare, with no division and no chain of heap nodes.
///
/// Pointers to values stay valid until the next insertion; slots freed by erase are reused.
template <typename V>
class name_map {
  public:
    [[nodiscard, gnu::always_inline]] V* find(std::string_view name) {
        const std::uint32_t i = slot_of(name, hash(name));
        return i == flat_index::npos ? nullptr : &slots_[i].value;
    }
    [[nodiscard, gnu::always_inline]] const V* find(std::string_view name) const {
        const std::uint32_t i = slot_of(name, hash(name));
        return i == flat_index::npos ? nullptr : &slots_[i].value;
    }

    /// An entry: its stored name, its value (both null when absent), whether it was just added.
    struct ref {
        const std::string* name = nullptr;
        V* value = nullptr;
        bool inserted = false;
    };
    [[nodiscard]] ref find_ref(std::string_view name) {
        const std::uint32_t i = slot_of(name, hash(name));
        return i == flat_index::npos ? ref{} : ref{&slots_[i].name, &slots_[i].value, false};
    }

    /// The value for `name`, default-constructed when new; `.second` tells whether it was new.
    std::pair<V*, bool> try_emplace(std::string_view name) {
        const ref r = emplace(name);
        return {r.value, r.inserted};
    }

    /// The entry for `name`, added with a default-constructed value when absent.
    ref emplace(std::string_view name) {
        const std::uint32_t h = hash(name);
        if (const std::uint32_t i = slot_of(name, h); i != flat_index::npos) {
            return {&slots_[i].name, &slots_[i].value, false};
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
        s.name.assign(name);
        s.value = V{};
        s.hash = h;
        s.used = true;
        index_.insert(h, i);
        ++size_;
        return {&s.name, &s.value, true};
    }

    bool erase(std::string_view name) {
        const std::uint32_t h = hash(name);
        const std::uint32_t i = slot_of(name, h);
        if (i == flat_index::npos) {
            return false;
        }
        release(i);
        return true;
    }

    /// Removes every entry for which `pred(name, value)` is true (`pred` may stop early by
    /// returning false for the rest).
    template <typename Pred>
    void erase_if(Pred&& pred) {
        for (std::uint32_t i = 0; i < slots_.size(); ++i) {
            if (slots_[i].used &&
                pred(std::as_const(slots_[i].name), std::as_const(slots_[i].value))) {
                release(i);
            }
        }
    }

    /// Calls `f(name, value)` for every entry.
    template <typename F>
    void for_each(F&& f) {
        for (slot& s : slots_) {
            if (s.used) {
                f(std::as_const(s.name), s.value);
            }
        }
    }
    template <typename F>
    void for_each(F&& f) const {
        for (const slot& s : slots_) {
            if (s.used) {
                f(s.name, s.value);
            }
        }
    }

    void clear() {
        slots_.clear();
        free_.clear();
        index_.clear();
        size_ = 0;
    }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

  private:
    struct slot {
        std::string name;
        V value{};
        std::uint32_t hash = 0;
        bool used = false;
    };

    static std::uint32_t hash(std::string_view name) noexcept { return string_hash32(name); }
    [[nodiscard, gnu::always_inline]] std::uint32_t slot_of(std::string_view name,
                                                            std::uint32_t h) const {
        return index_.find(h, [&](std::uint32_t i) { return same_key(slots_[i].name, name); });
    }
    void release(std::uint32_t i) {
        slot& s = slots_[i];
        index_.erase(s.hash, [&](std::uint32_t j) { return j == i; });
        s.used = false;
        s.name.clear();
        s.value = V{};
        free_.push_back(i);
        --size_;
    }

    std::vector<slot> slots_;
    std::vector<std::uint32_t> free_;
    flat_index index_;
    std::size_t size_ = 0;
};

}  // namespace ikewatch

#pragma once

#include <cstdint>
#include <vector>

namespace ikewatch {

/// An open-addressing hash index from a 32-bit hash to a slot number, with linear probing and
/// backward-shift deletion. The caller keeps the keys (in its slots) and passes an equality test,
/// so a lookup costs one probe sequence in a compact array instead of a chain of heap nodes.
class flat_index {
  public:
    static constexpr std::uint32_t npos = 0xFFFFFFFF;

    explicit flat_index(std::size_t expected = 16) { rehash(capacity_for(expected)); }

    /// The slot whose key matches (`eq(slot)` is true), or npos.
    template <typename Eq>
    [[nodiscard]] std::uint32_t find(std::uint32_t hash, Eq&& eq) const {
        for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
            const entry& e = table_[i];
            if (e.slot == 0) {
                return npos;
            }
            if (e.hash == hash && eq(e.slot - 1)) {
                return e.slot - 1;
            }
        }
    }

    /// Adds a slot; the key must not be present.
    void insert(std::uint32_t hash, std::uint32_t slot) {
        if ((size_ + 1) * 10 > table_.size() * 7) {
            rehash(table_.size() * 2);
        }
        place(hash, slot + 1);
        ++size_;
    }

    /// Removes the slot whose key matches; false when absent.
    template <typename Eq>
    bool erase(std::uint32_t hash, Eq&& eq) {
        std::size_t i = hash & mask_;
        for (;; i = (i + 1) & mask_) {
            const entry& e = table_[i];
            if (e.slot == 0) {
                return false;
            }
            if (e.hash == hash && eq(e.slot - 1)) {
                break;
            }
        }
        // Backward shift: pull later entries of the same probe run into the hole.
        std::size_t hole = i;
        for (std::size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
            const entry& e = table_[j];
            if (e.slot == 0) {
                break;
            }
            const std::size_t home = e.hash & mask_;
            // Move e into the hole when its home is not in (hole, j] (cyclically).
            const bool between =
                hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!between) {
                table_[hole] = e;
                hole = j;
            }
        }
        table_[hole] = entry{};
        --size_;
        return true;
    }

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] std::size_t bytes() const noexcept { return table_.size() * sizeof(entry); }
    void clear() {
        table_.assign(table_.size(), entry{});
        size_ = 0;
    }

  private:
    struct entry {
        std::uint32_t hash = 0;
        std::uint32_t slot = 0;  // slot + 1; 0 = empty
    };

    static std::size_t capacity_for(std::size_t n) {
        std::size_t c = 16;
        while (c * 7 < n * 10) {
            c *= 2;
        }
        return c;
    }

    void place(std::uint32_t hash, std::uint32_t slot1) {
        for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
            if (table_[i].slot == 0) {
                table_[i] = entry{hash, slot1};
                return;
            }
        }
    }

    void rehash(std::size_t capacity) {
        std::vector<entry> old = std::move(table_);
        table_.assign(capacity, entry{});
        mask_ = capacity - 1;
        for (const entry& e : old) {
            if (e.slot != 0) {
                place(e.hash, e.slot);
            }
        }
    }

    std::vector<entry> table_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

}  // namespace ikewatch

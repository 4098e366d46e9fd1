// A set of 64-bit numbers in one array (open addressing, linear probing):
// the "may this word begin a name?" questions are asked millions of times a
// minute, and std::unordered_set's nodes and prime-modulo buckets made them
// a fifth of an extraction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace callscribe::extraction {

class flat_u64_set {
public:
  void insert(std::uint64_t key) {
    if (key == 0) {
      has_zero_ = true;
      return;
    }
    if ((size_ + 1) * 2 > slots_.size())
      grow();
    if (place(slots_, key))
      ++size_;
  }

  bool contains(std::uint64_t key) const {
    if (key == 0)
      return has_zero_;
    if (slots_.empty())
      return false;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = slot_of(key, mask);; i = (i + 1) & mask) {
      if (slots_[i] == key)
        return true;
      if (slots_[i] == 0)
        return false;
    }
  }

  std::size_t count(std::uint64_t key) const { return contains(key) ? 1 : 0; }

private:
  static std::size_t slot_of(std::uint64_t key, std::size_t mask) {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
  }

  // False when the key was there already.
  static bool place(std::vector<std::uint64_t>& slots, std::uint64_t key) {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = slot_of(key, mask);; i = (i + 1) & mask) {
      if (slots[i] == key)
        return false;
      if (slots[i] == 0) {
        slots[i] = key;
        return true;
      }
    }
  }

  void grow() {
    std::vector<std::uint64_t> bigger(slots_.empty() ? 16 : slots_.size() * 2, 0);
    for (auto k : slots_)
      if (k != 0)
        place(bigger, k);
    slots_.swap(bigger);
  }

  std::vector<std::uint64_t> slots_;
  std::size_t size_ = 0;
  bool has_zero_ = false;
};

} // namespace callscribe::extraction

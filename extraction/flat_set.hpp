// Open-addressed sets for the questions asked per word of a call.
//
// A set of 64-bit numbers in one array (open addressing, linear probing):
// the "may this word begin a name?" questions are asked millions of times a
// minute, and std::unordered_set's nodes and prime-modulo buckets made them
// a fifth of an extraction.
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
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

// 64-bit keys to 32-bit values, likewise in one array. 0 is not a key (a
// key_hash is never 0 in practice; it is taken as 1).
class flat_u64_map {
public:
  // The value for `key`, inserted as 0 if the key is new. The reference
  // lasts until the next call.
  std::uint32_t& operator[](std::uint64_t key) {
    key = key ? key : 1;
    if ((size_ + 1) * 2 > slots_.size())
      grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = slot_of(key, mask);; i = (i + 1) & mask) {
      if (slots_[i].key == key)
        return slots_[i].value;
      if (slots_[i].key == 0) {
        slots_[i].key = key;
        ++size_;
        return slots_[i].value;
      }
    }
  }

  // The value for `key`, or 0 when it is not there.
  std::uint32_t get(std::uint64_t key) const {
    key = key ? key : 1;
    if (slots_.empty())
      return 0;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = slot_of(key, mask);; i = (i + 1) & mask) {
      if (slots_[i].key == key)
        return slots_[i].value;
      if (slots_[i].key == 0)
        return 0;
    }
  }

  std::size_t size() const { return size_; }

private:
  struct slot {
    std::uint64_t key = 0;
    std::uint32_t value = 0;
  };
  static std::size_t slot_of(std::uint64_t key, std::size_t mask) {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
  }
  void grow() {
    std::vector<slot> bigger(slots_.empty() ? 16 : slots_.size() * 2);
    const std::size_t mask = bigger.size() - 1;
    for (const auto& s : slots_)
      if (s.key != 0) {
        std::size_t i = slot_of(s.key, mask);
        while (bigger[i].key != 0)
          i = (i + 1) & mask;
        bigger[i] = s;
      }
    slots_.swap(bigger);
  }
  std::vector<slot> slots_;
  std::size_t size_ = 0;
};

// A small set of words asked about once or more per word of a call (cue
// words, fillers): a hash into one array, and a string compared only when
// the hash is there. Asked with a string_view, so a part of a word (prefix
// letters off) needs no string of its own.
class flat_word_set {
public:
  flat_word_set() = default;
  flat_word_set(std::initializer_list<std::string> words) {
    for (const auto& w : words)
      insert(w);
  }

  void insert(std::string word) {
    if ((words_.size() + 1) * 2 > slots_.size())
      grow();
    if (!contains(word)) {
      words_.push_back(std::move(word));
      place(slots_, static_cast<std::uint32_t>(words_.size() - 1));
    }
  }

  bool contains(std::string_view word) const { return contains(word, suffix_hash(word)); }

  // With `raw` = suffix_hash(word), worked out already: the hashes of a
  // word's endings come out of one pass from its end (a word with Hebrew
  // prefix letters taken off is an ending of it).
  bool contains(std::string_view word, std::uint64_t raw) const {
    if (slots_.empty())
      return false;
    const std::uint64_t h = mixed(raw);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask; slots_[i].word != none; i = (i + 1) & mask)
      if (slots_[i].hash == h && words_[slots_[i].word] == word)
        return true;
    return false;
  }

  std::size_t count(std::string_view word) const { return contains(word) ? 1 : 0; }

  // FNV-1a over the bytes from the last to the first: the hash of each
  // ending of a word is a step on the way to the word's own.
  static constexpr std::uint64_t suffix_hash_start = 14695981039346656037ull;
  static std::uint64_t suffix_hash_step(std::uint64_t h, unsigned char c) {
    return (h ^ c) * 1099511628211ull;
  }
  static std::uint64_t suffix_hash(std::string_view w) {
    std::uint64_t h = suffix_hash_start;
    for (auto i = w.size(); i-- > 0;)
      h = suffix_hash_step(h, static_cast<unsigned char>(w[i]));
    return h;
  }

private:
  static constexpr std::uint32_t none = UINT32_MAX;
  struct slot {
    std::uint64_t hash = 0;
    std::uint32_t word = none;
  };
  // Mixed so the low bits index well.
  static std::uint64_t mixed(std::uint64_t h) { return (h ^ (h >> 29)) * 0x9E3779B97F4A7C15ull >> 7; }
  static std::uint64_t hash_of(std::string_view w) { return mixed(suffix_hash(w)); }

  void place(std::vector<slot>& slots, std::uint32_t word) const {
    const std::uint64_t h = hash_of(words_[word]);
    const std::size_t mask = slots.size() - 1;
    std::size_t i = h & mask;
    while (slots[i].word != none)
      i = (i + 1) & mask;
    slots[i] = {h, word};
  }

  void grow() {
    std::vector<slot> bigger(slots_.empty() ? 16 : slots_.size() * 2);
    for (std::uint32_t w = 0; w < words_.size(); ++w)
      place(bigger, w);
    slots_.swap(bigger);
  }

  std::vector<slot> slots_;
  std::vector<std::string> words_;
};

} // namespace callscribe::extraction

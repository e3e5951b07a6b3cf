#include "runtime/tokenizer/token_tables.h"

#include <bit>

namespace edgellm {
namespace {

// FNV-1a over the bytes, finished with a multiply-xorshift mix.
uint64_t hash_text(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h ^ (h >> 29);
}

uint64_t hash_pair(uint64_t key) {
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdull;
  key ^= key >> 33;
  key *= 0xc4ceb9fe1a85ec53ull;
  return key ^ (key >> 33);
}

// A power of two with load factor <= 0.5.
size_t table_size(size_t n) { return std::bit_ceil(n * 2 + 2); }

uint64_t pair_key(int32_t left, int32_t right) {
  return static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32 | static_cast<uint32_t>(right);
}

}  // namespace

void TokenIndex::build(const std::vector<std::string>* texts) {
  texts_ = texts;
  slots_.assign(table_size(texts->size()), -1);
  mask_ = slots_.size() - 1;
  for (size_t id = 0; id < texts->size(); ++id) {
    const std::string_view text = (*texts)[id];
    for (uint64_t i = hash_text(text) & mask_;; i = (i + 1) & mask_) {
      int32_t& slot = slots_[i];
      if (slot < 0 || (*texts_)[slot] == text) {
        slot = static_cast<int32_t>(id);
        break;
      }
    }
  }
}

int32_t TokenIndex::find(std::string_view text) const {
  if (slots_.empty()) return -1;
  for (uint64_t i = hash_text(text) & mask_;; i = (i + 1) & mask_) {
    const int32_t id = slots_[i];
    if (id < 0) return -1;
    if ((*texts_)[id] == text) return id;
  }
}

void PiecePool::reserve(size_t n_pieces, size_t n_bytes) {
  offsets_.reserve(n_pieces + 1);
  bytes_.reserve(n_bytes);
}

void PiecePool::add(std::string_view piece) {
  bytes_.append(piece);
  offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
}

void MergeTable::build(const std::vector<std::string>& merges, const TokenIndex& index) {
  pairs_.assign(merges.size(), UINT64_MAX);
  slots_.assign(table_size(merges.size()), -1);
  mask_ = slots_.size() - 1;
  by_text_.clear();
  for (size_t r = 0; r < merges.size(); ++r) {
    const std::string& m = merges[r];
    const size_t sp = m.find(' ', 1);
    if (sp == std::string::npos) continue;
    const int32_t left = index.find(std::string_view(m).substr(0, sp));
    const int32_t right = index.find(std::string_view(m).substr(sp + 1));
    if (left < 0 || right < 0) {
      by_text_.emplace(m, static_cast<int32_t>(r));
      continue;
    }
    const uint64_t key = pair_key(left, right);
    for (uint64_t i = hash_pair(key) & mask_;; i = (i + 1) & mask_) {
      int32_t& slot = slots_[i];
      if (slot < 0) {
        slot = static_cast<int32_t>(r);
        pairs_[r] = key;
        break;
      }
      if (pairs_[slot] == key) break;  // the first occurrence keeps its rank
    }
  }
}

int32_t MergeTable::rank(int32_t left, int32_t right) const {
  if (left < 0 || right < 0 || slots_.empty()) return -1;
  const uint64_t key = pair_key(left, right);
  for (uint64_t i = hash_pair(key) & mask_;; i = (i + 1) & mask_) {
    const int32_t r = slots_[i];
    if (r < 0) return -1;
    if (pairs_[r] == key) return r;
  }
}

int32_t MergeTable::rank(std::string_view left, std::string_view right,
                         const TokenIndex& index) const {
  const int32_t l = index.find(left);
  const int32_t r = index.find(right);
  if (l >= 0 && r >= 0) return rank(l, r);
  if (by_text_.empty()) return -1;
  std::string key;
  key.reserve(left.size() + 1 + right.size());
  key.append(left).push_back(' ');
  key.append(right);
  auto it = by_text_.find(key);
  return it == by_text_.end() ? -1 : it->second;
}

size_t MergeTable::memory_bytes() const {
  size_t text = 0;
  for (const auto& [k, v] : by_text_) text += k.capacity() + 48;
  return pairs_.capacity() * sizeof(uint64_t) + slots_.capacity() * sizeof(int32_t) + text;
}

}  // namespace edgellm

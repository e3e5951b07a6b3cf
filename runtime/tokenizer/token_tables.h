// Compact lookup tables for tokenizers with large vocabularies (a 128k-token
// BPE vocabulary has ~280k merges): flat arrays instead of node-based maps,
// so a tokenizer costs a few MiB rather than tens.
//   TokenIndex  text -> id, open addressing over ids; the texts stay in the
//               vocabulary (no copies).
//   PiecePool   id -> rendered bytes, one contiguous byte pool + offsets.
//   MergeTable  (left id, right id) -> merge rank, open addressing over
//               ranks; merges whose sides are not tokens (rare) keep a
//               string-keyed map so every rule of the file is honoured.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace edgellm {

class TokenIndex {
 public:
  // Later duplicates of a text win (as in llama.cpp).
  void build(const std::vector<std::string>* texts);
  // -1 when text is not a token.
  int32_t find(std::string_view text) const;
  size_t memory_bytes() const { return slots_.capacity() * sizeof(int32_t); }

 private:
  const std::vector<std::string>* texts_ = nullptr;
  std::vector<int32_t> slots_;  // token id, -1 = empty
  uint64_t mask_ = 0;
};

class PiecePool {
 public:
  void reserve(size_t n_pieces, size_t n_bytes);
  void add(std::string_view piece);  // appends the next id's piece
  std::string_view get(int32_t id) const {
    return std::string_view(bytes_).substr(offsets_[id], offsets_[id + 1] - offsets_[id]);
  }
  size_t memory_bytes() const { return bytes_.capacity() + offsets_.capacity() * sizeof(uint32_t); }

 private:
  std::string bytes_;
  std::vector<uint32_t> offsets_{0};
};

class MergeTable {
 public:
  // merges[i] is "left right" with rank i (split at the first space after
  // the first byte; entries without one are ignored); the first occurrence of
  // a pair keeps its rank.
  void build(const std::vector<std::string>& merges, const TokenIndex& index);
  // Rank of merging two tokens, -1 if there is no such merge.
  int32_t rank(int32_t left, int32_t right) const;
  // Rank by text, for symbols that are not tokens (or any pair).
  int32_t rank(std::string_view left, std::string_view right, const TokenIndex& index) const;
  bool has_text_merges() const { return !by_text_.empty(); }
  size_t memory_bytes() const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<uint64_t> pairs_;  // rank -> left << 32 | right (UINT64_MAX: not id-keyed)
  std::vector<int32_t> slots_;   // rank, -1 = empty
  uint64_t mask_ = 0;
  std::unordered_map<std::string, int32_t, Hash, std::equal_to<>> by_text_;  // "left right"
};

}  // namespace edgellm

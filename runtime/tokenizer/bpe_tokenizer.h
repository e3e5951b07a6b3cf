// Byte-level BPE tokenizer (tokenizer.ggml.model = "gpt2"), matching
// llama.cpp's llm_tokenizer_bpe: special tokens are split out first, the rest
// is cut into words by the pre-tokenizer named by tokenizer.ggml.pre, each
// word's UTF-8 bytes are mapped to GPT-2's printable byte alphabet and merged
// pair by pair in merge-rank order (lowest rank first, leftmost on ties).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/tokenizer/pretokenize.h"
#include "runtime/tokenizer/token_tables.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgellm {

// GPT-2's reversible byte <-> printable code point mapping.
uint32_t gpt2_byte_to_codepoint(uint8_t b);
// -1 when cp is not in the mapping.
int gpt2_codepoint_to_byte(uint32_t cp);

class BpeTokenizer final : public Tokenizer {
 public:
  // The vocab must already be validated (Tokenizer::create does that).
  // Fails with kUnsupported for an unknown pre-tokenizer.
  static Status create(Vocab vocab, std::unique_ptr<Tokenizer>* out);

  Status encode(std::string_view text, bool add_special, bool parse_special,
                std::vector<int32_t>* out) const override;
  int32_t token_to_piece(int32_t id, char* buf, int32_t size,
                         bool render_special) const override;

  const PreTokenizerInfo& pretokenizer() const { return *pre_; }
  // Rank of merging left+right, -1 if there is no such merge.
  int32_t merge_rank(std::string_view left, std::string_view right) const;

 private:
  BpeTokenizer(Vocab vocab, const PreTokenizerInfo* pre);
  int32_t find_token(std::string_view text) const;
  void tokenize_word(const std::string& word, std::vector<int32_t>* out) const;

  const PreTokenizerInfo* pre_;
  TokenIndex token_to_id_;
  MergeTable merges_;
  PiecePool pieces_;  // rendered bytes of each token
};

}  // namespace edgellm

// SentencePiece-style tokenizer (tokenizer.ggml.model = "llama"), matching
// llama.cpp's llm_tokenizer_spm: whitespace escaped to U+2581, a "▁" prefix at
// the start of text and after special tokens, greedy bigram merging by highest
// score (leftmost on ties), byte-token fallback for pieces not in the vocab.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/tokenizer/token_tables.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgellm {

class SpmTokenizer final : public Tokenizer {
 public:
  // The vocab must already be validated (Tokenizer::create does that).
  explicit SpmTokenizer(Vocab vocab);

  Status encode(std::string_view text, bool add_special, bool parse_special,
                std::vector<int32_t>* out) const override;
  int32_t token_to_piece(int32_t id, char* buf, int32_t size,
                         bool render_special) const override;

  // Id of an exact piece text, or -1.
  int32_t find_token(std::string_view text) const;
  // Token used for one raw byte in the fallback (<0xNN>, else the 1-char
  // piece, else unk; -1 if none of those exist).
  int32_t byte_token(uint8_t b) const { return byte_to_token_[b]; }

 private:
  void tokenize_piece(const std::string& escaped, std::vector<int32_t>* out) const;

  TokenIndex token_to_id_;
  PiecePool pieces_;  // rendered bytes of each token
  int32_t byte_to_token_[256];
};

}  // namespace edgellm

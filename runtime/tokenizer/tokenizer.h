// Tokenizers built from GGUF metadata (tokenizer.ggml.*). The model kind is
// chosen by tokenizer.ggml.model: "llama" is the SentencePiece-style BPE with
// scores and byte fallback, "gpt2" the byte-level BPE with merges and a regex
// pre-tokenizer (tokenizer.ggml.pre). Unknown kinds fail with kUnsupported.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/core/status.h"
#include "runtime/gguf/gguf.h"

namespace edgellm {

// Token types as GGUF stores them (tokenizer.ggml.token_type).
enum class TokenType : int32_t {
  kUndefined = 0, kNormal = 1, kUnknown = 2, kControl = 3,
  kUserDefined = 4, kUnused = 5, kByte = 6,
};

struct Vocab {
  std::string model;                 // tokenizer.ggml.model
  std::string pre;                   // tokenizer.ggml.pre (may be empty)
  std::vector<std::string> tokens;   // id -> text (SentencePiece uses U+2581 for space)
  std::vector<float> scores;         // empty if absent
  std::vector<TokenType> types;      // all kNormal if absent
  std::vector<std::string> merges;   // tokenizer.ggml.merges ("left right"), BPE only
  int32_t bos = -1, eos = -1, unk = -1, pad = -1;
  bool add_bos = false, add_eos = false;
  bool add_space_prefix = true;      // tokenizer.ggml.add_space_prefix
  // End-of-generation tokens, sorted: eos plus tokens whose text marks the end
  // of a turn (<|im_end|>, <|eot_id|>, <end_of_turn>, ...), as llama.cpp
  // detects them. Filled by Tokenizer::create.
  std::vector<int32_t> eog;
};

// Reads tokenizer.ggml.* keys; kFormat names any missing or ill-typed key.
Status vocab_from_gguf(const gguf::File& file, Vocab* out);

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Picks the implementation from vocab.model.
  static Status create(Vocab vocab, std::unique_ptr<Tokenizer>* out);
  static Status from_gguf(const gguf::File& file, std::unique_ptr<Tokenizer>* out);

  // add_special: BOS/EOS as the vocab's add_bos/add_eos say.
  // parse_special: text of control/user-defined tokens is matched as that token.
  virtual Status encode(std::string_view text, bool add_special, bool parse_special,
                        std::vector<int32_t>* out) const = 0;

  // Bytes of one token (SentencePiece: U+2581 -> ' ', <0xNN> -> that byte).
  // Control tokens render as empty unless render_special. Writes at most
  // size bytes, no terminator; returns the byte count, or -(needed) if the
  // buffer is too small. Never allocates.
  virtual int32_t token_to_piece(int32_t id, char* buf, int32_t size,
                                 bool render_special) const = 0;

  // Whole-sequence decode. remove_leading_space drops the space that
  // SentencePiece puts in front of the first word.
  Status decode(const std::vector<int32_t>& ids, bool render_special,
                bool remove_leading_space, std::string* out) const;

  const Vocab& vocab() const { return vocab_; }
  int32_t n_vocab() const { return static_cast<int32_t>(vocab_.tokens.size()); }
  bool is_eog(int32_t id) const;

 protected:
  explicit Tokenizer(Vocab vocab) : vocab_(std::move(vocab)) {}

  // Input split into raw text and special tokens.
  struct Fragment {
    int32_t token;  // >= 0: a special token; -1: raw text
    size_t offset, length;
  };
  // Collects the special tokens (control, user-defined and unknown types with
  // non-empty text), longest text first. Call from the constructor.
  void init_special_tokens();
  // llama.cpp's tokenizer_st_partition: for every special token (longest
  // first) split the raw-text fragments at each non-overlapping occurrence.
  // Without parse_special only user-defined tokens are matched.
  void partition(std::string_view text, bool parse_special, std::vector<Fragment>* frags) const;

  Vocab vocab_;
  std::vector<int32_t> special_tokens_;
};

}  // namespace edgellm

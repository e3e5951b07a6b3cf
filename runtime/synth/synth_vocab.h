// Synthetic vocabularies for synthetic models: the small SentencePiece one of
// the "tiny" preset, and generated vocabularies of any size in the two styles
// real models use — SentencePiece (tokenizer.ggml.model "llama": control
// tokens, 256 byte-fallback tokens, scored pieces) and byte-level BPE
// ("gpt2": the 256 GPT-2 byte symbols, generated tokens, a merges list in
// which every token is the merge of two earlier ones, special tokens).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edgellm {

struct SynthVocab {
  std::vector<std::string> tokens;
  std::vector<float> scores;      // SentencePiece only
  std::vector<int32_t> types;     // 1 normal, 2 unknown, 3 control, 4 user, 5 unused, 6 byte
  std::vector<std::string> merges;  // BPE only, "left right"
};

SynthVocab make_synth_vocab();  // the tiny preset's (a few hundred tokens)

struct SpecialToken {
  int32_t id;
  std::string text;
  int32_t type;  // 3 control, 2 unknown, 4 user-defined
};

// SentencePiece vocabulary of exactly n tokens; `specials` take their ids,
// the byte tokens <0x00>..<0xFF> follow the highest special below 300.
SynthVocab make_spm_vocab(int64_t n, const std::vector<SpecialToken>& specials);

// Byte-level BPE vocabulary of exactly n tokens: specials at their ids,
// "[PADi]" (unused) for ids at or above n_real, regular tokens elsewhere.
SynthVocab make_bpe_vocab(int64_t n, int64_t n_real, const std::vector<SpecialToken>& specials);

}  // namespace edgellm

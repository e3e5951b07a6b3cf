// Regex pre-tokenizers of byte-level BPE vocabularies (tokenizer.ggml.pre),
// hand-coded over Unicode code points. Each reproduces llama.cpp's splitting
// for that name: its list of regexes is applied in order, every regex
// splitting each piece of the previous one into matches and the text between
// them. The GPT-2 and LLaMA-3 patterns use llama.cpp's dedicated splitters;
// the others follow ECMAScript regex semantics over llama.cpp's "collapsed"
// category view of the text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace edgellm {

enum class PreTokenizerKind {
  kDefault,        // llama.cpp's fallback: punctuation runs, GPT-2, digit runs, 3-digit groups
  kGpt2,           // GPT-2 regex
  kLlama3,         // LLaMA-3 regex (\p{N}{1,3})
  kQwen2,          // LLaMA-3 regex with single digits
  kDeepseekLlm,
  kDeepseekCoder,
  kFalcon,
  kStarcoder,      // single digits, then GPT-2
};

struct PreTokenizerInfo {
  const char* name;        // tokenizer.ggml.pre value
  PreTokenizerKind kind;
  bool ignore_merges;      // a word that is itself a token is not merged
  bool add_bos;            // llama.cpp's add_bos default for this name
};

// nullptr for unknown names; "" means "default" (as llama.cpp treats a
// missing tokenizer.ggml.pre).
const PreTokenizerInfo* find_pretokenizer(std::string_view name);
// Comma-separated list of every supported name, for error messages.
std::string supported_pretokenizers();

// Splits text into words. Malformed UTF-8 bytes become U+FFFD (as llama.cpp
// does); words are returned as UTF-8.
void pretokenize(PreTokenizerKind kind, std::string_view text, std::vector<std::string>* words);

}  // namespace edgellm

// A small SentencePiece-style vocabulary for synthetic models: control
// tokens, the 256 byte-fallback tokens and English pieces, where every
// word piece comes with the prefixes BPE merging needs to reach it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edgellm {

struct SynthVocab {
  std::vector<std::string> tokens;
  std::vector<float> scores;
  std::vector<int32_t> types;
};

SynthVocab make_synth_vocab();

}  // namespace edgellm

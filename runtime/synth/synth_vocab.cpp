#include "runtime/synth/synth_vocab.h"

#include <cstdio>
#include <set>

namespace edgellm {
namespace {

constexpr const char* kSpace = "\xe2\x96\x81";  // U+2581, SentencePiece's space

constexpr const char* kWords[] = {
    "the", "and", "once", "upon", "a", "time", "there", "was", "little", "girl", "boy",
    "named", "lily", "tom", "she", "he", "liked", "to", "play", "with", "her", "his", "friends",
    "in", "park", "one", "day", "saw", "big", "red", "ball", "they", "were", "happy", "sun",
    "tree", "dog", "cat", "ran", "fast", "said", "look", "at", "it", "is", "fun", "mom",
    "went", "home", "good", "night", "sky", "blue", "bird", "sang", "song", "of", "on",
    "edge", "device", "small", "model", "runs", "here", "text",
};

}  // namespace

SynthVocab make_synth_vocab() {
  SynthVocab v;
  auto add = [&v](const std::string& text, float score, int32_t type) {
    v.tokens.push_back(text);
    v.scores.push_back(score);
    v.types.push_back(type);
  };
  add("<unk>", 0.0f, 2);
  add("<s>", 0.0f, 3);
  add("</s>", 0.0f, 3);
  for (int b = 0; b < 256; ++b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    add(buf, 0.0f, 6);
  }
  std::set<std::string> seen;
  float score = -1.0f;
  auto piece = [&](const std::string& p) {
    if (seen.insert(p).second) add(p, score, 1);
    score -= 1.0f;
  };
  piece(kSpace);
  for (char c = 'a'; c <= 'z'; ++c) piece(std::string(1, c));
  for (char c = 'A'; c <= 'Z'; ++c) piece(std::string(1, c));
  for (const char* p : {".", ",", "!", "?", "'", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}) {
    piece(p);
  }
  for (const char* w : kWords) {
    const std::string word = std::string(kSpace) + w;
    // Every prefix (at least "▁x") so merging can build the word left to right.
    for (size_t len = std::string(kSpace).size() + 1; len <= word.size(); ++len) {
      piece(word.substr(0, len));
    }
  }
  return v;
}

}  // namespace edgellm

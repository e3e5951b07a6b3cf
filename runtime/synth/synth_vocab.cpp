#include "runtime/synth/synth_vocab.h"

#include <algorithm>
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

namespace {

// Appends the UTF-8 encoding of code point cp.
void put_utf8(std::string* s, uint32_t cp) {
  if (cp < 0x80) {
    s->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Generates letter strings breadth-first (shorter first), each with and
// without the word-start marker, so every string's prefix comes before it.
class PieceGen {
 public:
  explicit PieceGen(std::string marker) : marker_(std::move(marker)) {}
  // Next piece and the split point (bytes) of its last letter.
  std::string next(size_t* split) {
    for (;;) {
      if (idx_ >= level_count_ * 2) {
        ++len_;
        level_count_ *= 26;
        idx_ = 0;
      }
      const bool with_marker = (idx_ % 2) == 1;
      uint64_t k = idx_ / 2;
      ++idx_;
      std::string letters(len_, 'a');
      for (size_t i = len_; i-- > 0;) {
        letters[i] = static_cast<char>('a' + k % 26);
        k /= 26;
      }
      std::string piece = with_marker ? marker_ + letters : letters;
      if (!with_marker && len_ == 1) continue;  // single letters are added up front
      *split = piece.size() - 1;
      return piece;
    }
  }

 private:
  std::string marker_;
  size_t len_ = 1;
  uint64_t level_count_ = 26;
  uint64_t idx_ = 0;
};

}  // namespace

SynthVocab make_spm_vocab(int64_t n, const std::vector<SpecialToken>& specials) {
  SynthVocab v;
  v.tokens.assign(static_cast<size_t>(n), "");
  v.scores.assign(static_cast<size_t>(n), 0.0f);
  v.types.assign(static_cast<size_t>(n), 0);
  std::vector<bool> used(static_cast<size_t>(n), false);
  int32_t byte_start = 0;
  for (const SpecialToken& s : specials) {
    if (s.id < 0 || s.id >= n) continue;
    v.tokens[s.id] = s.text;
    v.types[s.id] = s.type;
    used[s.id] = true;
    if (s.id < 300) byte_start = std::max(byte_start, s.id + 1);
  }
  int64_t id = byte_start;
  auto next_free = [&]() {
    while (id < n && used[id]) ++id;
    return id;
  };
  for (int b = 0; b < 256 && next_free() < n; ++b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    v.tokens[id] = buf;
    v.types[id] = 6;
    used[id] = true;
  }
  float score = -1.0f;
  auto add_piece = [&](const std::string& p) {
    if (next_free() >= n) return;
    v.tokens[id] = p;
    v.scores[id] = score;
    v.types[id] = 1;
    used[id] = true;
    score -= 1.0f;
  };
  add_piece(kSpace);
  for (char c = 'a'; c <= 'z'; ++c) add_piece(std::string(1, c));
  for (int c = 0x21; c < 0x7F; ++c) {
    if (c < 'a' || c > 'z') add_piece(std::string(1, static_cast<char>(c)));
  }
  PieceGen gen(kSpace);
  while (next_free() < n) {
    size_t split = 0;
    add_piece(gen.next(&split));
  }
  // Any id below byte_start that no special claimed.
  for (int64_t i = 0; i < n; ++i) {
    if (!used[i]) {
      v.tokens[i] = "<unused" + std::to_string(i) + ">";
      v.types[i] = 5;
    }
  }
  return v;
}

SynthVocab make_bpe_vocab(int64_t n, int64_t n_real, const std::vector<SpecialToken>& specials) {
  SynthVocab v;
  v.tokens.assign(static_cast<size_t>(n), "");
  v.types.assign(static_cast<size_t>(n), 0);
  std::vector<bool> used(static_cast<size_t>(n), false);
  for (const SpecialToken& s : specials) {
    if (s.id < 0 || s.id >= n) continue;
    v.tokens[s.id] = s.text;
    v.types[s.id] = s.type;
    used[s.id] = true;
  }
  for (int64_t i = n_real; i < n; ++i) {
    if (!used[i]) {
      v.tokens[i] = "[PAD" + std::to_string(i) + "]";
      v.types[i] = 5;
      used[i] = true;
    }
  }
  // GPT-2's byte-to-symbol map: printable bytes map to themselves, the rest
  // to U+0100 upwards, in GPT-2's order (printable ones first).
  std::vector<int> order;
  std::string sym[256];
  for (int b = 0x21; b <= 0x7E; ++b) order.push_back(b);
  for (int b = 0xA1; b <= 0xAC; ++b) order.push_back(b);
  for (int b = 0xAE; b <= 0xFF; ++b) order.push_back(b);
  std::vector<bool> printable(256, false);
  for (int b : order) {
    printable[b] = true;
    put_utf8(&sym[b], static_cast<uint32_t>(b));
  }
  uint32_t extra = 0;
  for (int b = 0; b < 256; ++b) {
    if (!printable[b]) {
      order.push_back(b);
      put_utf8(&sym[b], 256 + extra++);
    }
  }
  int64_t id = 0;
  auto next_free = [&]() {
    while (id < n && used[id]) ++id;
    return id;
  };
  for (int b : order) {
    if (next_free() >= n) break;
    v.tokens[id] = sym[b];
    v.types[id] = 1;
    used[id] = true;
  }
  const std::string space = sym[0x20];  // "Ġ"
  PieceGen gen(space);
  while (next_free() < n) {
    size_t split = 0;
    const std::string t = gen.next(&split);
    v.tokens[id] = t;
    v.types[id] = 1;
    used[id] = true;
    v.merges.push_back(t.substr(0, split) + " " + t.substr(split));
  }
  return v;
}

}  // namespace edgellm

#include "runtime/tokenizer/spm_tokenizer.h"

#include <algorithm>
#include <cstring>
#include <queue>
#include <utility>

namespace edgellm {
namespace {

constexpr char kSpace[] = "\xe2\x96\x81";  // U+2581, SentencePiece's space
constexpr size_t kSpaceLen = 3;

// Length of a UTF-8 sequence from its lead byte (continuation and invalid
// lead bytes count as one byte, as in llama.cpp's unicode_len_utf8).
size_t utf8_len(uint8_t lead) {
  static const uint8_t kLen[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLen[lead >> 4];
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// "<0xNN>" -> NN, else -1.
int parse_byte_token(const std::string& text) {
  if (text.size() != 6 || text[0] != '<' || text[1] != '0' || text[2] != 'x' || text[5] != '>')
    return -1;
  int hi = hex_value(text[3]), lo = hex_value(text[4]);
  if (hi < 0 || lo < 0) return -1;
  return hi * 16 + lo;
}

struct Symbol {
  int32_t prev, next;
  size_t offset, n;  // bytes of the escaped text
};

struct Bigram {
  int32_t left, right;
  float score;
  size_t size;
};

// Highest score first; on equal scores the leftmost pair first.
struct BigramLess {
  bool operator()(const Bigram& l, const Bigram& r) const {
    return l.score < r.score || (l.score == r.score && l.left > r.left);
  }
};

}  // namespace

SpmTokenizer::SpmTokenizer(Vocab vocab) : Tokenizer(std::move(vocab)) {
  const int32_t n = n_vocab();
  token_to_id_.build(&vocab_.tokens);  // later duplicates win, as in llama.cpp
  size_t text_bytes = 0;
  for (const std::string& t : vocab_.tokens) text_bytes += t.size();
  pieces_.reserve(static_cast<size_t>(n), text_bytes);
  std::string piece;
  for (int32_t id = 0; id < n; ++id) {
    const std::string& text = vocab_.tokens[id];
    piece.clear();
    switch (vocab_.types[id]) {
      case TokenType::kControl:
      case TokenType::kUnknown:
      case TokenType::kUserDefined:
        piece = text;
        break;
      case TokenType::kNormal:
        for (size_t i = 0; i < text.size();) {
          if (text.compare(i, kSpaceLen, kSpace) == 0) {
            piece.push_back(' ');
            i += kSpaceLen;
          } else {
            piece.push_back(text[i++]);
          }
        }
        break;
      case TokenType::kByte: {
        int b = parse_byte_token(text);
        if (b >= 0) piece.assign(1, static_cast<char>(b));
        break;
      }
      default:
        break;  // undefined / unused tokens render as nothing
    }
    pieces_.add(piece);
  }
  init_special_tokens();
  static const char kHex[] = "0123456789ABCDEF";
  for (int b = 0; b < 256; ++b) {
    char name[7] = {'<', '0', 'x', kHex[b >> 4], kHex[b & 15], '>', 0};
    int32_t id = find_token(std::string_view(name, 6));
    if (id < 0) {
      char one = static_cast<char>(b);
      id = find_token(std::string_view(&one, 1));
    }
    if (id < 0) id = vocab_.unk;
    byte_to_token_[b] = id;
  }
}

int32_t SpmTokenizer::find_token(std::string_view text) const { return token_to_id_.find(text); }

Status SpmTokenizer::encode(std::string_view text, bool add_special, bool parse_special,
                            std::vector<int32_t>* out) const {
  if (out == nullptr) return Status(StatusCode::kInvalidArgument, "encode: out is null");
  out->clear();
  if (add_special && vocab_.add_bos) out->push_back(vocab_.bos);

  std::vector<Fragment> frags;
  partition(text, parse_special, &frags);

  bool prev_special = true;  // a space prefix goes in front of the first text
  std::string escaped;
  for (const Fragment& f : frags) {
    if (f.token >= 0) {
      out->push_back(f.token);
      prev_special = true;
      continue;
    }
    escaped.clear();
    if (vocab_.add_space_prefix && prev_special) escaped.append(kSpace, kSpaceLen);
    for (char c : text.substr(f.offset, f.length)) {
      if (c == ' ') {
        escaped.append(kSpace, kSpaceLen);
      } else {
        escaped.push_back(c);
      }
    }
    size_t before = out->size();
    tokenize_piece(escaped, out);
    for (size_t i = before; i < out->size(); ++i) {
      if ((*out)[i] < 0) {
        return Errorf(StatusCode::kInvalidArgument,
                      "encode: text needs a byte token the vocabulary lacks "
                      "(no <0xNN> token, single-byte piece or <unk>)");
      }
    }
    prev_special = false;
  }

  if (add_special && vocab_.add_eos) out->push_back(vocab_.eos);
  return Status::Ok();
}

void SpmTokenizer::tokenize_piece(const std::string& text, std::vector<int32_t>* out) const {
  if (text.empty()) return;
  std::vector<Symbol> symbols;
  symbols.reserve(text.size());
  for (size_t offs = 0; offs < text.size();) {
    size_t n = std::min(utf8_len(static_cast<uint8_t>(text[offs])), text.size() - offs);
    int32_t index = static_cast<int32_t>(symbols.size());
    symbols.push_back({index - 1, offs + n == text.size() ? -1 : index + 1, offs, n});
    offs += n;
  }

  std::priority_queue<Bigram, std::vector<Bigram>, BigramLess> queue;
  auto try_add = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    std::string_view piece(text.data() + symbols[left].offset,
                           symbols[left].n + symbols[right].n);
    const int32_t id = token_to_id_.find(piece);
    if (id < 0) return;
    float score = vocab_.scores.empty() ? 0.0f : vocab_.scores[id];
    queue.push({left, right, score, piece.size()});
  };
  for (int32_t i = 1; i < static_cast<int32_t>(symbols.size()); ++i) try_add(i - 1, i);

  while (!queue.empty()) {
    Bigram bg = queue.top();
    queue.pop();
    Symbol& l = symbols[bg.left];
    Symbol& r = symbols[bg.right];
    // Stale entry: one side was merged away or has grown since.
    if (l.n == 0 || r.n == 0 || l.n + r.n != bg.size) continue;
    l.n += r.n;
    r.n = 0;
    l.next = r.next;
    if (r.next >= 0) symbols[r.next].prev = bg.left;
    try_add(l.prev, bg.left);
    try_add(bg.left, l.next);
  }

  // Every merged symbol is a vocab piece; unmerged single characters that are
  // not pieces fall back to one byte token per UTF-8 byte.
  for (int32_t i = 0; i != -1; i = symbols[i].next) {
    const Symbol& s = symbols[i];
    const int32_t id = token_to_id_.find(std::string_view(text).substr(s.offset, s.n));
    if (id >= 0) {
      out->push_back(id);
      continue;
    }
    for (size_t j = 0; j < s.n; ++j) {
      out->push_back(byte_to_token_[static_cast<uint8_t>(text[s.offset + j])]);
    }
  }
}

int32_t SpmTokenizer::token_to_piece(int32_t id, char* buf, int32_t size,
                                     bool render_special) const {
  if (id < 0 || id >= n_vocab()) return 0;
  TokenType t = vocab_.types[id];
  if (!render_special && (t == TokenType::kControl || t == TokenType::kUnknown)) return 0;
  const std::string_view piece = pieces_.get(id);
  int32_t n = static_cast<int32_t>(piece.size());
  if (size < n || (n > 0 && buf == nullptr)) return -n;
  if (n > 0) std::memcpy(buf, piece.data(), piece.size());
  return n;
}

}  // namespace edgellm

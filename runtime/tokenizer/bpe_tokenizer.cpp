#include "runtime/tokenizer/bpe_tokenizer.h"

#include <array>
#include <cstring>
#include <queue>
#include <utility>

#include "runtime/tokenizer/unicode.h"

namespace edgellm {
namespace {

// GPT-2's bytes_to_unicode: printable Latin-1 bytes map to themselves, the
// other 68 bytes to U+0100.. in byte order.
struct ByteMap {
  std::array<uint32_t, 256> to_cp{};
  std::array<std::string, 256> to_utf8;
  ByteMap() {
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      to_cp[b] = printable ? static_cast<uint32_t>(b) : next++;
      utf8_append(to_cp[b], &to_utf8[b]);
    }
  }
};

const ByteMap& byte_map() {
  static const ByteMap m;
  return m;
}

struct Symbol {
  int32_t prev, next;
  size_t offset, n;  // bytes of the encoded word
  int32_t id;        // token with these bytes, -1 if none
};

struct Bigram {
  int32_t left, right;
  int32_t rank;
  size_t size;
};

// Lowest rank first; on equal ranks the leftmost pair first.
struct BigramGreater {
  bool operator()(const Bigram& l, const Bigram& r) const {
    return l.rank > r.rank || (l.rank == r.rank && l.left > r.left);
  }
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

uint32_t gpt2_byte_to_codepoint(uint8_t b) { return byte_map().to_cp[b]; }

int gpt2_codepoint_to_byte(uint32_t cp) {
  if (cp < 256) {
    const bool printable = (cp >= 0x21 && cp <= 0x7E) || (cp >= 0xA1 && cp <= 0xAC) || cp >= 0xAE;
    return printable ? static_cast<int>(cp) : -1;
  }
  if (cp >= 256 + 68) return -1;
  // The remapped bytes, in byte order.
  uint32_t k = cp - 256;
  for (int b = 0; b < 256; ++b) {
    if (byte_map().to_cp[b] >= 256 && k-- == 0) return b;
  }
  return -1;
}

Status BpeTokenizer::create(Vocab vocab, std::unique_ptr<Tokenizer>* out) {
  const PreTokenizerInfo* pre = find_pretokenizer(vocab.pre);
  if (pre == nullptr) {
    return Errorf(StatusCode::kUnsupported,
                  "BPE pre-tokenizer '%s' (tokenizer.ggml.pre) is not supported (supported: %s)",
                  vocab.pre.c_str(), supported_pretokenizers().c_str());
  }
  out->reset(new BpeTokenizer(std::move(vocab), pre));
  return Status::Ok();
}

BpeTokenizer::BpeTokenizer(Vocab vocab, const PreTokenizerInfo* pre)
    : Tokenizer(std::move(vocab)), pre_(pre) {
  const int32_t n = n_vocab();
  token_to_id_.build(&vocab_.tokens);  // later duplicates win
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
        // Undo the byte-to-code-point mapping; code points outside it (not
        // produced by byte-level BPE) are kept as their UTF-8.
        for (size_t off = 0; off < text.size();) {
          const size_t start = off;
          const int b = gpt2_codepoint_to_byte(utf8_decode(text, &off));
          if (b >= 0) {
            piece.push_back(static_cast<char>(b));
          } else {
            piece.append(text, start, off - start);
          }
        }
        break;
      case TokenType::kByte:
        if (text.size() == 6 && text.compare(0, 3, "<0x") == 0 && text[5] == '>' &&
            hex_value(text[3]) >= 0 && hex_value(text[4]) >= 0) {
          piece.assign(1, static_cast<char>(hex_value(text[3]) * 16 + hex_value(text[4])));
        }
        break;
      default:
        break;  // undefined / unused tokens render as nothing
    }
    pieces_.add(piece);
  }
  // Merges are "left right", split at the first space after the first byte;
  // the first occurrence of a pair keeps its rank. The merge strings are not
  // needed once the table is built (tens of MiB for a 128k vocabulary).
  merges_.build(vocab_.merges, token_to_id_);
  std::vector<std::string>().swap(vocab_.merges);
  init_special_tokens();
}

int32_t BpeTokenizer::find_token(std::string_view text) const { return token_to_id_.find(text); }

int32_t BpeTokenizer::merge_rank(std::string_view left, std::string_view right) const {
  return merges_.rank(left, right, token_to_id_);
}

Status BpeTokenizer::encode(std::string_view text, bool add_special, bool parse_special,
                            std::vector<int32_t>* out) const {
  if (out == nullptr) return Status(StatusCode::kInvalidArgument, "encode: out is null");
  out->clear();
  if (add_special && vocab_.add_bos) out->push_back(vocab_.bos);

  std::vector<Fragment> frags;
  partition(text, parse_special, &frags);
  std::vector<std::string> words;
  std::string encoded;
  for (const Fragment& f : frags) {
    if (f.token >= 0) {
      out->push_back(f.token);
      continue;
    }
    pretokenize(pre_->kind, text.substr(f.offset, f.length), &words);
    for (const std::string& w : words) {
      encoded.clear();
      for (char c : w) encoded += byte_map().to_utf8[static_cast<uint8_t>(c)];
      tokenize_word(encoded, out);
    }
  }

  if (add_special && vocab_.add_eos) out->push_back(vocab_.eos);
  return Status::Ok();
}

void BpeTokenizer::tokenize_word(const std::string& word, std::vector<int32_t>* out) const {
  if (word.empty()) return;
  if (pre_->ignore_merges) {
    const int32_t id = find_token(word);
    if (id >= 0) {
      out->push_back(id);
      return;
    }
  }
  std::vector<Symbol> symbols;
  symbols.reserve(word.size());
  for (size_t off = 0; off < word.size();) {
    const size_t n = std::min(utf8_seq_len(static_cast<uint8_t>(word[off])), word.size() - off);
    const int32_t index = static_cast<int32_t>(symbols.size());
    symbols.push_back({index - 1, off + n == word.size() ? -1 : index + 1, off, n,
                       find_token(std::string_view(word).substr(off, n))});
    off += n;
  }

  std::priority_queue<Bigram, std::vector<Bigram>, BigramGreater> queue;
  const std::string_view text(word);
  auto try_add = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = symbols[left];
    const Symbol& r = symbols[right];
    int32_t rank = merges_.rank(l.id, r.id);
    if ((l.id < 0 || r.id < 0) && merges_.has_text_merges()) {
      rank = merges_.rank(text.substr(l.offset, l.n), text.substr(r.offset, r.n), token_to_id_);
    }
    if (rank < 0) return;
    queue.push({left, right, rank, l.n + r.n});
  };
  for (int32_t i = 1; i < static_cast<int32_t>(symbols.size()); ++i) try_add(i - 1, i);

  while (!queue.empty()) {
    const Bigram bg = queue.top();
    queue.pop();
    Symbol& l = symbols[bg.left];
    Symbol& r = symbols[bg.right];
    // Stale entry: one side was merged away or has grown since.
    if (l.n == 0 || r.n == 0 || l.n + r.n != bg.size) continue;
    l.n += r.n;
    l.id = find_token(text.substr(l.offset, l.n));
    r.n = 0;
    l.next = r.next;
    if (r.next >= 0) symbols[r.next].prev = bg.left;
    try_add(l.prev, bg.left);
    try_add(bg.left, l.next);
  }

  // Each final symbol is normally a token; if not, its bytes are looked up
  // one by one and those that are not tokens are dropped (as llama.cpp does).
  for (int32_t i = 0; i != -1; i = symbols[i].next) {
    const Symbol& s = symbols[i];
    const std::string_view piece = text.substr(s.offset, s.n);
    if (s.id >= 0) {
      out->push_back(s.id);
      continue;
    }
    for (char c : piece) {
      const int32_t b = find_token(std::string_view(&c, 1));
      if (b >= 0) out->push_back(b);
    }
  }
}

int32_t BpeTokenizer::token_to_piece(int32_t id, char* buf, int32_t size,
                                     bool render_special) const {
  if (id < 0 || id >= n_vocab()) return 0;
  const TokenType t = vocab_.types[id];
  if (!render_special && (t == TokenType::kControl || t == TokenType::kUnknown)) return 0;
  const std::string_view piece = pieces_.get(id);
  const int32_t n = static_cast<int32_t>(piece.size());
  if (size < n || (n > 0 && buf == nullptr)) return -n;
  if (n > 0) std::memcpy(buf, piece.data(), piece.size());
  return n;
}

}  // namespace edgellm

#include "runtime/tokenizer/pretokenize.h"

#include <cstdint>
#include <iterator>

#include "runtime/tokenizer/unicode.h"

namespace edgellm {
namespace {

// ---- the supported names ----------------------------------------------------

constexpr PreTokenizerInfo kPreTokenizers[] = {
    {"default", PreTokenizerKind::kDefault, false, false},
    {"gpt-2", PreTokenizerKind::kGpt2, false, false},
    {"phi-2", PreTokenizerKind::kGpt2, false, false},
    {"mpt", PreTokenizerKind::kGpt2, false, false},
    {"olmo", PreTokenizerKind::kGpt2, false, false},
    {"jais", PreTokenizerKind::kGpt2, false, false},
    {"gigachat", PreTokenizerKind::kGpt2, false, false},
    {"trillion", PreTokenizerKind::kGpt2, false, false},
    {"granite-docling", PreTokenizerKind::kGpt2, false, false},
    {"exaone4", PreTokenizerKind::kGpt2, false, false},
    {"llama3", PreTokenizerKind::kLlama3, true, true},
    {"llama-v3", PreTokenizerKind::kLlama3, true, true},
    {"llama-bpe", PreTokenizerKind::kLlama3, true, true},
    {"falcon3", PreTokenizerKind::kLlama3, true, true},
    {"falcon-h1", PreTokenizerKind::kLlama3, true, true},
    {"pixtral", PreTokenizerKind::kLlama3, true, true},
    {"midm-2.0", PreTokenizerKind::kLlama3, true, true},
    {"lfm2", PreTokenizerKind::kLlama3, true, true},
    {"dbrx", PreTokenizerKind::kLlama3, false, false},
    {"smaug-bpe", PreTokenizerKind::kLlama3, false, false},
    {"qwen2", PreTokenizerKind::kQwen2, false, false},
    {"deepseek-r1-qwen", PreTokenizerKind::kQwen2, false, false},
    {"stablelm2", PreTokenizerKind::kQwen2, false, false},
    {"megrez", PreTokenizerKind::kQwen2, false, false},
    {"deepseek-llm", PreTokenizerKind::kDeepseekLlm, false, false},
    {"deepseek-coder", PreTokenizerKind::kDeepseekCoder, false, false},
    {"falcon", PreTokenizerKind::kFalcon, false, false},
    {"starcoder", PreTokenizerKind::kStarcoder, false, false},
    {"refact", PreTokenizerKind::kStarcoder, false, false},
    {"command-r", PreTokenizerKind::kStarcoder, false, false},
    {"smollm", PreTokenizerKind::kStarcoder, false, false},
    {"codeshell", PreTokenizerKind::kStarcoder, false, false},
    {"exaone", PreTokenizerKind::kStarcoder, false, false},
    {"minerva-7b", PreTokenizerKind::kStarcoder, false, false},
};

// ---- the text, with per-code-point classes ---------------------------------

enum : uint8_t { kL = 1, kN = 2, kWs = 4, kP = 8 };

struct Text {
  std::vector<uint32_t> cps;
  std::vector<uint8_t> bits;

  explicit Text(std::string_view s) : cps(utf8_to_codepoints(s)), bits(cps.size()) {
    for (size_t i = 0; i < cps.size(); ++i) {
      const uint32_t cp = cps[i];
      uint8_t b = 0;
      if (unicode_is_whitespace(cp)) {
        b = kWs;
      } else {
        switch (unicode_class(cp)) {
          case UnicodeClass::kLetter: b = kL; break;
          case UnicodeClass::kNumber: b = kN; break;
          case UnicodeClass::kPunctuation: b = kP; break;
          default: break;
        }
      }
      bits[i] = b;
    }
  }
  bool is(size_t i, uint8_t mask) const { return (bits[i] & mask) != 0; }
  // The code point a std::wregex sees: non-ASCII whitespace becomes U+000B.
  uint32_t wide(size_t i) const { return cps[i] > 0x7F && (bits[i] & kWs) ? 0x0B : cps[i]; }
};

// Piece lengths in code points; they tile the text.
using Pieces = std::vector<size_t>;

// Emits pieces of one segment [begin, end) as llama.cpp's custom splitters
// do: every call ends a piece at `end_pos` (empty pieces are dropped).
struct Emitter {
  Pieces* out;
  size_t prev;
  void to(size_t end_pos) {
    if (end_pos > prev) out->push_back(end_pos - prev);
    prev = end_pos;
  }
};

bool is_contraction_1(uint32_t c) { return c == 's' || c == 't' || c == 'm' || c == 'd'; }
bool is_contraction_2(uint32_t c1, uint32_t c2) {
  return (c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l');
}
uint32_t ascii_lower(uint32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

// GPT-2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
void split_gpt2(const Text& t, size_t begin, size_t end, Pieces* out) {
  Emitter e{out, begin};
  auto in = [&](size_t i) { return i >= begin && i < end; };
  auto has = [&](size_t i, uint8_t m) { return in(i) && t.is(i, m); };
  for (size_t pos = begin; pos < end;) {
    const uint32_t c = t.cps[pos];
    if (c == '\'' && pos + 1 < end) {
      const uint32_t c1 = t.cps[pos + 1];
      if (is_contraction_1(c1)) {
        e.to(pos += 2);
        continue;
      }
      if (pos + 2 < end && is_contraction_2(c1, t.cps[pos + 2])) {
        e.to(pos += 3);
        continue;
      }
    }
    const size_t q = c == ' ' ? pos + 1 : pos;  // where the optional space's class is read
    if (has(q, kL) || has(q, kN)) {
      const uint8_t m = has(q, kL) ? kL : kN;
      pos = q;
      while (has(pos, m)) ++pos;
      e.to(pos);
      continue;
    }
    if (in(q) && !t.is(q, kWs | kL | kN)) {
      pos = q;
      while (in(pos) && !t.is(pos, kWs | kL | kN)) ++pos;
      e.to(pos);
      continue;
    }
    size_t n_ws = 0;
    while (has(pos + n_ws, kWs)) ++n_ws;
    if (n_ws > 1 && pos + n_ws < end) {  // \s+(?!\S)
      e.to(pos += n_ws - 1);
      continue;
    }
    if (n_ws > 0) {
      e.to(pos += n_ws);
      continue;
    }
    e.to(++pos);
  }
}

// LLaMA 3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//          ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
// Qwen2 is the same with \p{N} (max_digits = 1).
void split_llama3(const Text& t, size_t begin, size_t end, size_t max_digits, Pieces* out) {
  Emitter e{out, begin};
  auto in = [&](size_t i) { return i >= begin && i < end; };
  auto has = [&](size_t i, uint8_t m) { return in(i) && t.is(i, m); };
  auto is_nl = [&](size_t i) { return in(i) && (t.cps[i] == '\r' || t.cps[i] == '\n'); };
  for (size_t pos = begin; pos < end;) {
    const uint32_t c = t.cps[pos];
    if (c == '\'' && pos + 1 < end) {
      const uint32_t c1 = ascii_lower(t.cps[pos + 1]);
      if (is_contraction_1(c1)) {
        e.to(pos += 2);
        continue;
      }
      if (pos + 2 < end && is_contraction_2(c1, ascii_lower(t.cps[pos + 2]))) {
        e.to(pos += 3);
        continue;
      }
    }
    if (!(c == '\r' || c == '\n' || t.is(pos, kN)) && (t.is(pos, kL) || has(pos + 1, kL))) {
      ++pos;
      while (has(pos, kL)) ++pos;
      e.to(pos);
      continue;
    }
    if (t.is(pos, kN)) {
      size_t ini = pos;
      while (has(pos, kN)) {
        if (++pos - ini >= max_digits) {
          e.to(pos);
          ini = pos;
        }
      }
      e.to(pos);
      continue;
    }
    const size_t q = c == ' ' ? pos + 1 : pos;
    if (!in(q) || !t.is(q, kWs | kL | kN)) {
      pos = q;
      while (in(pos) && !t.is(pos, kWs | kL | kN)) ++pos;
      while (is_nl(pos)) ++pos;
      e.to(pos);
      continue;
    }
    size_t n_ws = 0, last_nl_end = 0;
    while (has(pos + n_ws, kWs)) {
      if (is_nl(pos + n_ws)) last_nl_end = pos + n_ws + 1;
      ++n_ws;
    }
    if (last_nl_end > 0) {  // \s*[\r\n]+
      e.to(pos = last_nl_end);
      continue;
    }
    if (n_ws > 1 && pos + n_ws < end) {  // \s+(?!\S)
      e.to(pos += n_ws - 1);
      continue;
    }
    if (n_ws > 0) {
      e.to(pos += n_ws);
      continue;
    }
    e.to(++pos);
  }
}

// A regex applied with std::regex_iterator semantics: leftmost matches, and
// the text between matches (merged) as pieces of its own. `match` returns the
// length of the match starting at pos (0: none), seeing [pos, end) only.
template <typename Match>
void split_regex(const Text& t, size_t begin, size_t end, Match match, Pieces* out) {
  size_t gap = begin;
  for (size_t pos = begin; pos < end;) {
    const size_t n = match(t, pos, end);
    if (n == 0) {
      ++pos;
      continue;
    }
    if (pos > gap) out->push_back(pos - gap);
    out->push_back(n);
    pos += n;
    gap = pos;
  }
  if (end > gap) out->push_back(end - gap);
}

struct Range {
  uint32_t lo, hi;
};

template <size_t N>
bool in_ranges(uint32_t cp, const Range (&ranges)[N]) {
  for (const Range& r : ranges) {
    if (cp >= r.lo && cp <= r.hi) return true;
  }
  return false;
}

// DeepSeek LLM's letter class (cased letters, as listed in its tokenizer.json).
constexpr Range kDeepseekLetters[] = {
    {0x41, 0x5A}, {0x61, 0x7A}, {0xB5, 0xB5}, {0xC0, 0xD6}, {0xD8, 0xF6}, {0xF8, 0x1BA},
    {0x1BC, 0x1BF}, {0x1C4, 0x293}, {0x295, 0x2AF}, {0x370, 0x373}, {0x376, 0x377}, {0x37B, 0x37D},
    {0x37F, 0x37F}, {0x386, 0x386}, {0x388, 0x38A}, {0x38C, 0x38C}, {0x38E, 0x3A1}, {0x3A3, 0x3F5},
    {0x3F7, 0x481}, {0x48A, 0x52F}, {0x531, 0x556}, {0x10A0, 0x10C5}, {0x13A0, 0x13F5}, {0x13F8, 0x13FD},
    {0x1C90, 0x1CBA}, {0x1CBD, 0x1CBF}, {0x1D00, 0x1D2B}, {0x1D6B, 0x1D77}, {0x1D79, 0x1D9A}, {0x1E00, 0x1F15},
    {0x1F18, 0x1F1D}, {0x1F20, 0x1F45}, {0x1F48, 0x1F4D}, {0x1F50, 0x1F57}, {0x1F59, 0x1F59}, {0x1F5B, 0x1F5B},
    {0x1F5D, 0x1F5D}, {0x1F5F, 0x1F7D}, {0x1F80, 0x1FB4}, {0x1FB6, 0x1FBC}, {0x1FBE, 0x1FBE}, {0x1FC2, 0x1FC4},
    {0x1FC6, 0x1FCC}, {0x1FD0, 0x1FD3}, {0x1FD6, 0x1FDB}, {0x1FE0, 0x1FEC}, {0x1FF2, 0x1FF4}, {0x1FF6, 0x1FFC},
    {0x2102, 0x2102}, {0x2107, 0x2107}, {0x210A, 0x2113}, {0x2115, 0x2115}, {0x2119, 0x211D}, {0x2124, 0x2124},
    {0x2126, 0x2126}, {0x2128, 0x2128}, {0x212A, 0x212D}, {0x212F, 0x2134}, {0x2139, 0x2139}, {0x213C, 0x213F},
    {0x2145, 0x2149}, {0x214E, 0x214E}, {0x2183, 0x2184}, {0x2C00, 0x2C7B}, {0x2C7E, 0x2CE4}, {0x2CEB, 0x2CEE},
    {0x2CF2, 0x2CF3}, {0xA640, 0xA66D}, {0xA680, 0xA69B}, {0xA722, 0xA76F}, {0xA771, 0xA787}, {0xA78B, 0xA78E},
    {0xAB70, 0xABBF}, {0xFB00, 0xFB06}, {0xFB13, 0xFB17}, {0xFF21, 0xFF3A}, {0xFF41, 0xFF5A}, {0x10400, 0x1044F},
    {0x104B0, 0x104D3}, {0x104D8, 0x104FB}, {0x10C80, 0x10CB2}, {0x10CC0, 0x10CF2}, {0x118A0, 0x118DF}, {0x1E900, 0x1E943},
};
// [!-/:-~！-／：-～‘-‟　-。]
constexpr Range kDeepseekPunct[] = {{0x21, 0x2F},     {0x3A, 0x7E},     {0xFF01, 0xFF0F},
                                    {0xFF1A, 0xFF5E}, {0x2018, 0x201F}, {0x3000, 0x3002}};
// [一-龥ࠀ-一가-퟿]
constexpr Range kDeepseekCjk[] = {{0x4E00, 0x9FA5}, {0x0800, 0x4E00}, {0xAC00, 0xD7FF}};

// ---- regex building blocks -----------------------------------------------------

// [\r\n]
size_t m_newline(const Text& t, size_t p, size_t) {
  return t.cps[p] == '\r' || t.cps[p] == '\n' ? 1 : 0;
}

// Length of the run of code points satisfying pred from p.
template <typename Pred>
size_t run(const Text& t, size_t p, size_t end, Pred pred) {
  size_t n = 0;
  while (p + n < end && pred(t, p + n)) ++n;
  return n;
}

// \s?X+
template <typename Pred>
size_t opt_space_run(const Text& t, size_t p, size_t end, Pred pred) {
  if (t.is(p, kWs) && p + 1 < end && pred(t, p + 1)) return 1 + run(t, p + 1, end, pred);
  return run(t, p, end, pred);
}

bool p_letter(const Text& t, size_t i) { return t.is(i, kL); }
bool p_number(const Text& t, size_t i) { return t.is(i, kN); }
bool p_punct(const Text& t, size_t i) { return t.is(i, kP); }
bool p_ascii_digit(const Text& t, size_t i) { return t.cps[i] >= '0' && t.cps[i] <= '9'; }
bool p_ds_letter(const Text& t, size_t i) { return in_ranges(t.wide(i), kDeepseekLetters); }
bool p_ds_punct(const Text& t, size_t i) { return in_ranges(t.wide(i), kDeepseekPunct); }
bool p_ds_cjk(const Text& t, size_t i) { return in_ranges(t.wide(i), kDeepseekCjk); }
bool is_one_of(uint32_t c, const char* set) {
  for (; *set; ++set) {
    if (c == static_cast<unsigned char>(*set)) return true;
  }
  return false;
}
// [\p{P}\$\+<=>\^~\|`] (falcon) and [\p{P}\$\+<=>\^~\|] (default)
bool p_falcon_punct(const Text& t, size_t i) { return t.is(i, kP) || is_one_of(t.cps[i], "$+<=>^~|`"); }
bool p_default_punct(const Text& t, size_t i) { return t.is(i, kP) || is_one_of(t.cps[i], "$+<=>^~|"); }

size_t m_run_letters_ds(const Text& t, size_t p, size_t e) { return opt_space_run(t, p, e, p_ds_letter); }
size_t m_run_punct_ds(const Text& t, size_t p, size_t e) { return opt_space_run(t, p, e, p_ds_punct); }
size_t m_run_cjk(const Text& t, size_t p, size_t e) { return run(t, p, e, p_ds_cjk); }
size_t m_run_numbers(const Text& t, size_t p, size_t e) { return run(t, p, e, p_number); }
size_t m_one_number(const Text& t, size_t p, size_t) { return p_number(t, p) ? 1 : 0; }
size_t m_space_letters(const Text& t, size_t p, size_t e) { return opt_space_run(t, p, e, p_letter); }
size_t m_space_punct(const Text& t, size_t p, size_t e) { return opt_space_run(t, p, e, p_punct); }
size_t m_falcon_punct(const Text& t, size_t p, size_t e) { return run(t, p, e, p_falcon_punct); }
size_t m_default_punct(const Text& t, size_t p, size_t e) { return run(t, p, e, p_default_punct); }
// \s+$
size_t m_space_to_end(const Text& t, size_t p, size_t e) {
  const size_t n = run(t, p, e, [](const Text& x, size_t i) { return x.is(i, kWs); });
  return p + n == e ? n : 0;
}
// [0-9][0-9][0-9]
size_t m_three_digits(const Text& t, size_t p, size_t e) {
  return p + 3 <= e && p_ascii_digit(t, p) && p_ascii_digit(t, p + 1) && p_ascii_digit(t, p + 2) ? 3 : 0;
}

using MatchFn = size_t (*)(const Text&, size_t, size_t);

// One step of a pipeline: a custom splitter or a regex.
struct Step {
  enum Kind { kGpt2Step, kLlama3Step, kQwen2Step, kRegexStep } kind;
  MatchFn match;
};

void apply(const Text& t, const Step& step, Pieces* pieces) {
  Pieces out;
  out.reserve(pieces->size() * 2);
  size_t begin = 0;
  for (size_t len : *pieces) {
    const size_t end = begin + len;
    switch (step.kind) {
      case Step::kGpt2Step: split_gpt2(t, begin, end, &out); break;
      case Step::kLlama3Step: split_llama3(t, begin, end, 3, &out); break;
      case Step::kQwen2Step: split_llama3(t, begin, end, 1, &out); break;
      case Step::kRegexStep: split_regex(t, begin, end, step.match, &out); break;
    }
    begin = end;
  }
  pieces->swap(out);
}

constexpr Step kGpt2{Step::kGpt2Step, nullptr};
constexpr Step regex_step(MatchFn f) { return Step{Step::kRegexStep, f}; }

}  // namespace

const PreTokenizerInfo* find_pretokenizer(std::string_view name) {
  if (name.empty()) name = "default";
  for (const PreTokenizerInfo& p : kPreTokenizers) {
    if (name == p.name) return &p;
  }
  return nullptr;
}

std::string supported_pretokenizers() {
  std::string s;
  for (const PreTokenizerInfo& p : kPreTokenizers) {
    if (!s.empty()) s += ", ";
    s += p.name;
  }
  return s;
}

void pretokenize(PreTokenizerKind kind, std::string_view text, std::vector<std::string>* words) {
  words->clear();
  const Text t(text);
  if (t.cps.empty()) return;
  Pieces pieces{t.cps.size()};

  static const Step kDefaultSteps[] = {regex_step(m_default_punct), kGpt2, regex_step(m_run_numbers),
                                       regex_step(m_three_digits)};
  static const Step kGpt2Steps[] = {kGpt2};
  static const Step kLlama3Steps[] = {{Step::kLlama3Step, nullptr}};
  static const Step kQwen2Steps[] = {{Step::kQwen2Step, nullptr}};
  static const Step kDeepseekLlmSteps[] = {regex_step(m_newline),        regex_step(m_run_letters_ds),
                                           regex_step(m_run_punct_ds),   regex_step(m_space_to_end),
                                           regex_step(m_run_cjk),        regex_step(m_run_numbers)};
  static const Step kDeepseekCoderSteps[] = {regex_step(m_newline), regex_step(m_space_letters),
                                             regex_step(m_space_punct), regex_step(m_run_cjk),
                                             regex_step(m_one_number)};
  static const Step kFalconSteps[] = {regex_step(m_falcon_punct), kGpt2, regex_step(m_three_digits)};
  static const Step kStarcoderSteps[] = {regex_step(m_one_number), kGpt2};

  const Step* begin = nullptr;
  const Step* end = nullptr;
  auto use = [&](const auto& steps) {
    begin = std::begin(steps);
    end = std::end(steps);
  };
  switch (kind) {
    case PreTokenizerKind::kDefault: use(kDefaultSteps); break;
    case PreTokenizerKind::kGpt2: use(kGpt2Steps); break;
    case PreTokenizerKind::kLlama3: use(kLlama3Steps); break;
    case PreTokenizerKind::kQwen2: use(kQwen2Steps); break;
    case PreTokenizerKind::kDeepseekLlm: use(kDeepseekLlmSteps); break;
    case PreTokenizerKind::kDeepseekCoder: use(kDeepseekCoderSteps); break;
    case PreTokenizerKind::kFalcon: use(kFalconSteps); break;
    case PreTokenizerKind::kStarcoder: use(kStarcoderSteps); break;
  }
  for (const Step* s = begin; s != end; ++s) apply(t, *s, &pieces);

  words->reserve(pieces.size());
  size_t pos = 0;
  for (size_t len : pieces) {
    std::string w;
    for (size_t i = pos; i < pos + len; ++i) utf8_append(t.cps[i], &w);
    words->push_back(std::move(w));
    pos += len;
  }
}

}  // namespace edgellm

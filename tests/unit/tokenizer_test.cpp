// SentencePiece tokenizer: hand-built vocabularies plus llama.cpp's reference
// vocab tests and the golden prompt tokenizations (when fixtures exist).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/gguf/gguf.h"
#include "runtime/tokenizer/tokenizer.h"
#include "tests/unit/test_util.h"

namespace edgellm {
namespace {

const std::string kSp = "\xe2\x96\x81";  // U+2581

// Ids of the hand-built vocab.
constexpr int32_t kUnk = 0, kBos = 1, kEos = 2;
int32_t byte_id(int b) { return 3 + b; }

struct Piece {
  std::string text;
  float score;
  TokenType type;
};

// <unk>, <s>, </s>, 256 byte tokens, then `pieces`.
Vocab make_vocab(const std::vector<Piece>& pieces, bool with_bytes = true) {
  Vocab v;
  v.model = "llama";
  v.tokens = {"<unk>", "<s>", "</s>"};
  v.scores = {0, 0, 0};
  v.types = {TokenType::kUnknown, TokenType::kControl, TokenType::kControl};
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof(name), "<0x%02X>", b);
    v.tokens.push_back(with_bytes ? name : std::string("<unused") + std::to_string(b) + ">");
    v.scores.push_back(0);
    v.types.push_back(with_bytes ? TokenType::kByte : TokenType::kUnused);
  }
  for (const Piece& p : pieces) {
    v.tokens.push_back(p.text);
    v.scores.push_back(p.score);
    v.types.push_back(p.type);
  }
  v.bos = kBos;
  v.eos = kEos;
  v.unk = kUnk;
  v.add_bos = true;
  v.add_eos = false;
  v.add_space_prefix = true;
  return v;
}

int32_t id_of(const Tokenizer& t, const std::string& text) {
  const auto& toks = t.vocab().tokens;
  for (size_t i = 0; i < toks.size(); ++i) {
    if (toks[i] == text) return static_cast<int32_t>(i);
  }
  ADD_FAILURE() << "no token " << text;
  return -1;
}

std::unique_ptr<Tokenizer> make(Vocab v) {
  std::unique_ptr<Tokenizer> t;
  Status s = Tokenizer::create(std::move(v), &t);
  EXPECT_TRUE(s.ok()) << s.message();
  return t;
}

std::vector<int32_t> enc(const Tokenizer& t, const std::string& text, bool add_special = false,
                         bool parse_special = false) {
  std::vector<int32_t> ids;
  Status s = t.encode(text, add_special, parse_special, &ids);
  EXPECT_TRUE(s.ok()) << s.message();
  return ids;
}

std::string dec(const Tokenizer& t, const std::vector<int32_t>& ids, bool render_special = false,
                bool remove_leading_space = false) {
  std::string out;
  Status s = t.decode(ids, render_special, remove_leading_space, &out);
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

const std::vector<Piece> kMergePieces = {
    {kSp, -10, TokenType::kNormal},     {"a", -5, TokenType::kNormal},
    {"b", -5, TokenType::kNormal},      {"c", -5, TokenType::kNormal},
    {kSp + "a", -1, TokenType::kNormal}, {"ab", -2, TokenType::kNormal},
    {"bc", -0.5f, TokenType::kNormal},  {"abc", -3, TokenType::kNormal},
};

TEST(SpmTokenizer, MergesHighestScoreFirst) {
  auto t = make(make_vocab(kMergePieces));
  // ▁ a b c: "bc" (-0.5) beats "▁a" (-1) and "ab" (-2); then "▁a" (-1) beats "abc" (-3).
  EXPECT_EQ(enc(*t, "abc"), (std::vector<int32_t>{id_of(*t, kSp + "a"), id_of(*t, "bc")}));

  // Raise "ab" above everything: ▁ ab c -> "abc"? no: ▁ + ab first gives no "▁ab"
  // piece, so "abc" (from ab + c) wins over nothing else.
  auto pieces = kMergePieces;
  pieces[5].score = 0;  // "ab"
  auto t2 = make(make_vocab(pieces));
  EXPECT_EQ(enc(*t2, "abc"), (std::vector<int32_t>{id_of(*t2, kSp), id_of(*t2, "abc")}));
}

TEST(SpmTokenizer, TiesGoLeftmost) {
  Vocab v = make_vocab({{"a", -5, TokenType::kNormal}, {"aa", -1, TokenType::kNormal}});
  v.add_space_prefix = false;
  auto t = make(std::move(v));
  const int32_t a = id_of(*t, "a"), aa = id_of(*t, "aa");
  EXPECT_EQ(enc(*t, "aaa"), (std::vector<int32_t>{aa, a}));
  EXPECT_EQ(enc(*t, "aaaaa"), (std::vector<int32_t>{aa, aa, a}));
}

TEST(SpmTokenizer, SpacesEscapedAndPrefixed) {
  auto t = make(make_vocab(kMergePieces));
  const int32_t sp = id_of(*t, kSp), spa = id_of(*t, kSp + "a");
  EXPECT_EQ(enc(*t, "a a"), (std::vector<int32_t>{spa, spa}));
  EXPECT_EQ(enc(*t, " a"), (std::vector<int32_t>{sp, spa}));
  // Other whitespace is not escaped: '\n' falls back to its byte token.
  EXPECT_EQ(enc(*t, "a\n"), (std::vector<int32_t>{spa, byte_id('\n')}));

  Vocab v = make_vocab(kMergePieces);
  v.add_space_prefix = false;
  auto t2 = make(std::move(v));
  EXPECT_EQ(enc(*t2, "a"), (std::vector<int32_t>{id_of(*t2, "a")}));
}

TEST(SpmTokenizer, ByteFallbackAndUnknown) {
  auto t = make(make_vocab(kMergePieces));
  // "é" = C3 A9 is not a piece: one byte token per UTF-8 byte.
  EXPECT_EQ(enc(*t, "\xc3\xa9"),
            (std::vector<int32_t>{id_of(*t, kSp), byte_id(0xC3), byte_id(0xA9)}));
  // A 4-byte emoji.
  EXPECT_EQ(enc(*t, "a\xf0\x9f\xa6\x99"),
            (std::vector<int32_t>{id_of(*t, kSp + "a"), byte_id(0xF0), byte_id(0x9F),
                                  byte_id(0xA6), byte_id(0x99)}));
  // Without byte tokens the bytes become <unk>.
  auto t2 = make(make_vocab(kMergePieces, /*with_bytes=*/false));
  EXPECT_EQ(enc(*t2, "\xc3\xa9"), (std::vector<int32_t>{id_of(*t2, kSp), kUnk, kUnk}));
}

TEST(SpmTokenizer, BosEosAndEmpty) {
  Vocab v = make_vocab(kMergePieces);
  auto t = make(v);
  const int32_t spa = id_of(*t, kSp + "a");
  EXPECT_EQ(enc(*t, "a", true), (std::vector<int32_t>{kBos, spa}));
  EXPECT_EQ(enc(*t, "", true), (std::vector<int32_t>{kBos}));
  EXPECT_TRUE(enc(*t, "", false).empty());
  v.add_eos = true;
  auto t2 = make(v);
  EXPECT_EQ(enc(*t2, "a", true), (std::vector<int32_t>{kBos, spa, kEos}));
  v.add_bos = false;
  auto t3 = make(v);
  EXPECT_EQ(enc(*t3, "a", true), (std::vector<int32_t>{spa, kEos}));
}

TEST(SpmTokenizer, ParseSpecial) {
  auto pieces = kMergePieces;
  pieces.push_back({"<|user|>", 0, TokenType::kUserDefined});
  auto t = make(make_vocab(pieces));
  const int32_t spa = id_of(*t, kSp + "a"), user = id_of(*t, "<|user|>");
  // Control text is matched only with parse_special; a space prefix follows it.
  EXPECT_EQ(enc(*t, "a</s>a", false, true), (std::vector<int32_t>{spa, kEos, spa}));
  EXPECT_EQ(enc(*t, "</s>a", false, true), (std::vector<int32_t>{kEos, spa}));
  auto raw = enc(*t, "a</s>", false, false);
  ASSERT_EQ(raw.size(), 5u);
  EXPECT_EQ(raw[1], byte_id('<'));
  // User-defined tokens are split out even without parse_special (llama.cpp).
  EXPECT_EQ(enc(*t, "a<|user|>a", false, false), (std::vector<int32_t>{spa, user, spa}));
}

TEST(SpmTokenizer, DecodeAndPieces) {
  auto t = make(make_vocab(kMergePieces));
  const int32_t spa = id_of(*t, kSp + "a"), bc = id_of(*t, "bc");
  EXPECT_EQ(dec(*t, {spa, bc}), " abc");
  EXPECT_EQ(dec(*t, {spa, bc}, false, true), "abc");
  EXPECT_EQ(dec(*t, {byte_id(0xC3), byte_id(0xA9)}), "\xc3\xa9");
  EXPECT_EQ(dec(*t, {kBos, spa}, false, false), " a");
  EXPECT_EQ(dec(*t, {kBos, spa}, true, false), "<s> a");
  EXPECT_EQ(dec(*t, {kUnk}, false, false), "");
  EXPECT_EQ(dec(*t, {kUnk}, true, false), "<unk>");
  // Round trip.
  const std::string text = "ab cab \xc3\xa9t\xc3\xa9 bca";
  EXPECT_EQ(dec(*t, enc(*t, text, true), false, true), " " + text)
      << "(BOS comes first, so the leading space of the first piece stays)";
  EXPECT_EQ(dec(*t, enc(*t, text, false), false, true), text);

  char buf[4];
  EXPECT_EQ(t->token_to_piece(spa, buf, 4, false), 2);
  EXPECT_EQ(std::string(buf, 2), " a");
  EXPECT_EQ(t->token_to_piece(spa, buf, 1, false), -2);
  EXPECT_EQ(t->token_to_piece(kBos, buf, 4, false), 0);
  EXPECT_EQ(t->token_to_piece(kBos, buf, 1, true), -3);

  std::string out;
  EXPECT_EQ(t->decode({999999}, false, false, &out).code(), StatusCode::kInvalidArgument);
}

TEST(SpmTokenizer, CreateRejects) {
  std::unique_ptr<Tokenizer> t;
  Vocab v = make_vocab(kMergePieces);
  v.model = "bert";
  Status s = Tokenizer::create(v, &t);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("tokenizer model 'bert' is not supported (supported: llama, gpt2)"),
            std::string::npos) << s.message();
  v = make_vocab(kMergePieces);
  v.scores.pop_back();
  EXPECT_EQ(Tokenizer::create(v, &t).code(), StatusCode::kInvalidArgument);
  v = make_vocab(kMergePieces);
  v.bos = 100000;
  EXPECT_EQ(Tokenizer::create(v, &t).code(), StatusCode::kInvalidArgument);
}

// --- vocab_from_gguf ---------------------------------------------------------

std::vector<std::string> small_tokens() { return {"<unk>", "<s>", "</s>", kSp + "a", "a"}; }

Status vocab_from_writer(const gguf::Writer& w, std::vector<uint8_t>* bytes, Vocab* v) {
  *bytes = w.to_bytes();
  std::unique_ptr<gguf::File> f;
  EDGELLM_TRY(gguf::File::parse_memory(bytes->data(), bytes->size(), "mem.gguf", &f));
  return vocab_from_gguf(*f, v);
}

TEST(VocabFromGguf, ReadsKeysAndDefaults) {
  gguf::Writer w;
  w.add_string("tokenizer.ggml.model", "llama");
  w.add_array_string("tokenizer.ggml.tokens", small_tokens());
  w.add_array_f32("tokenizer.ggml.scores", {0, 0, 0, -1, -2});
  w.add_array_i32("tokenizer.ggml.token_type", {2, 3, 3, 1, 1});
  std::vector<uint8_t> bytes;
  Vocab v;
  Status s = vocab_from_writer(w, &bytes, &v);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(v.model, "llama");
  EXPECT_EQ(v.tokens, small_tokens());
  EXPECT_EQ(v.scores[4], -2.0f);
  EXPECT_EQ(v.types[1], TokenType::kControl);
  EXPECT_EQ(v.bos, 1);
  EXPECT_EQ(v.eos, 2);
  EXPECT_EQ(v.unk, 0);
  EXPECT_EQ(v.pad, -1);
  EXPECT_TRUE(v.add_bos);
  EXPECT_FALSE(v.add_eos);
  EXPECT_TRUE(v.add_space_prefix);

  gguf::Writer w2;
  w2.add_string("tokenizer.ggml.model", "llama");
  w2.add_array_string("tokenizer.ggml.tokens", small_tokens());
  w2.add_u32("tokenizer.ggml.bos_token_id", 2);
  w2.add_u32("tokenizer.ggml.eos_token_id", 1);
  w2.add_bool("tokenizer.ggml.add_bos_token", false);
  w2.add_bool("tokenizer.ggml.add_eos_token", true);
  w2.add_bool("tokenizer.ggml.add_space_prefix", false);
  s = vocab_from_writer(w2, &bytes, &v);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(v.bos, 2);
  EXPECT_EQ(v.eos, 1);
  EXPECT_FALSE(v.add_bos);
  EXPECT_TRUE(v.add_eos);
  EXPECT_FALSE(v.add_space_prefix);
  EXPECT_TRUE(v.scores.empty());
  EXPECT_EQ(v.types, std::vector<TokenType>(5, TokenType::kNormal));

  std::unique_ptr<Tokenizer> t;
  EXPECT_TRUE(Tokenizer::create(v, &t).ok());
}

TEST(VocabFromGguf, Errors) {
  std::vector<uint8_t> bytes;
  Vocab v;
  // A BPE vocabulary of empty tokens used to load and drop every input.
  {
    gguf::Writer w;
    w.add_string("tokenizer.ggml.model", "gpt2");
    w.add_array_string("tokenizer.ggml.tokens", {"", "", ""});
    w.add_array_string("tokenizer.ggml.merges", {});
    Status s = vocab_from_writer(w, &bytes, &v);
    EXPECT_EQ(s.code(), StatusCode::kFormat);
    EXPECT_NE(s.message().find("tokenizer.ggml.tokens[0] is an empty normal token"), std::string::npos)
        << s.message();
  }
  {
    gguf::Writer w;
    w.add_string("tokenizer.ggml.model", "llama");
    w.add_array_string("tokenizer.ggml.tokens", small_tokens());
    w.add_array_f32("tokenizer.ggml.scores", {0, 0});
    Status s = vocab_from_writer(w, &bytes, &v);
    EXPECT_EQ(s.code(), StatusCode::kFormat);
    EXPECT_NE(s.message().find("tokenizer.ggml.scores"), std::string::npos) << s.message();
  }
  {
    gguf::Writer w;
    w.add_string("tokenizer.ggml.model", "llama");
    w.add_array_string("tokenizer.ggml.tokens", small_tokens());
    w.add_array_i32("tokenizer.ggml.token_type", {1, 1, 1, 1, 1, 1});
    Status s = vocab_from_writer(w, &bytes, &v);
    EXPECT_EQ(s.code(), StatusCode::kFormat);
    EXPECT_NE(s.message().find("tokenizer.ggml.token_type"), std::string::npos) << s.message();
  }
  {
    gguf::Writer w;
    w.add_string("tokenizer.ggml.model", "llama");
    w.add_array_string("tokenizer.ggml.tokens", small_tokens());
    w.add_u32("tokenizer.ggml.eos_token_id", 5);
    Status s = vocab_from_writer(w, &bytes, &v);
    EXPECT_EQ(s.code(), StatusCode::kFormat);
    EXPECT_NE(s.message().find("tokenizer.ggml.eos_token_id"), std::string::npos) << s.message();
  }
  {
    gguf::Writer w;
    w.add_array_string("tokenizer.ggml.tokens", small_tokens());
    Status s = vocab_from_writer(w, &bytes, &v);
    EXPECT_EQ(s.code(), StatusCode::kFormat);
    EXPECT_NE(s.message().find("tokenizer.ggml.model"), std::string::npos) << s.message();
  }
  {
    gguf::Writer w;
    w.add_string("tokenizer.ggml.model", "llama");
    w.add_array_f32("tokenizer.ggml.tokens", {1, 2});
    Status s = vocab_from_writer(w, &bytes, &v);
    EXPECT_EQ(s.code(), StatusCode::kFormat);
    EXPECT_NE(s.message().find("tokenizer.ggml.tokens"), std::string::npos) << s.message();
  }
  {
    gguf::Writer w;
    w.add_string("tokenizer.ggml.model", "bert");
    w.add_array_string("tokenizer.ggml.tokens", small_tokens());
    bytes = w.to_bytes();
    std::unique_ptr<gguf::File> f;
    ASSERT_TRUE(gguf::File::parse_memory(bytes.data(), bytes.size(), "mem.gguf", &f).ok());
    std::unique_ptr<Tokenizer> t;
    Status s = Tokenizer::from_gguf(*f, &t);
    EXPECT_EQ(s.code(), StatusCode::kUnsupported);
    EXPECT_NE(s.message().find("'bert'"), std::string::npos) << s.message();
  }
}

// --- fixtures ----------------------------------------------------------------

std::string fixtures_or_skip_message() {
  std::string dir = fixtures_dir();
  if (dir.empty()) {
    std::fprintf(stderr,
                 "\n*** FIXTURES MISSING: skipped (set EDGELLM_FIXTURES or provide "
                 "../shared/fixtures) ***\n\n");
  }
  return dir;
}

bool read_file(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path,
                                          std::unique_ptr<gguf::File>* file) {
  Status s = gguf::File::open(path, file);
  EXPECT_TRUE(s.ok()) << path << ": " << s.message();
  if (!s.ok()) return nullptr;
  std::unique_ptr<Tokenizer> t;
  s = Tokenizer::from_gguf(**file, &t);
  EXPECT_TRUE(s.ok()) << path << ": " << s.message();
  return t;
}

// Runs llama.cpp's test-tokenizer-0 data for one vocab; returns #cases passed.
void run_vocab_test(const std::string& name, int* passed, int* total) {
  const std::string base = fixtures_dir() + "/vocab/ggml-vocab-" + name + ".gguf";
  std::string inp, outp;
  ASSERT_TRUE(read_file(base + ".inp", &inp)) << base << ".inp";
  ASSERT_TRUE(read_file(base + ".out", &outp)) << base << ".out";
  std::unique_ptr<gguf::File> file;
  auto t = load_tokenizer(base, &file);
  ASSERT_NE(t, nullptr);

  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> texts;
  for (size_t pos = 0;;) {
    size_t m = inp.find(sep, pos);
    if (m == std::string::npos) {
      EXPECT_EQ(pos, inp.size()) << "trailing text after the last separator";
      break;
    }
    texts.push_back(inp.substr(pos, m - pos));
    pos = m + sep.size();
  }
  std::vector<std::vector<int32_t>> expected;
  std::istringstream lines(outp);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream ids(line);
    std::vector<int32_t> v;
    for (int32_t id; ids >> id;) v.push_back(id);
    expected.push_back(v);
  }
  ASSERT_EQ(texts.size(), expected.size());
  *total = static_cast<int>(texts.size());
  *passed = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    std::vector<int32_t> got;
    Status s = t->encode(texts[i], false, false, &got);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(got, expected[i]) << name << " case " << i << ": '" << texts[i] << "'";
    if (got == expected[i]) ++*passed;
  }
}

TEST(SpmTokenizerFixtures, LlamaSpmVocab) {
  if (fixtures_or_skip_message().empty()) GTEST_SKIP() << "FIXTURES MISSING: skipped";
  int passed = 0, total = 0;
  run_vocab_test("llama-spm", &passed, &total);
  std::printf("llama-spm vocab: %d/%d cases match llama.cpp\n", passed, total);
  EXPECT_GT(total, 0);
}

TEST(SpmTokenizerFixtures, Phi3Vocab) {
  if (fixtures_or_skip_message().empty()) GTEST_SKIP() << "FIXTURES MISSING: skipped";
  int passed = 0, total = 0;
  run_vocab_test("phi-3", &passed, &total);
  std::printf("phi-3 vocab: %d/%d cases match llama.cpp\n", passed, total);
  EXPECT_GT(total, 0);
}

// Round trip on the reference vocab: SentencePiece with byte fallback is
// lossless apart from the space prefix.
TEST(SpmTokenizerFixtures, LlamaSpmRoundTrip) {
  if (fixtures_or_skip_message().empty()) GTEST_SKIP() << "FIXTURES MISSING: skipped";
  const std::string base = fixtures_dir() + "/vocab/ggml-vocab-llama-spm.gguf";
  std::unique_ptr<gguf::File> file;
  auto t = load_tokenizer(base, &file);
  ASSERT_NE(t, nullptr);
  std::string inp;
  ASSERT_TRUE(read_file(base + ".inp", &inp));
  const std::string sep = "\n__ggml_vocab_test__\n";
  for (size_t pos = 0, m; (m = inp.find(sep, pos)) != std::string::npos; pos = m + sep.size()) {
    const std::string text = inp.substr(pos, m - pos);
    EXPECT_EQ(dec(*t, enc(*t, text), false, true), text);
    EXPECT_EQ(dec(*t, enc(*t, text, true), false, false), text.empty() ? "" : " " + text);
  }
}

// Minimal JSON reader for the golden files (objects, arrays, strings, numbers,
// literals). Returns false on malformed input.
struct Json {
  enum Kind { kNull, kBool, kNum, kStr, kArr, kObj } kind = kNull;
  double num = 0;
  std::string str;
  std::vector<Json> arr;
  std::vector<std::string> keys;  // object: keys[i] -> vals[i]
  std::vector<Json> vals;
  const Json* get(const std::string& k) const {
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == k) return &vals[i];
    }
    return nullptr;
  }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& s) : s_(s) {}
  bool parse(Json* out) {
    if (!value(out)) return false;
    ws();
    return i_ == s_.size();
  }

 private:
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) ++i_;
  }
  static void put_utf8(uint32_t c, std::string* o) {
    if (c < 0x80) {
      o->push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      o->push_back(static_cast<char>(0xC0 | (c >> 6)));
      o->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      o->push_back(static_cast<char>(0xE0 | (c >> 12)));
      o->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      o->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      o->push_back(static_cast<char>(0xF0 | (c >> 18)));
      o->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      o->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      o->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  bool hex4(uint32_t* v) {
    if (i_ + 4 > s_.size()) return false;
    *v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[i_++];
      *v <<= 4;
      if (c >= '0' && c <= '9') *v |= c - '0';
      else if (c >= 'a' && c <= 'f') *v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') *v |= c - 'A' + 10;
      else return false;
    }
    return true;
  }
  bool string(std::string* o) {
    if (s_[i_] != '"') return false;
    ++i_;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return true;
      if (c != '\\') {
        o->push_back(c);
        continue;
      }
      if (i_ >= s_.size()) return false;
      char e = s_[i_++];
      switch (e) {
        case 'n': o->push_back('\n'); break;
        case 't': o->push_back('\t'); break;
        case 'r': o->push_back('\r'); break;
        case 'b': o->push_back('\b'); break;
        case 'f': o->push_back('\f'); break;
        case 'u': {
          uint32_t cp;
          if (!hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && i_ + 1 < s_.size() && s_[i_] == '\\' && s_[i_ + 1] == 'u') {
            i_ += 2;
            uint32_t lo;
            if (!hex4(&lo)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          put_utf8(cp, o);
          break;
        }
        default: o->push_back(e);
      }
    }
    return false;
  }
  bool value(Json* out) {
    ws();
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '{') {
      out->kind = Json::kObj;
      ++i_;
      ws();
      if (i_ < s_.size() && s_[i_] == '}') return ++i_, true;
      for (;;) {
        ws();
        std::string k;
        if (i_ >= s_.size() || !string(&k)) return false;
        ws();
        if (i_ >= s_.size() || s_[i_++] != ':') return false;
        Json v;
        if (!value(&v)) return false;
        out->keys.push_back(std::move(k));
        out->vals.push_back(std::move(v));
        ws();
        if (i_ >= s_.size()) return false;
        if (s_[i_] == ',') { ++i_; continue; }
        if (s_[i_] == '}') return ++i_, true;
        return false;
      }
    }
    if (c == '[') {
      out->kind = Json::kArr;
      ++i_;
      ws();
      if (i_ < s_.size() && s_[i_] == ']') return ++i_, true;
      for (;;) {
        Json v;
        if (!value(&v)) return false;
        out->arr.push_back(std::move(v));
        ws();
        if (i_ >= s_.size()) return false;
        if (s_[i_] == ',') { ++i_; continue; }
        if (s_[i_] == ']') return ++i_, true;
        return false;
      }
    }
    if (c == '"') {
      out->kind = Json::kStr;
      return string(&out->str);
    }
    for (const char* lit : {"true", "false", "null"}) {
      if (s_.compare(i_, std::strlen(lit), lit) == 0) {
        i_ += std::strlen(lit);
        out->kind = lit[0] == 'n' ? Json::kNull : Json::kBool;
        out->num = lit[0] == 't';
        return true;
      }
    }
    size_t start = i_;
    while (i_ < s_.size() && std::strchr("+-0123456789.eE", s_[i_]) != nullptr) ++i_;
    if (i_ == start) return false;
    out->kind = Json::kNum;
    out->num = std::strtod(s_.substr(start, i_ - start).c_str(), nullptr);
    return true;
  }
  const std::string& s_;
  size_t i_ = 0;
};

TEST(SpmTokenizerFixtures, GoldenPromptTokens) {
  if (fixtures_or_skip_message().empty()) GTEST_SKIP() << "FIXTURES MISSING: skipped";
  int passed = 0, total = 0;
  for (const char* stem : {"llama-f32", "stories260K-f32", "gemma2-f32", "gemma3-f32", "phi3-f32"}) {
    SCOPED_TRACE(stem);
    std::string text;
    ASSERT_TRUE(read_file(fixtures_dir() + "/golden/" + stem + ".json", &text));
    Json root;
    ASSERT_TRUE(JsonParser(text).parse(&root));
    const Json* model = root.get("model");
    const Json* cases = root.get("cases");
    ASSERT_TRUE(model && cases && cases->kind == Json::kArr);
    std::unique_ptr<gguf::File> file;
    auto t = load_tokenizer(fixtures_dir() + "/" + model->str, &file);
    ASSERT_NE(t, nullptr);
    for (size_t i = 0; i < cases->arr.size(); ++i) {
      const Json& c = cases->arr[i];
      const Json* prompt = c.get("prompt");
      const Json* tokens = c.get("tokens");
      ASSERT_TRUE(prompt && tokens);
      std::vector<int32_t> want;
      for (const Json& id : tokens->arr) want.push_back(static_cast<int32_t>(id.num));
      std::vector<int32_t> got;
      Status s = t->encode(prompt->str, true, false, &got);
      ASSERT_TRUE(s.ok()) << s.message();
      EXPECT_EQ(got, want) << stem << " case " << i;
      ++total;
      if (got == want) ++passed;
    }
  }
  std::printf("golden prompt tokenization: %d/%d cases match llama.cpp\n", passed, total);
}

}  // namespace
}  // namespace edgellm

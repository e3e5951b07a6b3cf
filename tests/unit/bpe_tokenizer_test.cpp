// Byte-level BPE tokenizer and its pre-tokenizers: hand-built vocabularies,
// llama.cpp's reference vocab tests (every BPE .inp/.out pair in
// fixtures/vocab) and the golden prompt tokenizations of the BPE models.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/gguf/gguf.h"
#include "runtime/tokenizer/bpe_tokenizer.h"
#include "runtime/tokenizer/pretokenize.h"
#include "runtime/tokenizer/tokenizer.h"
#include "runtime/tokenizer/unicode.h"
#include "runtime/tokenizer/utf8_stream.h"
#include "tests/unit/test_util.h"

namespace edgellm {
namespace {

using Words = std::vector<std::string>;
using Ids = std::vector<int32_t>;

Words split(PreTokenizerKind kind, const std::string& text) {
  Words w;
  pretokenize(kind, text, &w);
  return w;
}

// --- Unicode helpers -----------------------------------------------------------

TEST(Unicode, Classes) {
  EXPECT_EQ(unicode_class('a'), UnicodeClass::kLetter);
  EXPECT_EQ(unicode_class('Z'), UnicodeClass::kLetter);
  EXPECT_EQ(unicode_class('7'), UnicodeClass::kNumber);
  EXPECT_EQ(unicode_class('!'), UnicodeClass::kPunctuation);
  EXPECT_EQ(unicode_class('$'), UnicodeClass::kSymbol);
  EXPECT_EQ(unicode_class(' '), UnicodeClass::kSeparator);
  EXPECT_EQ(unicode_class('\n'), UnicodeClass::kOther);
  EXPECT_EQ(unicode_class(0xE9), UnicodeClass::kLetter);     // é
  EXPECT_EQ(unicode_class(0xB2), UnicodeClass::kNumber);     // ²
  EXPECT_EQ(unicode_class(0x301), UnicodeClass::kMark);      // combining acute
  EXPECT_EQ(unicode_class(0x6771), UnicodeClass::kLetter);   // 東
  EXPECT_EQ(unicode_class(0x20AC), UnicodeClass::kSymbol);   // €
  EXPECT_EQ(unicode_class(0x2014), UnicodeClass::kPunctuation);  // —
  EXPECT_EQ(unicode_class(0x1F999), UnicodeClass::kSymbol);  // 🦙
  EXPECT_EQ(unicode_class(0x0378), UnicodeClass::kOther);    // unassigned
  EXPECT_EQ(unicode_class(0x10FFFF), UnicodeClass::kOther);
  EXPECT_EQ(unicode_class(0x110000), UnicodeClass::kOther);

  for (uint32_t c : {0x09u, 0x0Au, 0x0Bu, 0x0Cu, 0x0Du, 0x20u, 0x85u, 0xA0u, 0x2003u, 0x3000u}) {
    EXPECT_TRUE(unicode_is_whitespace(c)) << c;
  }
  for (uint32_t c : {0x1Cu, 0x1Fu, 0x41u, 0x200Bu, 0xFEFFu}) {
    EXPECT_FALSE(unicode_is_whitespace(c)) << c;
  }
}

TEST(Unicode, Utf8DecodeLikeLlamaCpp) {
  EXPECT_EQ(utf8_to_codepoints("a\xc3\xa9\xe6\x9d\xb1\xf0\x9f\xa6\x99"),
            (std::vector<uint32_t>{'a', 0xE9, 0x6771, 0x1F999}));
  // A stray continuation byte, a truncated sequence and a bad lead byte each
  // become one U+FFFD and consume one byte.
  EXPECT_EQ(utf8_to_codepoints("\x80" "a"), (std::vector<uint32_t>{0xFFFD, 'a'}));
  EXPECT_EQ(utf8_to_codepoints("\xe6\x9d"), (std::vector<uint32_t>{0xFFFD, 0xFFFD}));
  EXPECT_EQ(utf8_to_codepoints("\xff"), (std::vector<uint32_t>{0xFFFD}));
  std::string s;
  for (uint32_t c : {0x41u, 0xE9u, 0x6771u, 0x1F999u}) utf8_append(c, &s);
  EXPECT_EQ(s, "A\xc3\xa9\xe6\x9d\xb1\xf0\x9f\xa6\x99");
}

TEST(Unicode, StreamingAssembler) {
  EXPECT_EQ(utf8_complete_prefix("abc"), 3u);
  EXPECT_EQ(utf8_complete_prefix("ab\xe6"), 2u);
  EXPECT_EQ(utf8_complete_prefix("ab\xe6\x9d"), 2u);
  EXPECT_EQ(utf8_complete_prefix("ab\xe6\x9d\xb1"), 5u);
  EXPECT_EQ(utf8_complete_prefix("\xf0\x9f\xa6"), 0u);
  EXPECT_EQ(utf8_complete_prefix("a\x80"), 2u);  // invalid: passed through

  Utf8Assembler a;
  std::string out;
  // 🦙 arriving one byte per token, then ASCII.
  for (const char* piece : {"x", "\xf0", "\x9f", "\xa6", "\x99", "y"}) {
    const std::string_view done = a.push(piece);
    EXPECT_EQ(utf8_complete_prefix(done), done.size());
    out.append(done);
  }
  EXPECT_EQ(out, "x\xf0\x9f\xa6\x99y");
  EXPECT_EQ(a.pending(), 0u);
  EXPECT_EQ(a.push("\xc3"), "");
  EXPECT_EQ(a.flush(), "\xc3");
  EXPECT_EQ(a.pending(), 0u);
}

TEST(Gpt2ByteMap, IsABijection) {
  std::vector<bool> seen(512, false);
  for (int b = 0; b < 256; ++b) {
    const uint32_t cp = gpt2_byte_to_codepoint(static_cast<uint8_t>(b));
    ASSERT_LT(cp, 512u);
    EXPECT_FALSE(seen[cp]);
    seen[cp] = true;
    EXPECT_EQ(gpt2_codepoint_to_byte(cp), b);
  }
  EXPECT_EQ(gpt2_byte_to_codepoint(' '), 0x120u);   // Ġ
  EXPECT_EQ(gpt2_byte_to_codepoint('\n'), 0x10Au);  // Ċ
  EXPECT_EQ(gpt2_byte_to_codepoint('a'), uint32_t{'a'});
  EXPECT_EQ(gpt2_codepoint_to_byte(0x3000), -1);
}

// --- pre-tokenizers ------------------------------------------------------------

TEST(PreTokenize, Gpt2) {
  EXPECT_EQ(split(PreTokenizerKind::kGpt2, "Hello world's 123  x\n"),
            (Words{"Hello", " world", "'s", " 123", " ", " x", "\n"}));
  // Contractions are case-sensitive; punctuation runs keep one leading space.
  EXPECT_EQ(split(PreTokenizerKind::kGpt2, "DON'T stop!!! ok"),
            (Words{"DON", "'", "T", " stop", "!!!", " ok"}));
  EXPECT_EQ(split(PreTokenizerKind::kGpt2, "  \t"), (Words{"  \t"}));
  EXPECT_TRUE(split(PreTokenizerKind::kGpt2, "").empty());
}

TEST(PreTokenize, Llama3AndQwen2) {
  EXPECT_EQ(split(PreTokenizerKind::kLlama3, "12345 abc"), (Words{"123", "45", " abc"}));
  EXPECT_EQ(split(PreTokenizerKind::kQwen2, "12345 abc"),
            (Words{"1", "2", "3", "4", "5", " abc"}));
  // Case-insensitive contractions; newlines gather with preceding spaces.
  EXPECT_EQ(split(PreTokenizerKind::kLlama3, "DON'T\n\n  go"), (Words{"DON", "'T", "\n\n", " ", " go"}));
  EXPECT_EQ(split(PreTokenizerKind::kLlama3, "a \n b"), (Words{"a", " \n", " b"}));
  // A non-letter glues to the following word; punctuation takes trailing newlines.
  EXPECT_EQ(split(PreTokenizerKind::kLlama3, "(hi)!\n\nx"), (Words{"(hi", ")!\n\n", "x"}));
  EXPECT_EQ(split(PreTokenizerKind::kQwen2, "caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac"),
            (Words{"caf\xc3\xa9", " \xe6\x9d\xb1\xe4\xba\xac"}));
}

TEST(PreTokenize, SequencedRegexes) {
  // starcoder: every digit alone, then GPT-2.
  EXPECT_EQ(split(PreTokenizerKind::kStarcoder, "x 2024"), (Words{"x", " ", "2", "0", "2", "4"}));
  // falcon: punctuation runs first, GPT-2, then 3-digit groups.
  EXPECT_EQ(split(PreTokenizerKind::kFalcon, "a+b 12345"), (Words{"a", "+", "b", " ", "123", "45"}));
  EXPECT_EQ(split(PreTokenizerKind::kFalcon, "1234567"), (Words{"123", "456", "7"}));
  // deepseek-coder: newlines alone, letters with one leading space, digits alone.
  EXPECT_EQ(split(PreTokenizerKind::kDeepseekCoder, "ab\n\ncd 12"),
            (Words{"ab", "\n", "\n", "cd", " ", "1", "2"}));
  // deepseek-llm: trailing whitespace of a piece is its own word.
  EXPECT_EQ(split(PreTokenizerKind::kDeepseekLlm, "Hi there  "), (Words{"Hi", " there", "  "}));
}

TEST(PreTokenize, Names) {
  ASSERT_NE(find_pretokenizer("qwen2"), nullptr);
  EXPECT_EQ(find_pretokenizer("qwen2")->kind, PreTokenizerKind::kQwen2);
  ASSERT_NE(find_pretokenizer("lfm2"), nullptr);
  EXPECT_TRUE(find_pretokenizer("lfm2")->ignore_merges);
  EXPECT_TRUE(find_pretokenizer("lfm2")->add_bos);
  ASSERT_NE(find_pretokenizer(""), nullptr);
  EXPECT_EQ(find_pretokenizer("")->kind, PreTokenizerKind::kDefault);
  EXPECT_EQ(find_pretokenizer("no-such-pre"), nullptr);
  const std::string all = supported_pretokenizers();
  for (const char* n : {"gpt-2", "qwen2", "llama3", "lfm2", "deepseek-llm", "deepseek-coder", "falcon",
                        "mpt", "starcoder", "refact", "default"}) {
    EXPECT_NE(all.find(n), std::string::npos) << n;
  }
}

// --- hand-built vocabularies ---------------------------------------------------

const std::string kG = "\xc4\xa0";  // Ġ (space)

// Single-byte tokens for a few letters, space and newline, then merges.
Vocab make_bpe(const std::vector<std::string>& merges, const std::string& pre = "gpt-2") {
  Vocab v;
  v.model = "gpt2";
  v.pre = pre;
  v.tokens = {"<|endoftext|>", "a", "b", "c", kG, "\xc4\x8a", "!", "ab", "bc", "abc", kG + "a",
              "<|user|>", "\xc3\x83", "\xc2\xa9"};
  v.types.assign(v.tokens.size(), TokenType::kNormal);
  v.types[0] = TokenType::kControl;
  v.types[11] = TokenType::kUserDefined;
  v.merges = merges;
  v.bos = v.eos = 0;
  return v;
}

std::unique_ptr<Tokenizer> make(Vocab v) {
  std::unique_ptr<Tokenizer> t;
  Status s = Tokenizer::create(std::move(v), &t);
  EXPECT_TRUE(s.ok()) << s.message();
  return t;
}

Ids enc(const Tokenizer& t, const std::string& text, bool add_special = false,
        bool parse_special = false) {
  Ids ids;
  Status s = t.encode(text, add_special, parse_special, &ids);
  EXPECT_TRUE(s.ok()) << s.message();
  return ids;
}

std::string dec(const Tokenizer& t, const Ids& ids, bool render_special = false) {
  std::string out;
  Status s = t.decode(ids, render_special, false, &out);
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

TEST(BpeTokenizer, MergesByRank) {
  // "b c" first: a + bc -> abc.
  auto t = make(make_bpe({"b c", "a b", "a bc", "ab c"}));
  EXPECT_EQ(enc(*t, "abc"), (Ids{9}));
  // Only "a b" and "b c": the lower rank wins, the leftover stays.
  auto t2 = make(make_bpe({"a b", "b c"}));
  EXPECT_EQ(enc(*t2, "abc"), (Ids{7, 3}));
  auto t3 = make(make_bpe({"b c", "a b"}));
  EXPECT_EQ(enc(*t3, "abc"), (Ids{1, 8}));
  // Equal pairs: leftmost first ("abab" -> ab ab).
  EXPECT_EQ(enc(*t2, "abab"), (Ids{7, 7}));
  // Words are merged separately: " a" is one word.
  auto t4 = make(make_bpe({"Ġ a", "a b"}));
  EXPECT_EQ(enc(*t4, "ab ab"), (Ids{7, 10, 2}));
}

TEST(BpeTokenizer, IgnoreMerges) {
  // With ignore_merges (LLaMA 3 family) a word that is a token is taken whole
  // even when no merge path builds it.
  auto plain = make(make_bpe({"a b"}, "llama3"));
  EXPECT_EQ(enc(*plain, "abc"), (Ids{9}));
  auto gpt2 = make(make_bpe({"a b"}, "gpt-2"));
  EXPECT_EQ(enc(*gpt2, "abc"), (Ids{7, 3}));
}

TEST(BpeTokenizer, BytesAndDecoding) {
  auto t = make(make_bpe({}));
  // "é" = C3 A9 -> the byte characters Ã and ©, one token each.
  const Ids ids = enc(*t, "\xc3\xa9");
  EXPECT_EQ(ids, (Ids{12, 13}));
  // Each piece is one raw byte: a streamed character spans two tokens.
  char buf[8];
  EXPECT_EQ(t->token_to_piece(12, buf, 8, false), 1);
  EXPECT_EQ(static_cast<uint8_t>(buf[0]), 0xC3);
  EXPECT_EQ(dec(*t, ids), "\xc3\xa9");
  EXPECT_EQ(dec(*t, enc(*t, "a b\nc!")), "a b\nc!");
  EXPECT_EQ(t->token_to_piece(4, buf, 8, false), 1);
  EXPECT_EQ(buf[0], ' ');
  EXPECT_EQ(t->token_to_piece(4, buf, 0, false), -1);
  // Bytes with no token are dropped, as in llama.cpp.
  EXPECT_EQ(enc(*t, "z"), Ids{});
}

TEST(BpeTokenizer, SpecialTokens) {
  Vocab v = make_bpe({"a b"});
  v.add_bos = true;
  auto t = make(v);
  // Control text is only matched with parse_special.
  EXPECT_EQ(enc(*t, "ab<|endoftext|>a", false, true), (Ids{7, 0, 1}));
  const Ids raw = enc(*t, "a<|endoftext|>", false, false);
  EXPECT_EQ(raw.front(), 1);
  EXPECT_EQ(std::count(raw.begin(), raw.end(), 0), 0);
  // User-defined tokens are split out even without parse_special.
  EXPECT_EQ(enc(*t, "a<|user|>b"), (Ids{1, 11, 2}));
  // BOS when add_special and the vocab says so; control pieces render on request.
  EXPECT_EQ(enc(*t, "ab", true), (Ids{0, 7}));
  EXPECT_EQ(dec(*t, {0, 7}), "ab");
  EXPECT_EQ(dec(*t, {0, 7}, true), "<|endoftext|>ab");
  EXPECT_EQ(dec(*t, {11}), "<|user|>");
  EXPECT_TRUE(t->is_eog(0));
}

TEST(BpeTokenizer, EndOfTurnTokensBecomeControl) {
  Vocab v = make_bpe({});
  v.tokens.push_back("<|im_end|>");
  v.types.push_back(TokenType::kNormal);
  v.eos = -1;
  auto t = make(v);
  const int32_t im_end = static_cast<int32_t>(v.tokens.size()) - 1;
  EXPECT_TRUE(t->is_eog(im_end));
  EXPECT_TRUE(t->is_eog(0));  // <|endoftext|>
  EXPECT_FALSE(t->is_eog(1));
  EXPECT_EQ(t->vocab().types[im_end], TokenType::kControl);
  EXPECT_EQ(enc(*t, "<|im_end|>", false, true), (Ids{im_end}));
}

TEST(BpeTokenizer, Rejects) {
  std::unique_ptr<Tokenizer> t;
  Vocab v = make_bpe({"a b"}, "no-such-pre");
  Status s = Tokenizer::create(v, &t);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("'no-such-pre'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("qwen2"), std::string::npos) << s.message();
  v = make_bpe({"a b"});
  v.model = "wordpiece";
  s = Tokenizer::create(v, &t);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("supported: llama, gpt2"), std::string::npos) << s.message();
}

Status vocab_from_writer(const gguf::Writer& w, std::vector<uint8_t>* bytes, Vocab* v) {
  *bytes = w.to_bytes();
  std::unique_ptr<gguf::File> f;
  EDGELLM_TRY(gguf::File::parse_memory(bytes->data(), bytes->size(), "mem.gguf", &f));
  return vocab_from_gguf(*f, v);
}

TEST(BpeTokenizer, VocabFromGgufDefaults) {
  std::vector<std::string> tokens;
  for (int i = 0; i < 20; ++i) {
    char name[8];
    std::snprintf(name, sizeof name, "t%d", i);
    tokens.emplace_back(name);
  }
  std::vector<uint8_t> bytes;
  Vocab v;
  {
    gguf::Writer w;
    w.add_string("tokenizer.ggml.model", "gpt2");
    w.add_string("tokenizer.ggml.pre", "lfm2");
    w.add_array_string("tokenizer.ggml.tokens", tokens);
    w.add_array_string("tokenizer.ggml.merges", {"t 1", "t 2"});
    Status s = vocab_from_writer(w, &bytes, &v);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(v.merges, (std::vector<std::string>{"t 1", "t 2"}));
    EXPECT_EQ(v.bos, 11);  // llama.cpp's BPE default
    EXPECT_EQ(v.eos, 11);
    EXPECT_TRUE(v.add_bos);  // LLaMA-3-style pre-tokenizers add BOS by default
    EXPECT_FALSE(v.add_space_prefix);
  }
  {
    gguf::Writer w;
    w.add_string("tokenizer.ggml.model", "gpt2");
    w.add_string("tokenizer.ggml.pre", "qwen2");
    w.add_array_string("tokenizer.ggml.tokens", tokens);
    w.add_array_string("tokenizer.ggml.merges", {"t 1"});
    w.add_u32("tokenizer.ggml.bos_token_id", 3);
    Status s = vocab_from_writer(w, &bytes, &v);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(v.bos, 3);
    EXPECT_FALSE(v.add_bos);
  }
  {
    gguf::Writer w;
    w.add_string("tokenizer.ggml.model", "gpt2");
    w.add_array_string("tokenizer.ggml.tokens", tokens);
    Status s = vocab_from_writer(w, &bytes, &v);
    EXPECT_EQ(s.code(), StatusCode::kFormat);
    EXPECT_NE(s.message().find("tokenizer.ggml.merges"), std::string::npos) << s.message();
  }
}

// --- fixtures ----------------------------------------------------------------------

bool have_fixtures() {
  if (!fixtures_dir().empty()) return true;
  std::fprintf(stderr,
               "\n*** FIXTURES MISSING: skipped (set EDGELLM_FIXTURES or provide "
               "../shared/fixtures) ***\n\n");
  return false;
}

bool read_file(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

std::unique_ptr<Tokenizer> load(const std::string& path, Status* status) {
  std::unique_ptr<gguf::File> file;
  *status = gguf::File::open(path, &file);
  if (!status->ok()) return nullptr;
  std::unique_ptr<Tokenizer> t;
  *status = Tokenizer::from_gguf(*file, &t);
  return t;
}

struct VocabCase {
  std::string text;
  Ids ids;
};

std::vector<VocabCase> read_vocab_cases(const std::string& base) {
  std::string inp, outp;
  EXPECT_TRUE(read_file(base + ".inp", &inp)) << base << ".inp";
  EXPECT_TRUE(read_file(base + ".out", &outp)) << base << ".out";
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<VocabCase> cases;
  for (size_t pos = 0, m; (m = inp.find(sep, pos)) != std::string::npos; pos = m + sep.size()) {
    cases.push_back({inp.substr(pos, m - pos), {}});
  }
  std::istringstream lines(outp);
  size_t i = 0;
  for (std::string line; std::getline(lines, line); ++i) {
    if (i >= cases.size()) {
      ADD_FAILURE() << base << ": more expected lines than test strings";
      break;
    }
    std::istringstream ids(line);
    for (int32_t id; ids >> id;) cases[i].ids.push_back(id);
  }
  EXPECT_EQ(i, cases.size()) << base;
  return cases;
}

class BpeVocabFixture : public ::testing::TestWithParam<const char*> {};

// Encode reproduces llama.cpp for every case (add_special = parse_special =
// false), and decoding gives the text back (byte-level BPE is lossless).
TEST_P(BpeVocabFixture, MatchesLlamaCpp) {
  if (!have_fixtures()) GTEST_SKIP() << "FIXTURES MISSING: skipped";
  const std::string name = GetParam();
  const std::string base = fixtures_dir() + "/vocab/ggml-vocab-" + name + ".gguf";
  Status s;
  auto t = load(base, &s);
  ASSERT_NE(t, nullptr) << s.message();
  EXPECT_EQ(t->vocab().model, "gpt2");
  const auto cases = read_vocab_cases(base);
  ASSERT_FALSE(cases.empty());
  int passed = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Ids got = enc(*t, cases[i].text);
    EXPECT_EQ(got, cases[i].ids) << name << " case " << i << ": '" << cases[i].text << "'";
    if (got == cases[i].ids) ++passed;
    EXPECT_EQ(dec(*t, got), cases[i].text) << name << " case " << i;
  }
  std::printf("%s vocab: %d/%zu cases match llama.cpp\n", name.c_str(), passed, cases.size());
}

INSTANTIATE_TEST_SUITE_P(AllBpeVocabs, BpeVocabFixture,
                         ::testing::Values("gpt-2", "deepseek-coder", "deepseek-llm", "falcon", "mpt",
                                           "refact", "starcoder"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

// The WordPiece vocab (bert-bge) is optional and not implemented: it must
// fail cleanly with kUnsupported.
TEST(BpeVocabFixtures, BertIsReportedUnsupported) {
  if (!have_fixtures()) GTEST_SKIP() << "FIXTURES MISSING: skipped";
  Status s;
  auto t = load(fixtures_dir() + "/vocab/ggml-vocab-bert-bge.gguf", &s);
  EXPECT_EQ(t, nullptr);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported) << s.message();
  std::printf("bert-bge (WordPiece, optional): not supported, skipped\n");
}

// gpt-neox has no test strings; it must at least load (no pre key: default).
TEST(BpeVocabFixtures, GptNeoxLoadsWithDefaultPreTokenizer) {
  if (!have_fixtures()) GTEST_SKIP() << "FIXTURES MISSING: skipped";
  Status s;
  auto t = load(fixtures_dir() + "/vocab/ggml-vocab-gpt-neox.gguf", &s);
  ASSERT_NE(t, nullptr) << s.message();
  EXPECT_EQ(dec(*t, enc(*t, "Hello world 12345!")), "Hello world 12345!");
}

// Random mixtures of scripts, whitespace, digits, contractions and malformed
// UTF-8 through every pre-tokenizer: encoding terminates, every id is valid
// and decoding gives the text back (malformed bytes as U+FFFD, as llama.cpp
// reads them).
TEST(BpeVocabFixtures, RandomTextRoundTripsThroughEveryPreTokenizer) {
  if (!have_fixtures()) GTEST_SKIP() << "FIXTURES MISSING: skipped";
  std::unique_ptr<gguf::File> file;
  ASSERT_TRUE(gguf::File::open(fixtures_dir() + "/vocab/ggml-vocab-gpt-2.gguf", &file).ok());
  Vocab base;
  ASSERT_TRUE(vocab_from_gguf(*file, &base).ok());
  const char* palette[] = {"a", "Z", "7", "42", " ", "  ", "\n", "\r\n", "\t", "'s", "'LL", "'", "!", "...",
                           "$", "+", "\xc3\xa9", "\xc3\x9f", "\xe6\x9d\xb1\xe4\xba\xac", "\xf0\x9f\xa6\x99",
                           "\xe2\x80\x83", "\xc2\xa0", "\xc2\xb2", "\xcc\x81", "\xef\xbc\x81", "\xe3\x80\x80",
                           "\xea\xb0\x80", "\xff", "\xe6\x9d", "\x80", "<|endoftext|>", "\xe2\x80\x94"};
  std::mt19937 rng(1234);
  for (const char* pre : {"default", "gpt-2", "llama3", "qwen2", "deepseek-llm", "deepseek-coder", "falcon",
                          "starcoder"}) {
    SCOPED_TRACE(pre);
    Vocab v = base;
    v.pre = pre;
    auto t = make(std::move(v));
    ASSERT_NE(t, nullptr);
    for (int iter = 0; iter < 300; ++iter) {
      std::string text;
      const int n = static_cast<int>(rng() % 24);
      for (int i = 0; i < n; ++i) text += palette[rng() % (sizeof(palette) / sizeof(palette[0]))];
      const Ids ids = enc(*t, text);
      for (int32_t id : ids) ASSERT_TRUE(id >= 0 && id < t->n_vocab());
      std::string want;
      for (uint32_t cp : utf8_to_codepoints(text)) utf8_append(cp, &want);
      ASSERT_EQ(dec(*t, ids), want) << "'" << text << "'";
    }
  }
}

TEST(BpeVocabFixtures, GoldenPromptTokens) {
  if (!have_fixtures()) GTEST_SKIP() << "FIXTURES MISSING: skipped";
  int passed = 0, total = 0;
  for (const char* arch : {"qwen2", "qwen3", "lfm2", "gptneox"}) {
    for (const char* type : {"f32", "q8_0", "q4_k_m"}) {
      const std::string stem = std::string(arch) + "-" + type;
      SCOPED_TRACE(stem);
      std::string text;
      ASSERT_TRUE(read_file(fixtures_dir() + "/golden/" + stem + ".json", &text));
      const nlohmann::json root = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      ASSERT_FALSE(root.is_discarded());
      ASSERT_TRUE(root.contains("model") && root.contains("cases"));
      Status s;
      auto t = load(fixtures_dir() + "/" + root["model"].get<std::string>(), &s);
      ASSERT_NE(t, nullptr) << s.message();
      for (const auto& c : root["cases"]) {
        const Ids want = c["tokens"].get<Ids>();
        Ids got;
        s = t->encode(c["prompt"].get<std::string>(), c["add_special"].get<bool>(),
                      c["parse_special"].get<bool>(), &got);
        ASSERT_TRUE(s.ok()) << s.message();
        EXPECT_EQ(got, want) << stem;
        ++total;
        if (got == want) ++passed;
      }
    }
  }
  std::printf("BPE golden prompt tokenization: %d/%d cases match llama.cpp\n", passed, total);
  EXPECT_EQ(total, 36);
}

TEST(BpeVocabFixtures, ModelEogAndStreaming) {
  if (!have_fixtures()) GTEST_SKIP() << "FIXTURES MISSING: skipped";
  Status s;
  auto lfm2 = load(fixtures_dir() + "/models/lfm2-f32.gguf", &s);
  ASSERT_NE(lfm2, nullptr) << s.message();
  EXPECT_TRUE(lfm2->is_eog(1023));   // <|im_end|>
  EXPECT_FALSE(lfm2->is_eog(1022));  // <|startoftext|> (BOS)
  EXPECT_EQ(enc(*lfm2, "hi", true).front(), 1022);

  // Streaming the golden prompt token by token through the assembler gives
  // the text back, and every emitted chunk is complete UTF-8.
  auto qwen = load(fixtures_dir() + "/models/qwen2-f32.gguf", &s);
  ASSERT_NE(qwen, nullptr) << s.message();
  const std::string text = "Price: 3.14\xe2\x82\xac \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\xa6\x99 #42";
  Utf8Assembler a;
  std::string out;
  int split_chars = 0;
  for (int32_t id : enc(*qwen, text)) {
    char buf[64];
    const int32_t n = qwen->token_to_piece(id, buf, sizeof buf, false);
    ASSERT_GE(n, 0);
    if (utf8_complete_prefix(std::string_view(buf, static_cast<size_t>(n))) != static_cast<size_t>(n)) {
      ++split_chars;
    }
    const std::string_view chunk = a.push(std::string_view(buf, static_cast<size_t>(n)));
    EXPECT_EQ(utf8_complete_prefix(chunk), chunk.size());
    out.append(chunk);
  }
  out += a.flush();
  EXPECT_EQ(out, text);
  EXPECT_GT(split_chars, 0) << "the small vocab should split some characters across tokens";
}

}  // namespace
}  // namespace edgellm

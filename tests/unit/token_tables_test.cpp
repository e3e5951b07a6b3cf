// The compact tokenizer tables against a plain std::map model on random
// vocabularies and merge lists (duplicates, merges with non-token sides).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "runtime/tokenizer/bpe_tokenizer.h"
#include "runtime/tokenizer/token_tables.h"

namespace edgellm {
namespace {

std::string random_text(std::mt19937& rng, int max_len) {
  std::uniform_int_distribution<int> len(1, max_len), ch(0, 5);
  std::string s;
  for (int i = len(rng); i > 0; --i) s.push_back(static_cast<char>('a' + ch(rng)));
  return s;
}

TEST(TokenTables, IndexMatchesMapWithDuplicatesLaterWinning) {
  std::mt19937 rng(7);
  std::vector<std::string> texts;
  for (int i = 0; i < 3000; ++i) texts.push_back(random_text(rng, 5));  // many duplicates
  std::map<std::string, int32_t> want;
  for (size_t i = 0; i < texts.size(); ++i) want[texts[i]] = static_cast<int32_t>(i);
  TokenIndex index;
  index.build(&texts);
  for (const auto& [text, id] : want) EXPECT_EQ(index.find(text), id) << text;
  for (int i = 0; i < 2000; ++i) {
    const std::string probe = random_text(rng, 7);
    auto it = want.find(probe);
    EXPECT_EQ(index.find(probe), it == want.end() ? -1 : it->second) << probe;
  }
  EXPECT_EQ(index.find(""), -1);
  TokenIndex empty;
  EXPECT_EQ(empty.find("a"), -1);
}

TEST(TokenTables, PiecePoolKeepsEveryPiece) {
  PiecePool pool;
  const std::vector<std::string> pieces = {"", "a", std::string("\0b", 2), "", "longer piece"};
  for (const auto& p : pieces) pool.add(p);
  for (size_t i = 0; i < pieces.size(); ++i) EXPECT_EQ(pool.get(static_cast<int32_t>(i)), pieces[i]);
}

TEST(TokenTables, MergeRanksMatchMapFirstOccurrenceWins) {
  std::mt19937 rng(11);
  std::vector<std::string> texts;
  for (int i = 0; i < 500; ++i) texts.push_back(random_text(rng, 3));
  TokenIndex index;
  index.build(&texts);
  std::vector<std::string> merges;
  std::map<std::string, int32_t> want;  // "left right" -> first rank
  for (int r = 0; r < 4000; ++r) {
    // Sides are mostly tokens, sometimes not (longer random strings).
    const std::string l = random_text(rng, r % 7 == 0 ? 6 : 3);
    const std::string rt = random_text(rng, r % 11 == 0 ? 6 : 3);
    merges.push_back(l + " " + rt);
    want.emplace(merges.back(), r);
  }
  merges.push_back("nospace");  // ignored
  MergeTable table;
  table.build(merges, index);
  EXPECT_TRUE(table.has_text_merges());
  for (const auto& [m, rank] : want) {
    const size_t sp = m.find(' ', 1);
    const std::string l = m.substr(0, sp), r = m.substr(sp + 1);
    EXPECT_EQ(table.rank(l, r, index), rank) << m;
    if (index.find(l) >= 0 && index.find(r) >= 0) {
      EXPECT_EQ(table.rank(index.find(l), index.find(r)), rank);
    }
  }
  for (int i = 0; i < 2000; ++i) {
    const std::string l = random_text(rng, 4), r = random_text(rng, 4);
    auto it = want.find(l + " " + r);
    EXPECT_EQ(table.rank(l, r, index), it == want.end() ? -1 : it->second) << l << " " << r;
  }
  EXPECT_EQ(table.rank(-1, 0), -1);
}

// A merge chain through a symbol that is not a token ("xy" is not in the
// vocabulary, but "xy z" is a rule): the rule must still apply.
TEST(TokenTables, BpeMergesThroughNonTokenSymbols) {
  Vocab v;
  v.model = "gpt2";
  v.pre = "gpt-2";
  v.tokens = {"<|endoftext|>", "x", "y", "z", "xyz"};
  v.types.assign(v.tokens.size(), TokenType::kNormal);
  v.types[0] = TokenType::kControl;
  v.merges = {"x y", "xy z"};
  v.bos = v.eos = 0;
  std::unique_ptr<Tokenizer> t;
  ASSERT_TRUE(Tokenizer::create(std::move(v), &t).ok());
  std::vector<int32_t> ids;
  ASSERT_TRUE(t->encode("xyz", false, false, &ids).ok());
  EXPECT_EQ(ids, std::vector<int32_t>({4}));
  // Only "xy" (no token) is left after one merge: its bytes become x, y.
  ASSERT_TRUE(t->encode("xy", false, false, &ids).ok());
  EXPECT_EQ(ids, std::vector<int32_t>({1, 2}));
  auto* bpe = static_cast<BpeTokenizer*>(t.get());
  EXPECT_EQ(bpe->merge_rank("xy", "z"), 1);
  EXPECT_EQ(bpe->merge_rank("x", "y"), 0);
  EXPECT_EQ(bpe->merge_rank("y", "z"), -1);
}

}  // namespace
}  // namespace edgellm

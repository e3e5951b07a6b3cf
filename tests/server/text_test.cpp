// Unit tests of the server's text handling and request validation
// (cli/server/utf8, text_stream, request): pieces that split characters and
// stop strings across tokens, ill-formed UTF-8, and field type checks.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/server/request.h"
#include "cli/server/text_stream.h"
#include "cli/server/utf8.h"

namespace cli::server {
namespace {

const std::string kFFFD = "\xEF\xBF\xBD";

std::string filter(const std::vector<std::string>& pieces) {
  Utf8Filter f;
  std::string out;
  for (const std::string& p : pieces) f.feed(p.data(), p.size(), &out);
  f.finish(&out);
  return out;
}

TEST(Utf8Filter, CharacterSplitAcrossPiecesWaitsForItsLastByte) {
  Utf8Filter f;
  std::string out;
  const std::string smile = "\xF0\x9F\x98\x80";  // U+1F600
  f.feed(smile.data(), 2, &out);
  EXPECT_EQ(out, "");
  f.feed(smile.data() + 2, 1, &out);
  EXPECT_EQ(out, "");
  f.feed(smile.data() + 3, 1, &out);
  EXPECT_EQ(out, smile);
}

TEST(Utf8Filter, IllFormedPartsBecomeOneReplacementEach) {
  EXPECT_EQ(filter({"a\xF0\x9F\x98", "b"}), "a" + kFFFD + "b");              // truncated sequence
  EXPECT_EQ(filter({"\xC0\xAF"}), kFFFD + kFFFD);                            // overlong lead
  EXPECT_EQ(filter({"\xE0\x80"}), kFFFD + kFFFD);                            // E0 needs A0..BF next
  EXPECT_EQ(filter({"\xED\xA0\x80"}), kFFFD + kFFFD + kFFFD);                // surrogate
  EXPECT_EQ(filter({"\xF4\x90\x80\x80"}), kFFFD + kFFFD + kFFFD + kFFFD);    // above U+10FFFF
  EXPECT_EQ(filter({"\x80", "x", "\xFF"}), kFFFD + "x" + kFFFD);             // stray bytes
  EXPECT_EQ(filter({"\xE2\x82"}), kFFFD);                                    // unfinished at the end
  EXPECT_EQ(filter({"\xE2", "\x82", "\xAC"}), "\xE2\x82\xAC");               // U+20AC in three pieces
}

TEST(TextStream, StopStringSplitAcrossTokensIsHeldBackThenCut) {
  TextStream t({"END"});
  EXPECT_FALSE(t.add("abcE", 4));
  EXPECT_EQ(t.take_ready(), "abc");  // "E" could begin END
  EXPECT_FALSE(t.add("N", 1));
  EXPECT_EQ(t.take_ready(), "");
  EXPECT_TRUE(t.add("Dxyz", 4));
  EXPECT_TRUE(t.stopped());
  EXPECT_EQ(t.take_ready(), "");
  EXPECT_EQ(t.text(), "abc");
}

TEST(TextStream, HeldBackTextIsReleasedWhenItStopsMatching) {
  TextStream t({"END"});
  EXPECT_FALSE(t.add("xEN", 3));
  EXPECT_EQ(t.take_ready(), "x");
  EXPECT_FALSE(t.add("d", 1));
  EXPECT_EQ(t.take_ready(), "ENd");
  EXPECT_FALSE(t.add("E", 1));
  EXPECT_FALSE(t.finish());  // the end releases the held tail
  EXPECT_EQ(t.take_ready(), "E");
  EXPECT_EQ(t.text(), "xENdE");
}

TEST(TextStream, EarliestOfSeveralStopsWins) {
  TextStream t({"world", "lo"});
  EXPECT_TRUE(t.add("hello world", 11));
  EXPECT_EQ(t.text(), "hel");
}

TEST(TextStream, NoStopsStreamsEverythingAtOnce) {
  TextStream t({});
  EXPECT_FALSE(t.add("ab", 2));
  EXPECT_EQ(t.take_ready(), "ab");
  EXPECT_FALSE(t.add("\xE2\x82", 2));  // half a character is not ready
  EXPECT_EQ(t.take_ready(), "");
  EXPECT_FALSE(t.add("\xAC", 1));
  EXPECT_EQ(t.take_ready(), "\xE2\x82\xAC");
}

TEST(TextStream, StreamedPiecesConcatenateToTheFinalText) {
  TextStream t({"\xE2\x82\xAC!"});
  std::string streamed;
  for (const char* p : {"a\xE2", "\x82\xAC", "b\xE2\x82", "\xAC", "!", "zz"}) {
    const bool stop = t.add(p, std::string(p).size());
    streamed += t.take_ready();
    if (stop) break;
  }
  t.finish();
  streamed += t.take_ready();
  EXPECT_EQ(streamed, t.text());
  EXPECT_EQ(t.text(), "a\xE2\x82\xAC" "b");
}

GenerationRequest parse_ok(const std::string& body, Endpoint ep = Endpoint::kCompletion) {
  GenerationRequest r;
  ApiError e;
  EXPECT_TRUE(parse_request(body, ep, &r, &e)) << e.message;
  return r;
}

ApiError parse_error(const std::string& body, Endpoint ep = Endpoint::kCompletion) {
  GenerationRequest r;
  ApiError e;
  EXPECT_FALSE(parse_request(body, ep, &r, &e)) << body;
  EXPECT_EQ(e.status, 400);
  return e;
}

TEST(Request, SamplingFieldsAreRead) {
  const GenerationRequest r = parse_ok(
      R"({"prompt":"hi","max_tokens":7,"temperature":0,"top_p":0.5,"seed":-1,"stop":["a",""],"stream":true,
          "stream_options":{"include_usage":true},"unknown":{"x":[1]}})");
  EXPECT_EQ(r.prompt, "hi");
  EXPECT_EQ(*r.max_tokens, 7);
  EXPECT_EQ(*r.temperature, 0.0);
  EXPECT_EQ(*r.top_p, 0.5);
  EXPECT_EQ(*r.seed, UINT64_MAX);
  EXPECT_EQ(r.stop, std::vector<std::string>{"a"});  // empty stop strings dropped
  EXPECT_TRUE(r.stream && r.include_usage);
}

TEST(Request, ChatMessagesAndContentParts) {
  const GenerationRequest r = parse_ok(
      R"({"messages":[{"role":"developer","content":"be brief"},
                      {"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
                      {"role":"assistant","content":null}],"max_completion_tokens":3})",
      Endpoint::kChat);
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.messages[0].role, "system");
  EXPECT_EQ(r.messages[1].content, "ab");
  EXPECT_EQ(r.messages[2].content, "");
  EXPECT_EQ(*r.max_tokens, 3);
}

TEST(Request, TokenIdPrompt) {
  const GenerationRequest r = parse_ok(R"({"prompt":[1,2,3]})");
  EXPECT_TRUE(r.prompt_is_tokens);
  EXPECT_EQ(r.prompt_tokens, (std::vector<int32_t>{1, 2, 3}));
}

TEST(Request, WrongTypesNameTheField) {
  EXPECT_EQ(parse_error(R"({"prompt":"x","temperature":"hot"})").param, "temperature");
  EXPECT_EQ(parse_error(R"({"prompt":"x","max_tokens":"5"})").param, "max_tokens");
  EXPECT_EQ(parse_error(R"({"prompt":"x","max_tokens":2.5})").param, "max_tokens");
  EXPECT_EQ(parse_error(R"({"prompt":"x","top_p":1.5})").param, "top_p");
  EXPECT_EQ(parse_error(R"({"prompt":"x","seed":1.5})").param, "seed");
  EXPECT_EQ(parse_error(R"({"prompt":"x","stop":[1]})").param, "stop");
  EXPECT_EQ(parse_error(R"({"prompt":"x","stop":["a","b","c","d","e"]})").param, "stop");
  EXPECT_EQ(parse_error(R"({"prompt":"x","n":3})").param, "n");
  EXPECT_EQ(parse_error(R"({"prompt":"x","model":5})").param, "model");
  EXPECT_EQ(parse_error(R"({"prompt":"x","stream_options":3})").param, "stream_options");
  EXPECT_EQ(parse_error(R"({"prompt":["a","b"]})").param, "prompt");
  EXPECT_EQ(parse_error(R"({"prompt":[1,-2]})").param, "prompt");
  EXPECT_EQ(parse_error(R"({"messages":[{"role":"tool","content":"x"}]})", Endpoint::kChat).param,
            "messages[0].role");
  EXPECT_EQ(parse_error(R"({"messages":[{"role":"user","content":[{"type":"image_url"}]}]})", Endpoint::kChat).param,
            "messages[0].content");
  EXPECT_EQ(parse_error(R"({"messages":[{"role":"user","content":"a\u0000b"}]})", Endpoint::kChat).param,
            "messages[0].content");
  EXPECT_EQ(parse_error(R"({"messages":[]})", Endpoint::kChat).param, "messages");
  EXPECT_EQ(parse_error("{}", Endpoint::kChat).code, "missing_field");
}

TEST(Request, NotJsonOrNotAnObject) {
  EXPECT_EQ(parse_error("{\"prompt\":").code, "invalid_json");
  EXPECT_EQ(parse_error("").code, "invalid_json");
  EXPECT_EQ(parse_error("[1]").code, "invalid_json");
  EXPECT_EQ(parse_error("{\"prompt\":\"\xff\"}").code, "invalid_json");  // not UTF-8
  EXPECT_EQ(parse_error(std::string(100000, '[') + std::string(100000, ']')).code, "invalid_json");
}

TEST(Request, NullMeansNotGiven) {
  const GenerationRequest r = parse_ok(R"({"prompt":"x","temperature":null,"stop":null,"max_tokens":null})");
  EXPECT_FALSE(r.temperature.has_value());
  EXPECT_FALSE(r.max_tokens.has_value());
  EXPECT_TRUE(r.stop.empty());
}

}  // namespace
}  // namespace cli::server

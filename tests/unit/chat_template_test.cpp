// Chat templates: each family's rendering against the prompt format
// documented on its model cards, family recognition from Jinja templates, and
// the C API entry points.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "edgellm.h"
#include "runtime/chat/chat_template.h"
#include "runtime/gguf/gguf.h"
#include "runtime/tokenizer/tokenizer.h"
#include "tests/unit/test_util.h"

namespace edgellm {
namespace {

using Messages = std::vector<ChatMessage>;

std::string render(ChatFamily f, const Messages& m, bool gen) {
  std::string out;
  Status s = render_chat(f, m, gen, &out);
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

// --- each family against its documented format -----------------------------------
// The model cards show the text with the BOS token in front (<s>,
// <|begin_of_text|>, <bos>, <|startoftext|>); the renderer leaves BOS to the
// tokenizer (add_special), so the expected strings here start after it.

TEST(ChatTemplate, ChatMLAsOnTheQwenCard) {
  const Messages m = {{"system", "You are a helpful assistant."},
                      {"user", "Give me a short introduction to large language model."}};
  EXPECT_EQ(render(ChatFamily::kChatML, m, true),
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            "<|im_start|>user\nGive me a short introduction to large language model.<|im_end|>\n"
            "<|im_start|>assistant\n");
  EXPECT_EQ(render(ChatFamily::kChatML, m, false),
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            "<|im_start|>user\nGive me a short introduction to large language model.<|im_end|>\n");
}

TEST(ChatTemplate, ChatMLMultiTurnAsOnTheLfm2Card) {
  // LFM2: "<|startoftext|><|im_start|>system\n...<|im_end|>\n<|im_start|>user\n..."
  const Messages m = {{"system", "You are a helpful assistant trained by Liquid AI."},
                      {"user", "What is C. elegans?"},
                      {"assistant", "It's a tiny nematode that lives in temperate soil environments."},
                      {"user", "Tell me more."}};
  EXPECT_EQ(render(ChatFamily::kChatML, m, true),
            "<|im_start|>system\nYou are a helpful assistant trained by Liquid AI.<|im_end|>\n"
            "<|im_start|>user\nWhat is C. elegans?<|im_end|>\n"
            "<|im_start|>assistant\nIt's a tiny nematode that lives in temperate soil environments.<|im_end|>\n"
            "<|im_start|>user\nTell me more.<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(ChatTemplate, Llama3AsInMetasPromptFormat) {
  const Messages m = {{"system", "You are a helpful AI assistant for travel tips and recommendations"},
                      {"user", "What is France's capital?"},
                      {"assistant", "Bonjour! The capital of France is Paris!"},
                      {"user", "What can I do there?"}};
  EXPECT_EQ(render(ChatFamily::kLlama3, m, true),
            "<|start_header_id|>system<|end_header_id|>\n\n"
            "You are a helpful AI assistant for travel tips and recommendations<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nWhat is France's capital?<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\nBonjour! The capital of France is Paris!<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nWhat can I do there?<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
  // Meta's template trims each message.
  EXPECT_EQ(render(ChatFamily::kLlama3, {{"user", "  hi \n"}}, false),
            "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>");
}

TEST(ChatTemplate, Llama2AsInTheHuggingFaceGuide) {
  // <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {answer} </s><s>[INST] {user} [/INST]
  const Messages m = {{"system", "You are a helpful, respectful and honest assistant."},
                      {"user", "There's a llama in my garden 😱 What should I do?"},
                      {"assistant", "Call animal control."},
                      {"user", "It ate my roses."}};
  EXPECT_EQ(render(ChatFamily::kLlama2, m, true),
            "[INST] <<SYS>>\nYou are a helpful, respectful and honest assistant.\n<</SYS>>\n\n"
            "There's a llama in my garden 😱 What should I do? [/INST] Call animal control. </s>"
            "<s>[INST] It ate my roses. [/INST]");
  // No system prompt: just the instruction.
  EXPECT_EQ(render(ChatFamily::kLlama2, {{"user", " Hello "}}, true), "[INST] Hello [/INST]");
}

TEST(ChatTemplate, MistralAsOnTheInstructCard) {
  const Messages m = {
      {"user", "What is your favourite condiment?"},
      {"assistant",
       "Well, I'm quite partial to a good squeeze of fresh lemon juice. It adds just the right amount "
       "of zesty flavour to whatever I'm cooking up in the kitchen!"},
      {"user", "Do you have mayonnaise recipes?"}};
  EXPECT_EQ(render(ChatFamily::kMistral, m, true),
            "[INST] What is your favourite condiment? [/INST]"
            "Well, I'm quite partial to a good squeeze of fresh lemon juice. It adds just the right amount "
            "of zesty flavour to whatever I'm cooking up in the kitchen!</s> "
            "[INST] Do you have mayonnaise recipes? [/INST]");
  // A system prompt goes in front of the first instruction.
  EXPECT_EQ(render(ChatFamily::kMistral, {{"system", "Be brief."}, {"user", "Hi"}}, true),
            "[INST] Be brief.\n\nHi [/INST]");
}

TEST(ChatTemplate, GemmaAsOnTheModelCard) {
  // <bos><start_of_turn>user\nWrite a hello world program<end_of_turn>\n<start_of_turn>model\n
  EXPECT_EQ(render(ChatFamily::kGemma, {{"user", "Write a hello world program"}}, true),
            "<start_of_turn>user\nWrite a hello world program<end_of_turn>\n<start_of_turn>model\n");
  const Messages m = {{"system", "Answer in French."},
                      {"user", "Hello"},
                      {"assistant", "Bonjour !"},
                      {"user", "How are you?"}};
  EXPECT_EQ(render(ChatFamily::kGemma, m, true),
            "<start_of_turn>user\nAnswer in French.\n\nHello<end_of_turn>\n"
            "<start_of_turn>model\nBonjour !<end_of_turn>\n"
            "<start_of_turn>user\nHow are you?<end_of_turn>\n"
            "<start_of_turn>model\n");
}

TEST(ChatTemplate, Phi3AsOnTheModelCard) {
  const Messages m = {{"system", "You are a helpful assistant."},
                      {"user", "I am going to Paris, what should I see?"},
                      {"assistant", "Paris, the capital of France, is known for the Eiffel Tower."},
                      {"user", "What is so great about #1?"}};
  EXPECT_EQ(render(ChatFamily::kPhi3, m, true),
            "<|system|>\nYou are a helpful assistant.<|end|>\n"
            "<|user|>\nI am going to Paris, what should I see?<|end|>\n"
            "<|assistant|>\nParis, the capital of France, is known for the Eiffel Tower.<|end|>\n"
            "<|user|>\nWhat is so great about #1?<|end|>\n"
            "<|assistant|>\n");
}

TEST(ChatTemplate, RolesTheFormatCannotExpress) {
  std::string out;
  const Messages late_system = {{"user", "a"}, {"system", "b"}};
  for (ChatFamily f : {ChatFamily::kLlama2, ChatFamily::kMistral, ChatFamily::kGemma}) {
    Status s = render_chat(f, late_system, true, &out);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << chat_family_name(f);
    EXPECT_NE(s.message().find("first message"), std::string::npos) << s.message();
    EXPECT_EQ(render_chat(f, {{"tool", "x"}}, true, &out).code(), StatusCode::kInvalidArgument);
  }
  // ChatML and Llama 3 take the tool roles their real templates use.
  EXPECT_EQ(render(ChatFamily::kChatML, {{"tool", "42"}}, false), "<|im_start|>tool\n42<|im_end|>\n");
  EXPECT_EQ(render(ChatFamily::kChatML, {}, true), "<|im_start|>assistant\n");
  EXPECT_EQ(render(ChatFamily::kLlama3, {{"ipython", "42"}}, false),
            "<|start_header_id|>ipython<|end_header_id|>\n\n42<|eot_id|>");
  // Late system messages are fine where the format has a system turn.
  for (ChatFamily f : {ChatFamily::kChatML, ChatFamily::kLlama3, ChatFamily::kPhi3}) {
    EXPECT_TRUE(render_chat(f, late_system, true, &out).ok()) << chat_family_name(f);
  }
}

// Every family refuses the same unknown roles: empty, a typo, markup that
// would inject a turn (before, ChatML/Llama 3/Phi-3 wrote any role into the
// text: an empty role rendered "<||>" in Phi-3).
TEST(ChatTemplate, EveryFamilyRefusesUnknownRoles) {
  std::string out;
  for (ChatFamily f : {ChatFamily::kChatML, ChatFamily::kLlama3, ChatFamily::kPhi3, ChatFamily::kLlama2,
                       ChatFamily::kMistral, ChatFamily::kGemma}) {
    for (const char* role : {"", "usr", "user<|im_end|>", "System", "assistant "}) {
      Status s = render_chat(f, {{"user", "a"}, {role, "b"}}, true, &out);
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << chat_family_name(f) << " role '" << role << "'";
      EXPECT_NE(s.message().find("message 1"), std::string::npos) << s.message();
      EXPECT_NE(s.message().find("expected system, user, assistant"), std::string::npos) << s.message();
    }
  }
  EXPECT_EQ(render_chat(ChatFamily::kPhi3, {{"tool", "x"}}, true, &out).code(), StatusCode::kInvalidArgument);
}

// A multi-turn chat can evaluate only the new text of each turn.
TEST(ChatTemplate, RenderingIsPrefixStable) {
  const Messages m = {{"system", "S"}, {"user", "U1"}, {"assistant", "A1"}, {"user", "U2"},
                      {"assistant", "A2"}, {"user", "U3"}};
  for (ChatFamily f : {ChatFamily::kChatML, ChatFamily::kLlama3, ChatFamily::kLlama2, ChatFamily::kMistral,
                       ChatFamily::kGemma, ChatFamily::kPhi3}) {
    const std::string all = render(f, m, false);
    for (size_t k = 0; k <= m.size(); ++k) {
      const std::string part = render(f, Messages(m.begin(), m.begin() + static_cast<long>(k)), false);
      EXPECT_EQ(all.compare(0, part.size(), part), 0) << chat_family_name(f) << " k=" << k;
    }
  }
}

// --- names and recognition -----------------------------------------------------------

TEST(ChatTemplate, FamilyNames) {
  ChatFamily f;
  for (ChatFamily want : {ChatFamily::kChatML, ChatFamily::kLlama3, ChatFamily::kLlama2, ChatFamily::kMistral,
                          ChatFamily::kGemma, ChatFamily::kPhi3}) {
    ASSERT_TRUE(chat_family_from_name(chat_family_name(want), &f).ok());
    EXPECT_EQ(f, want);
  }
  ASSERT_TRUE(chat_family_from_name("qwen3", &f).ok());
  EXPECT_EQ(f, ChatFamily::kChatML);
  ASSERT_TRUE(chat_family_from_name("gemma3", &f).ok());
  EXPECT_EQ(f, ChatFamily::kGemma);
  Status s = chat_family_from_name("vicuna", &f);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("chatml, llama3, llama2, mistral, gemma, phi3"), std::string::npos) << s.message();
}

struct DetectCase {
  const char* jinja;
  ChatFamily family;
};

TEST(ChatTemplate, RecognisesFamiliesByMarkers) {
  const DetectCase cases[] = {
      {"{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
       "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
       ChatFamily::kChatML},
      {"{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + "
       "'<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{% endfor %}",
       ChatFamily::kLlama3},
      {"{% if messages[0]['role'] == 'system' %}{% set system_message = messages[0]['content'] %}{% endif %}"
       "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + "
       "'\\n<</SYS>>\\n\\n' + message['content'] %}{% endif %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}",
       ChatFamily::kLlama2},
      {"{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + "
       "message['content'] + ' [/INST]' }}{% else %}{{ message['content'] + eos_token + ' ' }}{% endif %}{% endfor %}",
       ChatFamily::kMistral},
      {"{{ bos_token }}{% for message in messages %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim "
       "+ '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}",
       ChatFamily::kGemma},
      {"{% for message in messages %}{{'<|' + message['role'] + '|>' + '\\n' + message['content'] + '<|end|>\\n' }}"
       "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}",
       ChatFamily::kPhi3},
  };
  for (const DetectCase& c : cases) {
    ChatFamily f;
    Status s = detect_chat_family(c.jinja, &f);
    ASSERT_TRUE(s.ok()) << s.message() << "\n" << c.jinja;
    EXPECT_EQ(f, c.family) << c.jinja;
  }
  ChatFamily f;
  for (const char* unknown : {"{{ messages }}", "",
                              "{% for m in messages %}<|im_start|>{{ m.role }}<|im_sep|>{{ m.content }}{% endfor %}",
                              "[SYSTEM_PROMPT]{{ s }}[/SYSTEM_PROMPT][INST]{{ u }}[/INST]"}) {
    Status s = detect_chat_family(unknown, &f);
    EXPECT_EQ(s.code(), StatusCode::kUnsupported) << unknown;
    EXPECT_NE(s.message().find("name the family explicitly"), std::string::npos) << s.message();
  }
}

// The phi-3 reference vocab carries Phi-3's real template.
TEST(ChatTemplate, RecognisesThePhi3VocabTemplate) {
  const std::string dir = fixtures_dir();
  if (dir.empty()) {
    std::fprintf(stderr, "\n*** FIXTURES MISSING: skipped ***\n\n");
    GTEST_SKIP() << "FIXTURES MISSING: skipped";
  }
  std::unique_ptr<gguf::File> file;
  ASSERT_TRUE(gguf::File::open(dir + "/vocab/ggml-vocab-phi-3.gguf", &file).ok());
  std::string jinja;
  ASSERT_TRUE(read_chat_template(*file, &jinja).ok());
  ChatFamily f;
  ASSERT_TRUE(detect_chat_family(jinja, &f).ok());
  EXPECT_EQ(f, ChatFamily::kPhi3);
  // Its template renders user turns as "<|user|>\n...<|end|>\n<|assistant|>\n"
  // and answers as "...<|end|>\n": the same text as ours.
  EXPECT_EQ(render(f, {{"user", "Q1"}, {"assistant", "A1"}, {"user", "Q2"}}, true),
            "<|user|>\nQ1<|end|>\n<|assistant|>\nA1<|end|>\n<|user|>\nQ2<|end|>\n<|assistant|>\n");

  std::unique_ptr<gguf::File> none;
  ASSERT_TRUE(gguf::File::open(dir + "/vocab/ggml-vocab-gpt-2.gguf", &none).ok());
  Status s = read_chat_template(*none, &jinja);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("tokenizer.chat_template"), std::string::npos) << s.message();
}

// --- C API ------------------------------------------------------------------------------

TEST(ChatApi, RendersByFamilyName) {
  const char* roles[] = {"system", "user"};
  const char* contents[] = {"Be brief.", "Hi"};
  char buf[256];
  size_t len = 0;
  ASSERT_EQ(edgellm_chat_apply(nullptr, "qwen2", roles, contents, 2, 1, buf, sizeof buf, &len), EDGELLM_OK)
      << edgellm_last_error();
  const std::string want =
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n";
  EXPECT_EQ(std::string(buf), want);
  EXPECT_EQ(len, want.size());

  // Too small: truncated, NUL-terminated, full length reported.
  char small[8];
  EXPECT_EQ(edgellm_chat_apply(nullptr, "chatml", roles, contents, 2, 1, small, sizeof small, &len),
            EDGELLM_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(len, want.size());
  EXPECT_EQ(std::string(small), want.substr(0, 7));
  // Size query.
  EXPECT_EQ(edgellm_chat_apply(nullptr, "chatml", roles, contents, 2, 1, nullptr, 0, &len),
            EDGELLM_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(len, want.size());

  EXPECT_EQ(edgellm_chat_apply(nullptr, "no-such", roles, contents, 2, 1, buf, sizeof buf, &len),
            EDGELLM_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(edgellm_last_error()).find("no-such"), std::string::npos);
  EXPECT_EQ(edgellm_chat_apply(nullptr, nullptr, roles, contents, 2, 1, buf, sizeof buf, &len),
            EDGELLM_ERR_INVALID_ARGUMENT);
  const char* late[] = {"user", "system"};
  EXPECT_EQ(edgellm_chat_apply(nullptr, "llama2", late, contents, 2, 1, buf, sizeof buf, &len),
            EDGELLM_ERR_INVALID_ARGUMENT);
}

TEST(ChatApi, ModelWithoutTemplateNeedsAFamily) {
  const std::string dir = fixtures_dir();
  if (dir.empty()) {
    std::fprintf(stderr, "\n*** FIXTURES MISSING: skipped ***\n\n");
    GTEST_SKIP() << "FIXTURES MISSING: skipped";
  }
  edgellm_model* model = nullptr;
  ASSERT_EQ(edgellm_model_load((dir + "/models/llama-f32.gguf").c_str(), nullptr, &model), EDGELLM_OK)
      << edgellm_last_error();
  EXPECT_EQ(edgellm_chat_family(model), nullptr);
  EXPECT_NE(std::string(edgellm_last_error()).find("tokenizer.chat_template"), std::string::npos);
  const char* roles[] = {"system", "user"};
  const char* contents[] = {"Be brief.", "Hi"};
  char buf[256];
  size_t len = 0;
  EXPECT_EQ(edgellm_chat_apply(model, nullptr, roles, contents, 2, 1, buf, sizeof buf, &len),
            EDGELLM_ERR_UNSUPPORTED);
  EXPECT_NE(std::string(edgellm_last_error()).find("name the chat template family"), std::string::npos);
  ASSERT_EQ(edgellm_chat_apply(model, "llama2", roles, contents, 2, 1, buf, sizeof buf, &len), EDGELLM_OK);
  EXPECT_EQ(std::string(buf), "[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST]");
  edgellm_token ids[128];
  size_t n = 0;
  ASSERT_EQ(edgellm_tokenize(model, buf, len, 1, 1, ids, 128, &n), EDGELLM_OK) << edgellm_last_error();
  ASSERT_GT(n, 1u);
  EXPECT_EQ(ids[0], edgellm_model_bos(model));
  edgellm_model_free(model);
}

// Tokenized the intended way (add_special, parse_special), BOS comes from the
// tokenizer and the end-of-turn marker becomes its control token.
TEST(ChatTemplate, RenderedPromptTokenizesWithSpecialTokens) {
  const std::string dir = fixtures_dir();
  if (dir.empty()) {
    std::fprintf(stderr, "\n*** FIXTURES MISSING: skipped ***\n\n");
    GTEST_SKIP() << "FIXTURES MISSING: skipped";
  }
  std::unique_ptr<gguf::File> file;
  ASSERT_TRUE(gguf::File::open(dir + "/models/lfm2-f32.gguf", &file).ok());
  std::unique_ptr<Tokenizer> tok;
  ASSERT_TRUE(Tokenizer::from_gguf(*file, &tok).ok());
  ChatFamily f;
  ASSERT_TRUE(chat_family_from_name("lfm2", &f).ok());
  const std::string text = render(f, {{"user", "Hi"}, {"assistant", "Hello"}, {"user", "Bye"}}, true);
  std::vector<int32_t> ids;
  ASSERT_TRUE(tok->encode(text, true, true, &ids).ok());
  ASSERT_GT(ids.size(), 2u);
  EXPECT_EQ(ids[0], 1022);  // <|startoftext|>, added by the tokenizer
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 1022), 1);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 1023), 3);  // <|im_end|>
  EXPECT_TRUE(tok->is_eog(1023));
  // Without parse_special the marker is plain text.
  ASSERT_TRUE(tok->encode(text, true, false, &ids).ok());
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 1023), 0);
}

}  // namespace
}  // namespace edgellm

// Chat prompt formatting for the common template families. The model's
// tokenizer.chat_template (Jinja) is not executed: its family is recognised by
// distinctive markers, and the family's documented format is rendered
// directly. The family can also be named explicitly.
//
// The rendered text starts without a BOS token: tokenize it with
// add_special = true (the tokenizer adds BOS where the model wants one) and
// parse_special = true (so <|im_start|>, [INST], ... become their tokens).
// Rendering is prefix-stable: the text for messages[0..k) is a prefix of the
// text for messages[0..n) (without the generation prompt), so a multi-turn
// chat can evaluate only the new suffix of each turn.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/core/status.h"
#include "runtime/gguf/gguf.h"

namespace edgellm {

enum class ChatFamily {
  kChatML,   // <|im_start|>role\n...<|im_end|>\n (Qwen, SmolLM, LFM2, ...)
  kLlama3,   // <|start_header_id|>role<|end_header_id|>\n\n...<|eot_id|>
  kLlama2,   // [INST] <<SYS>>\n...\n<</SYS>>\n\n... [/INST] ... </s><s>[INST] ...
  kMistral,  // [INST] ... [/INST]...</s> [INST] ... [/INST]
  kGemma,    // <start_of_turn>user\n...<end_of_turn>\n<start_of_turn>model\n
  kPhi3,     // <|user|>\n...<|end|>\n<|assistant|>\n
};

struct ChatMessage {
  std::string role;  // "system", "user", "assistant" (ChatML and Phi-3 pass other roles through)
  std::string content;
};

// Canonical family name ("chatml", "llama3", "llama2", "mistral", "gemma", "phi3").
const char* chat_family_name(ChatFamily family);
// Comma-separated canonical names, for messages.
std::string chat_family_names();

// Parses a family name; common aliases (qwen2, qwen3, smollm, lfm2, gemma2,
// gemma3, llama-3, phi-3, ...) are accepted. kInvalidArgument lists the names.
Status chat_family_from_name(std::string_view name, ChatFamily* out);

// Recognises the family of a Jinja chat template. kUnsupported (naming the
// supported families) when no family matches.
Status detect_chat_family(std::string_view jinja, ChatFamily* out);

// tokenizer.chat_template of a GGUF file. kUnsupported when the key is absent.
Status read_chat_template(const gguf::File& file, std::string* out);

// Renders messages in the family's format; add_generation_prompt appends the
// header that makes the model answer as the assistant. kInvalidArgument for
// a role the family cannot express (e.g. a system message after the first
// turn for Llama 2, Mistral and Gemma).
Status render_chat(ChatFamily family, const std::vector<ChatMessage>& messages,
                   bool add_generation_prompt, std::string* out);

}  // namespace edgellm

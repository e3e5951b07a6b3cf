#include "runtime/chat/chat_template.h"

#include <cstring>

namespace edgellm {
namespace {

struct FamilyName {
  const char* name;
  ChatFamily family;
};

// Canonical names first (in enum order), then aliases.
constexpr FamilyName kNames[] = {
    {"chatml", ChatFamily::kChatML},   {"llama3", ChatFamily::kLlama3},
    {"llama2", ChatFamily::kLlama2},   {"mistral", ChatFamily::kMistral},
    {"gemma", ChatFamily::kGemma},     {"phi3", ChatFamily::kPhi3},
    {"qwen", ChatFamily::kChatML},     {"qwen2", ChatFamily::kChatML},
    {"qwen3", ChatFamily::kChatML},    {"smollm", ChatFamily::kChatML},
    {"lfm2", ChatFamily::kChatML},     {"llama-3", ChatFamily::kLlama3},
    {"llama-2", ChatFamily::kLlama2},  {"gemma2", ChatFamily::kGemma},
    {"gemma3", ChatFamily::kGemma},    {"phi-3", ChatFamily::kPhi3},
};
constexpr size_t kNumCanonical = 6;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Jinja's |trim and Python's str.strip() on ASCII whitespace.
std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

Status bad_role(ChatFamily family, size_t i, const std::string& role, const char* why) {
  return Errorf(StatusCode::kInvalidArgument, "chat template %s: message %zu has role '%s' (%s)",
                chat_family_name(family), i, role.c_str(), why);
}

// The roles every family accepts are system, user and assistant; the
// families whose templates write the role's name into the text also take
// the extra roles their real templates use (ChatML: tool, Llama 3: tool and
// ipython). Anything else (an empty role, a typo, a role carrying template
// markup) is refused the same way for every family. Llama 2, Mistral and
// Gemma have no system turn of their own: a system message may only come
// first (it is folded into the first user turn).
Status check_roles(ChatFamily family, const std::vector<ChatMessage>& messages) {
  const bool chatml = family == ChatFamily::kChatML, llama3 = family == ChatFamily::kLlama3;
  const char* expected = chatml   ? "expected system, user, assistant or tool"
                         : llama3 ? "expected system, user, assistant, tool or ipython"
                                  : "expected system, user, assistant";
  const bool system_first_only =
      family == ChatFamily::kLlama2 || family == ChatFamily::kMistral || family == ChatFamily::kGemma;
  for (size_t i = 0; i < messages.size(); ++i) {
    const std::string& r = messages[i].role;
    if (r == "user" || r == "assistant" || (r == "tool" && (chatml || llama3)) || (r == "ipython" && llama3)) {
      continue;
    }
    if (r == "system") {
      if (i == 0 || !system_first_only) continue;
      return bad_role(family, i, r, "a system message is only supported as the first message");
    }
    return bad_role(family, i, r, expected);
  }
  return Status::Ok();
}

void render_chatml(const std::vector<ChatMessage>& messages, bool gen, std::string* out) {
  for (const ChatMessage& m : messages) {
    *out += "<|im_start|>";
    *out += m.role;
    *out += '\n';
    *out += m.content;
    *out += "<|im_end|>\n";
  }
  if (gen) *out += "<|im_start|>assistant\n";
}

// Meta's Llama 3 instruct format; content is trimmed as in Meta's template.
void render_llama3(const std::vector<ChatMessage>& messages, bool gen, std::string* out) {
  for (const ChatMessage& m : messages) {
    *out += "<|start_header_id|>";
    *out += m.role;
    *out += "<|end_header_id|>\n\n";
    *out += trim(m.content);
    *out += "<|eot_id|>";
  }
  if (gen) *out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
}

// Llama 2 chat (Meta's template): "<s>[INST] {user} [/INST] {answer} </s>"
// per turn, the first user message carrying the system prompt as
// "<<SYS>>\n{system}\n<</SYS>>\n\n{user}"; each turn is stripped. The first <s>
// is the BOS the tokenizer adds, so it is not rendered.
void render_llama2(const std::vector<ChatMessage>& messages, std::string* out) {
  std::string_view system;
  bool first_turn = true;
  std::string body;
  for (const ChatMessage& m : messages) {
    if (m.role == "system") {
      system = m.content;
    } else if (m.role == "user") {
      *out += first_turn ? "[INST] " : "<s>[INST] ";
      body.clear();
      if (first_turn && !system.empty()) {
        body += "<<SYS>>\n";
        body += system;
        body += "\n<</SYS>>\n\n";
      }
      body += m.content;
      *out += trim(body);
      *out += " [/INST]";
      first_turn = false;
    } else {  // assistant
      *out += ' ';
      *out += trim(m.content);
      *out += " </s>";
      first_turn = false;
    }
  }
}

// Mistral Instruct (v0.1/v0.2 model cards and template):
// "[INST] {user} [/INST]{answer}</s> [INST] {user} [/INST]". Mistral has no
// system role: a system message is put in front of the first user message,
// separated by a blank line.
void render_mistral(const std::vector<ChatMessage>& messages, std::string* out) {
  std::string_view system;
  bool first_user = true;
  for (const ChatMessage& m : messages) {
    if (m.role == "system") {
      system = m.content;
    } else if (m.role == "user") {
      *out += "[INST] ";
      if (first_user && !system.empty()) {
        *out += system;
        *out += "\n\n";
      }
      *out += m.content;
      *out += " [/INST]";
      first_user = false;
    } else {  // assistant
      *out += m.content;
      *out += "</s> ";
    }
  }
}

// Gemma: "<start_of_turn>user\n{content}<end_of_turn>\n", the assistant's
// role is "model"; content is trimmed as in Google's template. Gemma has no
// system role: its text and a blank line go in front of the first user turn
// (as Gemma 3's template does).
void render_gemma(const std::vector<ChatMessage>& messages, bool gen, std::string* out) {
  std::string_view system;
  bool first_user = true;
  for (const ChatMessage& m : messages) {
    if (m.role == "system") {
      system = m.content;
      continue;
    }
    const bool user = m.role == "user";
    *out += user ? "<start_of_turn>user\n" : "<start_of_turn>model\n";
    if (user && first_user && !system.empty()) {
      *out += system;
      *out += "\n\n";
    }
    if (user) first_user = false;
    *out += trim(m.content);
    *out += "<end_of_turn>\n";
  }
  if (gen) *out += "<start_of_turn>model\n";
}

// Phi-3: "<|{role}|>\n{content}<|end|>\n", generation prompt "<|assistant|>\n".
void render_phi3(const std::vector<ChatMessage>& messages, bool gen, std::string* out) {
  for (const ChatMessage& m : messages) {
    *out += "<|";
    *out += m.role;
    *out += "|>\n";
    *out += m.content;
    *out += "<|end|>\n";
  }
  if (gen) *out += "<|assistant|>\n";
}

}  // namespace

const char* chat_family_name(ChatFamily family) {
  for (size_t i = 0; i < kNumCanonical; ++i) {
    if (kNames[i].family == family) return kNames[i].name;
  }
  return "unknown";
}

std::string chat_family_names() {
  std::string s;
  for (size_t i = 0; i < kNumCanonical; ++i) {
    if (i > 0) s += ", ";
    s += kNames[i].name;
  }
  return s;
}

Status chat_family_from_name(std::string_view name, ChatFamily* out) {
  if (out == nullptr) return Status(StatusCode::kInvalidArgument, "chat_family_from_name: out is null");
  for (const FamilyName& n : kNames) {
    if (name == n.name) {
      *out = n.family;
      return Status::Ok();
    }
  }
  return Errorf(StatusCode::kInvalidArgument, "unknown chat template family '%.*s' (supported: %s)",
                static_cast<int>(name.size()), name.data(), chat_family_names().c_str());
}

Status detect_chat_family(std::string_view jinja, ChatFamily* out) {
  if (out == nullptr) return Status(StatusCode::kInvalidArgument, "detect_chat_family: out is null");
  auto has = [&](const char* marker) { return jinja.find(marker) != std::string_view::npos; };
  if (has("<|im_start|>") && !has("<|im_sep|>")) {
    *out = ChatFamily::kChatML;
  } else if (has("<|start_header_id|>") && has("<|end_header_id|>")) {
    *out = ChatFamily::kLlama3;
  } else if (has("<start_of_turn>")) {
    *out = ChatFamily::kGemma;
  } else if (has("<|assistant|>") && has("<|end|>")) {
    *out = ChatFamily::kPhi3;
  } else if (has("[INST]") && has("<<SYS>>")) {
    *out = ChatFamily::kLlama2;
  } else if (has("[INST]") && !has("[SYSTEM_PROMPT]") && !has("[AVAILABLE_TOOLS]")) {
    *out = ChatFamily::kMistral;
  } else {
    return Errorf(StatusCode::kUnsupported,
                  "unrecognised chat template (supported families: %s); name the family explicitly",
                  chat_family_names().c_str());
  }
  return Status::Ok();
}

Status read_chat_template(const gguf::File& file, std::string* out) {
  if (out == nullptr) return Status(StatusCode::kInvalidArgument, "read_chat_template: out is null");
  constexpr const char* kKey = "tokenizer.chat_template";
  if (file.find(kKey) == nullptr) {
    return Errorf(StatusCode::kUnsupported,
                  "%s has no %s; name the chat template family explicitly (supported: %s)",
                  file.path().c_str(), kKey, chat_family_names().c_str());
  }
  return file.get_string(kKey, out);
}

Status render_chat(ChatFamily family, const std::vector<ChatMessage>& messages,
                   bool add_generation_prompt, std::string* out) {
  if (out == nullptr) return Status(StatusCode::kInvalidArgument, "render_chat: out is null");
  out->clear();
  EDGELLM_TRY(check_roles(family, messages));
  switch (family) {
    case ChatFamily::kChatML: render_chatml(messages, add_generation_prompt, out); return Status::Ok();
    case ChatFamily::kPhi3: render_phi3(messages, add_generation_prompt, out); return Status::Ok();
    case ChatFamily::kLlama3: render_llama3(messages, add_generation_prompt, out); return Status::Ok();
    case ChatFamily::kLlama2: render_llama2(messages, out); return Status::Ok();
    case ChatFamily::kMistral: render_mistral(messages, out); return Status::Ok();
    case ChatFamily::kGemma: render_gemma(messages, add_generation_prompt, out); return Status::Ok();
  }
  return Status(StatusCode::kInvalidArgument, "render_chat: unknown family");
}

}  // namespace edgellm

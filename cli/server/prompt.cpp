#include "cli/server/prompt.h"

namespace cli::server {
namespace {

bool render_chat(const PromptSetup& s, const std::vector<Message>& messages, std::string* text, ApiError* err) {
  if (s.chat_family.empty()) {
    *err = server_error(500, "chat completions are unavailable: " + s.chat_unavailable, "no_chat_template");
    return false;
  }
  std::vector<const char*> roles, contents;
  for (const Message& m : messages) {
    roles.push_back(m.role.c_str());
    contents.push_back(m.content.c_str());
  }
  size_t len = 0;
  edgellm_status st = edgellm_chat_apply(s.model, s.chat_family.c_str(), roles.data(), contents.data(),
                                         messages.size(), 1, nullptr, 0, &len);
  if (st == EDGELLM_OK || len > 0) {
    text->assign(len + 1, '\0');
    st = edgellm_chat_apply(s.model, s.chat_family.c_str(), roles.data(), contents.data(), messages.size(), 1,
                            text->data(), text->size(), &len);
  }
  if (st != EDGELLM_OK) {
    // The conversation does not fit the template (e.g. a system message in
    // the middle): the client's to fix.
    *err = invalid_request(std::string("cannot render the conversation: ") + edgellm_last_error(), "messages",
                           "invalid_value");
    return false;
  }
  text->resize(len);
  return true;
}

bool tokenize(const PromptSetup& s, const std::string& text, bool parse_special, std::vector<edgellm_token>* out,
              ApiError* err) {
  size_t n = 0;
  out->assign(text.size() + 8, 0);
  edgellm_status st = edgellm_tokenize(s.model, text.data(), text.size(), 1, parse_special ? 1 : 0, out->data(),
                                       out->size(), &n);
  if (st != EDGELLM_OK && n > out->size()) {
    out->assign(n, 0);
    st = edgellm_tokenize(s.model, text.data(), text.size(), 1, parse_special ? 1 : 0, out->data(), out->size(), &n);
  }
  if (st != EDGELLM_OK) {
    *err = invalid_request(std::string("cannot tokenize the prompt: ") + edgellm_last_error(), "", "invalid_value");
    return false;
  }
  out->resize(n);
  return true;
}

}  // namespace

bool build_prompt(const PromptSetup& s, const GenerationRequest& req, std::vector<edgellm_token>* out,
                  ApiError* err) {
  const char* param = req.endpoint == Endpoint::kChat ? "messages" : "prompt";
  if (req.endpoint == Endpoint::kChat) {
    std::string text;
    // The rendered template holds control tokens as text: parse them.
    if (!render_chat(s, req.messages, &text, err) || !tokenize(s, text, true, out, err)) return false;
  } else if (req.prompt_is_tokens) {
    const int32_t n_vocab = edgellm_model_n_vocab(s.model);
    for (edgellm_token t : req.prompt_tokens) {
      if (t < 0 || t >= n_vocab) {
        *err = invalid_request("'prompt': token id " + std::to_string(t) + " is outside the vocabulary (0.." +
                                   std::to_string(n_vocab - 1) + ")",
                               param, "invalid_value");
        return false;
      }
    }
    *out = req.prompt_tokens;
  } else if (!tokenize(s, req.prompt, true, out, err)) {
    return false;
  }
  if (out->empty()) {
    *err = invalid_request("the prompt is empty (no tokens)", param, "invalid_value");
    return false;
  }
  if (out->size() > static_cast<size_t>(s.n_ctx)) {
    *err = invalid_request("the prompt has " + std::to_string(out->size()) +
                               " tokens; this server's context holds " + std::to_string(s.n_ctx),
                           param, "context_length_exceeded");
    return false;
  }
  return true;
}

}  // namespace cli::server

#include "cli/server/openai_json.h"

namespace cli::server {
namespace {

json null_or(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json base(const ResponseMeta& m, bool chunk) {
  const bool chat = m.endpoint == Endpoint::kChat;
  return json{{"id", m.id},
              {"object", chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion"},
              {"created", m.created},
              {"model", m.model},
              {"system_fingerprint", "edgellm"}};
}

}  // namespace

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json error_json(const ApiError& e) {
  return json{{"error",
               {{"message", e.message}, {"type", e.type}, {"param", null_or(e.param)}, {"code", null_or(e.code)}}}};
}

json usage_json(const Usage& u) {
  return json{{"prompt_tokens", u.prompt_tokens},
              {"completion_tokens", u.completion_tokens},
              {"total_tokens", u.prompt_tokens + u.completion_tokens}};
}

json completion_json(const ResponseMeta& m, const std::string& text, const std::string& finish_reason,
                     const Usage& u) {
  json j = base(m, false);
  json choice{{"index", 0}, {"finish_reason", finish_reason}, {"logprobs", nullptr}};
  if (m.endpoint == Endpoint::kChat) {
    choice["message"] = json{{"role", "assistant"}, {"content", text}};
  } else {
    choice["text"] = text;
  }
  j["choices"] = json::array({choice});
  j["usage"] = usage_json(u);
  return j;
}

json chunk_json(const ResponseMeta& m, const std::string& text, bool first,
                const std::string& finish_reason, const Usage* usage) {
  json j = base(m, true);
  json choice{{"index", 0}, {"finish_reason", null_or(finish_reason)}, {"logprobs", nullptr}};
  if (m.endpoint == Endpoint::kChat) {
    json delta = json::object();
    if (first) delta["role"] = "assistant";
    if (!text.empty() || first) delta["content"] = text;
    choice["delta"] = delta;
  } else {
    choice["text"] = text;
  }
  j["choices"] = json::array({choice});
  if (usage) j["usage"] = usage_json(*usage);
  return j;
}

json usage_chunk_json(const ResponseMeta& m, const Usage& u) {
  json j = base(m, true);
  j["choices"] = json::array();
  j["usage"] = usage_json(u);
  return j;
}

json models_json(const std::string& model_id, int64_t created) {
  return json{{"object", "list"},
              {"data", json::array({json{{"id", model_id}, {"object", "model"}, {"created", created},
                                         {"owned_by", "edgellm"}}})}};
}

}  // namespace cli::server

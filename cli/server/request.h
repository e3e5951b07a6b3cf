// Parsing and validation of /v1/chat/completions and /v1/completions bodies.
// Known fields must have the OpenAI types (else 400 naming the field);
// unknown fields are ignored. Nothing here touches the model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/server/api_error.h"

namespace cli::server {

enum class Endpoint { kChat, kCompletion };

struct Message {
  std::string role;  // "system", "user" or "assistant" ("developer" is read as "system")
  std::string content;
};

struct GenerationRequest {
  Endpoint endpoint = Endpoint::kChat;
  std::vector<Message> messages;           // chat
  std::string prompt;                      // completions: text ...
  std::vector<int32_t> prompt_tokens;      // ... or token ids
  bool prompt_is_tokens = false;
  std::optional<int64_t> max_tokens;       // max_tokens / max_completion_tokens
  std::optional<double> temperature, top_p, min_p, repeat_penalty;  // absent: edgellm's defaults
  std::optional<int64_t> top_k;
  std::optional<uint64_t> seed;            // absent: a fresh seed per request
  std::vector<std::string> stop;           // empty strings dropped
  bool ignore_eos = false;                 // extension (as llama.cpp's server)
  bool stream = false;
  bool include_usage = false;              // stream_options.include_usage
};

// Fills *out from a JSON body; false with *err (400) on bad input.
bool parse_request(const std::string& body, Endpoint endpoint, GenerationRequest* out, ApiError* err);

}  // namespace cli::server

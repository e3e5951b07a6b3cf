// The JSON shapes of the OpenAI API that the server writes: errors,
// completions and their streamed chunks, the model list. Text is valid
// UTF-8 by construction (text_stream.h); dumping replaces anything that is
// not, so serialisation never throws.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/server/api_error.h"
#include "cli/server/request.h"

namespace cli::server {

using json = nlohmann::json;

// What every response of one request shares.
struct ResponseMeta {
  std::string id;     // "chatcmpl-..." or "cmpl-..."
  int64_t created = 0;  // Unix seconds
  std::string model;
  Endpoint endpoint = Endpoint::kChat;
};

struct Usage {
  int32_t prompt_tokens = 0;
  int32_t completion_tokens = 0;
};

std::string dump(const json& j);
json error_json(const ApiError& e);
json usage_json(const Usage& u);

// The whole answer of a non-streaming request.
json completion_json(const ResponseMeta& m, const std::string& text, const std::string& finish_reason,
                     const Usage& u);
// One streamed chunk: text (chat: delta.content), finish_reason ("" : null),
// first (chat: the delta carries the role), usage when given.
json chunk_json(const ResponseMeta& m, const std::string& text, bool first,
                const std::string& finish_reason, const Usage* usage);
// The final chunk of stream_options.include_usage: no choices, the usage.
json usage_chunk_json(const ResponseMeta& m, const Usage& u);
json models_json(const std::string& model_id, int64_t created);

}  // namespace cli::server

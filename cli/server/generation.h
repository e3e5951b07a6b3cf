// One request's generation on a slot's context: the prompt evaluated in
// batches (checking for cancellation between them), then tokens sampled
// with the request's parameters until end-of-generation, a stop string,
// max_tokens or the end of the context. Text goes through a TextStream;
// in streaming mode each ready piece is handed to `emit` at once.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cli/server/api_error.h"
#include "cli/server/openai_json.h"
#include "cli/server/request.h"
#include "cli/server/text_stream.h"
#include "edgellm.h"

namespace cli::server {

struct GenerationJob {
  edgellm_model* model = nullptr;
  edgellm_context* ctx = nullptr;
  const GenerationRequest* request = nullptr;
  const std::vector<edgellm_token>* prompt = nullptr;
  int32_t max_tokens = 0;  // already fitted to the context
  int32_t n_batch = 512;   // prompt tokens per evaluate call
  uint64_t seed = 0;
  std::function<bool(const std::string&)> emit;  // streaming; false: the client is gone
  std::function<bool()> client_gone;
  std::function<bool()> shutting_down;
};

enum class GenerationEnd { kFinished, kClientGone, kShutdown, kFailed };

struct GenerationResult {
  GenerationEnd end = GenerationEnd::kFinished;
  std::string finish_reason;  // "stop" or "length" (kFinished)
  Usage usage;
  std::string error;          // kFailed
};

// Tokens a request may generate: max_tokens (default: the rest of the
// context for chat, 16 for completions as in the OpenAI API), at most what
// the context has room for after the prompt.
int32_t fit_max_tokens(const GenerationRequest& req, int32_t n_prompt, int32_t n_ctx);

// The request's sampling parameters as edgellm takes them (unset fields:
// edgellm's defaults).
edgellm_sampling_params sampling_params(const GenerationRequest& req, uint64_t seed);

// What edgellm itself says about those parameters (edgellm_sampling_check),
// before any answer starts: false with a 400 whose param is the field the
// library names (its message starts with the field's name).
bool check_sampling(const GenerationRequest& req, ApiError* err);

GenerationResult run_generation(const GenerationJob& job, TextStream* text);

}  // namespace cli::server

// A request's prompt as tokens: chat messages rendered with the model's chat
// template, or a completion prompt (text or token ids), checked against the
// context size before any slot is taken.
#pragma once

#include <string>
#include <vector>

#include "cli/server/api_error.h"
#include "cli/server/request.h"
#include "edgellm.h"

namespace cli::server {

struct PromptSetup {
  edgellm_model* model = nullptr;
  int32_t n_ctx = 0;              // tokens per slot
  std::string chat_family;        // empty: chat is unavailable ...
  std::string chat_unavailable;   // ... and this says why
};

bool build_prompt(const PromptSetup& setup, const GenerationRequest& req, std::vector<edgellm_token>* out,
                  ApiError* err);

}  // namespace cli::server

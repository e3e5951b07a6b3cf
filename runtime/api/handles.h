// What the C API's opaque handles hold.
#pragma once

#include <memory>
#include <vector>

#include "runtime/exec/session.h"
#include "runtime/model/model.h"
#include "runtime/profile/profile.h"
#include "runtime/sample/sampler.h"

struct edgellm_model {
  std::unique_ptr<edgellm::Model> model;
};

struct edgellm_context {
  edgellm_model* owner = nullptr;
  std::unique_ptr<edgellm::Session> session;
  std::unique_ptr<edgellm::Sampler> sampler;
  std::vector<int32_t> history;  // every token in the KV cache, n_ctx preallocated
  std::vector<char> piece;       // longest token text, preallocated
  int32_t n_logits = 0;          // rows of logits from the last evaluate call
  std::unique_ptr<edgellm::Profile> profile;  // profile mode (null: off)
};

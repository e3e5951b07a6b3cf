// What the C API's opaque handles hold.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "runtime/exec/session.h"
#include "runtime/model/model.h"
#include "runtime/profile/profile.h"
#include "runtime/sample/sampler.h"

// A model lives while the caller holds it or any context uses it:
// edgellm_model_free drops the caller's reference and the last
// edgellm_context_free of its contexts deletes it (refs = 1 + contexts).
struct edgellm_model {
  std::unique_ptr<edgellm::Model> model;
  std::atomic<int32_t> refs{1};
};
namespace edgellm::api {
void release_model(edgellm_model* m);  // model_api.cpp
}

struct edgellm_context {
  edgellm_model* owner = nullptr;
  std::unique_ptr<edgellm::Session> session;
  std::unique_ptr<edgellm::Sampler> sampler;
  std::vector<int32_t> history;  // every token in the KV cache, n_ctx preallocated
  std::vector<char> piece;       // longest token text, preallocated
  int32_t n_logits = 0;          // rows of logits from the last evaluate call
  std::unique_ptr<edgellm::Profile> profile;  // profile mode (null: off)
  std::atomic<bool> busy{false};  // a call is using the context (see ContextUse)
};

namespace edgellm::api {

// Marks a context in use for one API call. A second thread calling in while
// the first is still inside gets EDGELLM_ERR_INVALID_ARGUMENT instead of
// undefined results (a context is for one thread at a time).
class ContextUse {
 public:
  explicit ContextUse(edgellm_context* ctx) : ctx_(ctx) {
    bool expected = false;
    owned_ = ctx_ != nullptr && ctx_->busy.compare_exchange_strong(expected, true, std::memory_order_acquire);
  }
  ~ContextUse() {
    if (owned_) ctx_->busy.store(false, std::memory_order_release);
  }
  ContextUse(const ContextUse&) = delete;
  ContextUse& operator=(const ContextUse&) = delete;
  bool ok() const { return owned_; }

 private:
  edgellm_context* ctx_;
  bool owned_ = false;
};

}  // namespace edgellm::api

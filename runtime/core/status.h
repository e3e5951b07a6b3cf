// Errors as values: every fallible runtime function returns a Status.
// No exception crosses a module boundary; the C API maps StatusCode to
// edgellm_status and copies the message into thread-local error text.
#pragma once

#include <string>
#include <utility>

namespace edgellm {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,  // API misuse, bad parameter, invalid token id
  kIo = 2,               // file cannot be opened / mapped / read
  kFormat = 3,           // malformed file (GGUF structure, missing keys/tensors)
  kUnsupported = 4,      // unknown architecture, tensor type, tokenizer
  kOutOfMemory = 5,      // allocation failed or caller arena too small
  kContextFull = 6,      // tokens would exceed n_ctx
  kInternal = 7,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// printf-style constructor for error statuses.
Status Errorf(StatusCode code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

const char* status_code_name(StatusCode code);

}  // namespace edgellm

// Propagate a non-OK status to the caller.
#define EDGELLM_TRY(expr)                          \
  do {                                             \
    ::edgellm::Status edgellm_try_status_ = (expr); \
    if (!edgellm_try_status_.ok()) return edgellm_try_status_; \
  } while (0)

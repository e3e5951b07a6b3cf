#include "runtime/core/status.h"

#include <cstdarg>
#include <cstdio>

namespace edgellm {

Status Errorf(StatusCode code, const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return Status(code, buf);
}

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kIo: return "i/o error";
    case StatusCode::kFormat: return "format error";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kOutOfMemory: return "out of memory";
    case StatusCode::kContextFull: return "context full";
    case StatusCode::kInternal: return "internal error";
  }
  return "unknown";
}

}  // namespace edgellm

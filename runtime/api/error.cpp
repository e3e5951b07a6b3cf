#include "runtime/api/error.h"

#include <cstdarg>
#include <cstdio>
#include <new>

namespace edgellm::api {
namespace {
thread_local char g_error[1024] = "";
}

edgellm_status fail(const Status& status) {
  std::snprintf(g_error, sizeof g_error, "%s", status.message().c_str());
  return static_cast<edgellm_status>(static_cast<int>(status.code()));
}

edgellm_status fail(edgellm_status code, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(g_error, sizeof g_error, fmt, ap);
  va_end(ap);
  return code;
}

void clear_error() { g_error[0] = '\0'; }
const char* last_error() { return g_error; }

}  // namespace edgellm::api

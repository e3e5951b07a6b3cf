// Thread-local error text and the mapping of Status to edgellm_status.
#pragma once

#include <cstring>
#include <string>
#include <string_view>

#include "edgellm.h"
#include "runtime/core/status.h"

namespace edgellm::api {

edgellm_status fail(const Status& status);
edgellm_status fail(edgellm_status code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void clear_error();
const char* last_error();

// Runs fn, converting any escaping exception (e.g. std::bad_alloc) into a status.
template <typename Fn>
edgellm_status guarded(Fn&& fn) {
  try {
    clear_error();
    return fn();
  } catch (const std::bad_alloc&) {
    return fail(EDGELLM_ERR_OUT_OF_MEMORY, "out of memory");
  } catch (...) {
    return fail(EDGELLM_ERR_INTERNAL, "internal error (unexpected exception)");
  }
}

// Text from a file made safe to print inside double quotes: printable
// ASCII other than " and \ and well-formed UTF-8 of printable code points
// stay; control characters, quotes, backslashes and invalid bytes become
// \xNN (model_api.cpp).
std::string escape_text(std::string_view s);

// Copies text into buf (truncated, NUL-terminated when size > 0) and
// returns the length it needed, the C API's convention for text out.
inline size_t copy_out(const std::string& text, char* buf, size_t size) {
  if (buf && size > 0) {
    const size_t n = text.size() < size - 1 ? text.size() : size - 1;
    std::memcpy(buf, text.data(), n);
    buf[n] = '\0';
  }
  return text.size();
}

}  // namespace edgellm::api

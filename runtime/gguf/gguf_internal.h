// Internal to runtime/gguf: helpers shared by the reader and the getters.
#pragma once

#include <string>
#include <string_view>

namespace edgellm::gguf::detail {

// A file-supplied name made safe to embed in an error message: non-printable
// bytes escaped as \xNN, long names cut (keys can be as long as the file).
std::string printable(std::string_view s);

}  // namespace edgellm::gguf::detail

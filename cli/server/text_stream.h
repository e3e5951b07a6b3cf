// The text of one generation as the client sees it: token bytes made valid
// UTF-8 (utf8.h) and cut before the first stop string. A stop string may
// arrive split across tokens, so text that could still be the start of one
// is held back until the next token decides; everything before it is ready
// to stream.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "cli/server/utf8.h"

namespace cli::server {

class TextStream {
 public:
  explicit TextStream(std::vector<std::string> stops);

  // Adds a token's bytes. True when a stop string is now complete: the text
  // ends before it and nothing more may be added.
  bool add(const char* piece, size_t n);
  // End of generation: an unfinished character becomes U+FFFD and the
  // held-back tail is released. True when that completed a stop string.
  bool finish();
  // Ready text not taken before (possibly empty); marks it taken.
  std::string take_ready();

  const std::string& text() const { return text_; }  // final after finish() or a stop
  bool stopped() const { return stopped_; }

 private:
  bool scan(bool final);

  std::vector<std::string> stops_;
  size_t longest_stop_ = 0;
  Utf8Filter utf8_;
  std::string text_;
  size_t taken_ = 0;  // bytes handed out by take_ready
  size_t ready_ = 0;  // bytes that cannot be part of a stop string any more
  bool stopped_ = false;
};

}  // namespace cli::server

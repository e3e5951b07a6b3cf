#include "cli/server/text_stream.h"

#include <algorithm>
#include <utility>

namespace cli::server {

TextStream::TextStream(std::vector<std::string> stops) : stops_(std::move(stops)) {
  for (const std::string& s : stops_) longest_stop_ = std::max(longest_stop_, s.size());
}

bool TextStream::add(const char* piece, size_t n) {
  if (stopped_) return true;
  utf8_.feed(piece, n, &text_);
  return scan(false);
}

bool TextStream::finish() {
  if (stopped_) return true;
  utf8_.finish(&text_);
  return scan(true);
}

std::string TextStream::take_ready() {
  std::string out = text_.substr(taken_, ready_ - taken_);
  taken_ = ready_;
  return out;
}

bool TextStream::scan(bool final) {
  // No stop string starts before ready_ (it would have been found or held
  // back), so the search starts there.
  size_t first = std::string::npos;
  for (const std::string& s : stops_) first = std::min(first, text_.find(s, ready_));
  if (first != std::string::npos) {
    text_.resize(first);
    ready_ = first;
    stopped_ = true;
    return true;
  }
  // Hold back the longest tail that is the beginning of a stop string.
  size_t hold = 0;
  if (!final) {
    const size_t max_tail = std::min(longest_stop_ == 0 ? 0 : longest_stop_ - 1, text_.size() - ready_);
    for (size_t k = max_tail; k > 0 && hold == 0; --k) {
      for (const std::string& s : stops_) {
        if (s.size() > k && text_.compare(text_.size() - k, k, s, 0, k) == 0) {
          hold = k;
          break;
        }
      }
    }
  }
  ready_ = text_.size() - hold;
  return false;
}

}  // namespace cli::server

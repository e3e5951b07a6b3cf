#include "cli/server/utf8.h"

namespace cli::server {
namespace {
constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD
}

void Utf8Filter::restart() {
  n_pending_ = 0;
  needed_ = 0;
  lower_ = 0x80;
  upper_ = 0xBF;
}

void Utf8Filter::feed(const char* data, size_t n, std::string* out) {
  size_t i = 0;
  while (i < n) {
    const auto b = static_cast<unsigned char>(data[i]);
    if (needed_ == 0) {
      ++i;
      if (b < 0x80) {
        out->push_back(static_cast<char>(b));
        continue;
      }
      if (b >= 0xC2 && b <= 0xDF) {
        needed_ = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        if (b == 0xE0) lower_ = 0xA0;  // no overlong forms
        if (b == 0xED) upper_ = 0x9F;  // no surrogates
        needed_ = 2;
      } else if (b >= 0xF0 && b <= 0xF4) {
        if (b == 0xF0) lower_ = 0x90;  // no overlong forms
        if (b == 0xF4) upper_ = 0x8F;  // nothing above U+10FFFF
        needed_ = 3;
      } else {
        out->append(kReplacement);  // a continuation byte or 0xC0, 0xC1, 0xF5..0xFF
        continue;
      }
      pending_[0] = static_cast<char>(b);
      n_pending_ = 1;
      continue;
    }
    if (b < lower_ || b > upper_) {
      // The started character is ill-formed: one U+FFFD for it, and this
      // byte is read again as the start of whatever follows.
      restart();
      out->append(kReplacement);
      continue;
    }
    ++i;
    lower_ = 0x80;
    upper_ = 0xBF;
    pending_[n_pending_++] = static_cast<char>(b);
    if (n_pending_ == needed_ + 1) {
      out->append(pending_, static_cast<size_t>(n_pending_));
      restart();
    }
  }
}

void Utf8Filter::finish(std::string* out) {
  if (needed_ > 0) out->append(kReplacement);
  restart();
}

}  // namespace cli::server

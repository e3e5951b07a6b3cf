// Reassembles UTF-8 text from token pieces when streaming: a piece may end
// in the middle of a multi-byte character (byte-level BPE and byte-fallback
// tokens split characters), so bytes are held back until the character is
// complete. Header-only, so tools built on the C API can use it too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace edgellm {

// Length of the longest prefix of s that does not end inside an unfinished
// UTF-8 sequence: a trailing lead byte still waiting for continuation bytes
// (at most 3 bytes) is excluded. Invalid bytes count as complete.
inline size_t utf8_complete_prefix(std::string_view s) {
  const size_t n = s.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    const uint8_t c = static_cast<uint8_t>(s[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: look further back
    if (c < 0xC0 || c >= 0xF8) return n;  // ASCII or invalid lead: complete
    const size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    return need > back ? n - back : n;
  }
  return n;
}

class Utf8Assembler {
 public:
  // Appends a piece; returns the text that is complete so far (valid until
  // the next call). Incomplete trailing bytes are kept for the next piece.
  std::string_view push(std::string_view piece) {
    pending_.append(piece);
    const size_t k = utf8_complete_prefix(pending_);
    out_.assign(pending_, 0, k);
    pending_.erase(0, k);
    return out_;
  }
  // Whatever is still held back (an unfinished sequence at the end of the
  // stream), emitted as is; the assembler is empty afterwards.
  std::string flush() {
    std::string rest;
    rest.swap(pending_);
    return rest;
  }
  size_t pending() const { return pending_.size(); }

 private:
  std::string pending_;
  std::string out_;
};

}  // namespace edgellm

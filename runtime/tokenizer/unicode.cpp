#include "runtime/tokenizer/unicode.h"

#include <algorithm>
#include <array>

namespace edgellm {
namespace {

// Classes of the first 256 code points, built once from the range table.
struct Latin1Table {
  std::array<UnicodeClass, 256> cls{};
  std::array<bool, 256> ws{};
  Latin1Table() {
    for (uint32_t cp = 0; cp < 256; ++cp) cls[cp] = lookup(cp);
    for (size_t i = 0; i < unicode_data::kNumWhiteSpace; ++i) {
      if (unicode_data::kWhiteSpace[i] < 256) ws[unicode_data::kWhiteSpace[i]] = true;
    }
  }
  static UnicodeClass lookup(uint32_t cp) {
    const uint32_t* begin = unicode_data::kClassRanges;
    const uint32_t* end = begin + unicode_data::kNumClassRanges;
    // First range whose start is > cp, then step back one.
    const uint32_t* it = std::upper_bound(begin, end, cp, [](uint32_t v, uint32_t packed) {
      return v < (packed >> 4);
    });
    if (it == begin) return UnicodeClass::kOther;
    return static_cast<UnicodeClass>(it[-1] & 0xF);
  }
};

const Latin1Table& latin1() {
  static const Latin1Table t;
  return t;
}

}  // namespace

UnicodeClass unicode_class(uint32_t cp) {
  if (cp < 256) return latin1().cls[cp];
  if (cp > 0x10FFFF) return UnicodeClass::kOther;
  return Latin1Table::lookup(cp);
}

bool unicode_is_whitespace(uint32_t cp) {
  if (cp < 256) return latin1().ws[cp];
  for (size_t i = 0; i < unicode_data::kNumWhiteSpace; ++i) {
    if (unicode_data::kWhiteSpace[i] == cp) return true;
  }
  return false;
}

uint32_t utf8_decode(std::string_view s, size_t* offset) {
  const size_t i = *offset;
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  const auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  const uint8_t lead = b(0);
  uint32_t cp;
  size_t n;
  if (lead < 0x80) {
    cp = lead;
    n = 1;
  } else if ((lead & 0x40) == 0) {
    cp = 0xFFFD;  // stray continuation byte
    n = 1;
  } else if ((lead & 0x20) == 0) {
    if (!cont(1)) return ++*offset, 0xFFFD;
    cp = (uint32_t{lead} & 0x1F) << 6 | (b(1) & 0x3F);
    n = 2;
  } else if ((lead & 0x10) == 0) {
    if (!cont(1) || !cont(2)) return ++*offset, 0xFFFD;
    cp = (uint32_t{lead} & 0x0F) << 12 | uint32_t{b(1) & 0x3Fu} << 6 | (b(2) & 0x3F);
    n = 3;
  } else if ((lead & 0x08) == 0) {
    if (!cont(1) || !cont(2) || !cont(3)) return ++*offset, 0xFFFD;
    cp = (uint32_t{lead} & 0x07) << 18 | uint32_t{b(1) & 0x3Fu} << 12 |
         uint32_t{b(2) & 0x3Fu} << 6 | (b(3) & 0x3F);
    n = 4;
    if (cp > 0x10FFFF) cp = 0xFFFD;
  } else {
    cp = 0xFFFD;
    n = 1;
  }
  *offset += n;
  return cp;
}

std::vector<uint32_t> utf8_to_codepoints(std::string_view s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  for (size_t off = 0; off < s.size();) out.push_back(utf8_decode(s, &off));
  return out;
}

void utf8_append(uint32_t cp, std::string* out) {
  if (cp > 0x10FFFF) cp = 0xFFFD;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace edgellm

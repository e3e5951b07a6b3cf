// Metadata values: type names, and the typed getters that turn "missing key"
// and "wrong type / out of range" into Status messages naming the key.

#include <cinttypes>
#include <cstdio>
#include <limits>

#include "runtime/gguf/gguf.h"
#include "runtime/gguf/gguf_internal.h"

namespace edgellm::gguf {

namespace detail {

std::string printable(std::string_view s) {
  constexpr size_t kMaxShown = 96;
  std::string out;
  const size_t n = s.size() < kMaxShown ? s.size() : kMaxShown;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (n < s.size()) out += "...";
  return out;
}

}  // namespace detail

const char* value_type_name(ValueType t) {
  // Spelled as gguf-py / llama.cpp spell them, so messages match the tools.
  switch (t) {
    case ValueType::U8: return "UINT8";
    case ValueType::I8: return "INT8";
    case ValueType::U16: return "UINT16";
    case ValueType::I16: return "INT16";
    case ValueType::U32: return "UINT32";
    case ValueType::I32: return "INT32";
    case ValueType::F32: return "FLOAT32";
    case ValueType::BOOL: return "BOOL";
    case ValueType::STRING: return "STRING";
    case ValueType::ARRAY: return "ARRAY";
    case ValueType::U64: return "UINT64";
    case ValueType::I64: return "INT64";
    case ValueType::F64: return "FLOAT64";
  }
  return "UNKNOWN";
}

bool Value::is_integer() const {
  switch (type) {
    case ValueType::U8: case ValueType::I8: case ValueType::U16: case ValueType::I16:
    case ValueType::U32: case ValueType::I32: case ValueType::U64: case ValueType::I64:
      return true;
    default:
      return false;
  }
}

namespace {

bool is_signed(ValueType t) {
  return t == ValueType::I8 || t == ValueType::I16 || t == ValueType::I32 || t == ValueType::I64;
}

Status not_found(const std::string& path, std::string_view key) {
  return Errorf(StatusCode::kFormat, "%s: metadata key '%s' not found", path.c_str(),
                detail::printable(key).c_str());
}

Status wrong_type(const std::string& path, std::string_view key, const char* expected,
                  ValueType actual) {
  return Errorf(StatusCode::kFormat, "%s: metadata key '%s' has type %s, expected %s",
                path.c_str(), detail::printable(key).c_str(), value_type_name(actual), expected);
}

// Range check for an integer value against [lo, hi] of the destination.
template <typename T>
Status get_integer(const File& f, std::string_view key, const char* dest, T* out) {
  const Value* v = f.find(key);
  if (v == nullptr) return not_found(f.path(), key);
  if (!v->is_integer()) {
    const std::string expected = std::string("an integer type (read as ") + dest + ")";
    return wrong_type(f.path(), key, expected.c_str(), v->type);
  }
  if (is_signed(v->type)) {
    const int64_t x = v->i64;
    const bool fits = std::numeric_limits<T>::is_signed
                          ? x >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
                                x <= static_cast<int64_t>(std::numeric_limits<T>::max())
                          : x >= 0 && static_cast<uint64_t>(x) <=
                                          static_cast<uint64_t>(std::numeric_limits<T>::max());
    if (!fits) {
      return Errorf(StatusCode::kFormat, "%s: metadata key '%s' value %" PRId64 " does not fit %s",
                    f.path().c_str(), detail::printable(key).c_str(), x, dest);
    }
    *out = static_cast<T>(x);
  } else {
    const uint64_t x = v->u64;
    if (x > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
      return Errorf(StatusCode::kFormat, "%s: metadata key '%s' value %" PRIu64 " does not fit %s",
                    f.path().c_str(), detail::printable(key).c_str(), x, dest);
    }
    *out = static_cast<T>(x);
  }
  return Status::Ok();
}

}  // namespace

Status File::get_u32(std::string_view key, uint32_t* out) const {
  return get_integer(*this, key, "UINT32", out);
}
Status File::get_i32(std::string_view key, int32_t* out) const {
  return get_integer(*this, key, "INT32", out);
}
Status File::get_u64(std::string_view key, uint64_t* out) const {
  return get_integer(*this, key, "UINT64", out);
}

Status File::get_f32(std::string_view key, float* out) const {
  const Value* v = find(key);
  if (v == nullptr) return not_found(path_, key);
  if (!v->is_float()) return wrong_type(path_, key, "FLOAT32 or FLOAT64", v->type);
  *out = static_cast<float>(v->f64);
  return Status::Ok();
}

Status File::get_bool(std::string_view key, bool* out) const {
  const Value* v = find(key);
  if (v == nullptr) return not_found(path_, key);
  if (v->type != ValueType::BOOL) return wrong_type(path_, key, "BOOL", v->type);
  *out = v->u64 != 0;
  return Status::Ok();
}

Status File::get_string(std::string_view key, std::string* out) const {
  const Value* v = find(key);
  if (v == nullptr) return not_found(path_, key);
  if (v->type != ValueType::STRING) return wrong_type(path_, key, "STRING", v->type);
  out->assign(v->str);
  return Status::Ok();
}

void File::release_large_arrays(size_t max_elements) {
  for (auto& [key, value] : kv_) {
    if (value.type == ValueType::ARRAY && value.array.size() > max_elements) {
      value.released_count = value.array.size();
      std::vector<Value>().swap(value.array);  // give the memory back
    }
  }
}

std::string shape_string(const TensorInfo& t) {
  char buf[128];
  int len = std::snprintf(buf, sizeof buf, "[%lld", static_cast<long long>(t.ne[0]));
  const uint32_t n = t.n_dims == 0 ? 1 : (t.n_dims > 4 ? 4 : t.n_dims);
  for (uint32_t i = 1; i < n; ++i) {
    len += std::snprintf(buf + len, sizeof buf - static_cast<size_t>(len), ", %lld", static_cast<long long>(t.ne[i]));
  }
  std::snprintf(buf + len, sizeof buf - static_cast<size_t>(len), "]");
  return buf;
}

}  // namespace edgellm::gguf

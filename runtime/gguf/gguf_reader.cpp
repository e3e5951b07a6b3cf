// GGUF parsing: header, metadata, tensor table, data-section validation, and
// the mmap / read-into-memory loaders.
//
// The input is untrusted. All reads go through detail::Cursor (bounds-checked);
// every count is compared with the bytes left before anything is allocated;
// all size arithmetic is overflow-checked. Errors name the file first.

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <limits>
#include <new>
#include <type_traits>

#include "runtime/gguf/gguf.h"
#include "runtime/gguf/gguf_cursor.h"
#include "runtime/gguf/gguf_internal.h"

namespace edgellm::gguf {
namespace {

using detail::Cursor;
using detail::printable;

constexpr uint32_t kDefaultAlignment = 32;
// Nested arrays recurse; a hostile file could otherwise nest deeply enough
// to exhaust the stack. Real files nest at most once or twice.
constexpr int kMaxArrayDepth = 8;

// Smallest encoding of one value of type t (a string is at least its u64
// length, an array at least its u32 type + u64 count). Used to bound claimed
// counts by the bytes actually left.
size_t min_value_bytes(ValueType t) {
  switch (t) {
    case ValueType::U8: case ValueType::I8: case ValueType::BOOL: return 1;
    case ValueType::U16: case ValueType::I16: return 2;
    case ValueType::U32: case ValueType::I32: case ValueType::F32: return 4;
    case ValueType::U64: case ValueType::I64: case ValueType::F64: return 8;
    case ValueType::STRING: return 8;
    case ValueType::ARRAY: return 12;
  }
  return 1;
}

// Up-front reservation for a file-claimed count, capped so that a corrupt
// count in a large file cannot request gigabytes before parsing fails.
size_t capped_reserve(uint64_t count) {
  constexpr uint64_t kMaxReserve = 1 << 16;
  return static_cast<size_t>(count < kMaxReserve ? count : kMaxReserve);
}

bool valid_value_type(uint32_t t) { return t <= static_cast<uint32_t>(ValueType::F64); }

// Parses one file's bytes; holds the cursor and the name used in errors.
class Parser {
 public:
  Parser(const std::string& path, const uint8_t* data, size_t size)
      : path_(path), cur_(data, size) {}

  Cursor& cursor() { return cur_; }

  Status truncated(const char* what, size_t need) const {
    return Errorf(StatusCode::kFormat,
                  "%s: truncated file: %s at offset %zu needs %zu bytes, only %zu remain",
                  path_.c_str(), what, cur_.pos(), need, cur_.remaining());
  }

  template <typename T>
  Status read(T* out, const char* what) {
    if (!cur_.read(out)) return truncated(what, sizeof(T));
    return Status::Ok();
  }

  Status read_string(std::string_view* out, const char* what) {
    uint64_t len = 0;
    EDGELLM_TRY(read(&len, what));
    if (len > cur_.remaining()) {
      return Errorf(StatusCode::kFormat,
                    "%s: %s at offset %zu has length %" PRIu64
                    " but only %zu bytes remain in the file",
                    path_.c_str(), what, cur_.pos() - 8, len, cur_.remaining());
    }
    cur_.read_view(len, out);
    return Status::Ok();
  }

  // Reads a value of type t (already read) for metadata key `key`.
  Status read_value(std::string_view key, ValueType t, int depth, Value* v) {
    v->type = t;
    switch (t) {
      case ValueType::U8: return read_int<uint8_t>(v, "u8 value");
      case ValueType::U16: return read_int<uint16_t>(v, "u16 value");
      case ValueType::U32: return read_int<uint32_t>(v, "u32 value");
      case ValueType::U64: return read_int<uint64_t>(v, "u64 value");
      case ValueType::I8: return read_int<int8_t>(v, "i8 value");
      case ValueType::I16: return read_int<int16_t>(v, "i16 value");
      case ValueType::I32: return read_int<int32_t>(v, "i32 value");
      case ValueType::I64: return read_int<int64_t>(v, "i64 value");
      case ValueType::F32: {
        float x = 0;
        if (!cur_.read_f32(&x)) return truncated("f32 value", 4);
        v->f64 = x;
        break;
      }
      case ValueType::F64:
        if (!cur_.read_f64(&v->f64)) return truncated("f64 value", 8);
        break;
      case ValueType::BOOL: {
        uint8_t x = 0;
        EDGELLM_TRY(read(&x, "bool value"));
        if (x > 1) {
          return Errorf(StatusCode::kFormat,
                        "%s: metadata key '%s' has bool value %u (must be 0 or 1)", path_.c_str(),
                        printable(key).c_str(), x);
        }
        v->u64 = x;
        v->i64 = x;
        break;
      }
      case ValueType::STRING:
        EDGELLM_TRY(read_string(&v->str, "string value"));
        break;
      case ValueType::ARRAY:
        EDGELLM_TRY(read_array(key, depth, v));
        break;
    }
    return Status::Ok();
  }

  Status read_value_type(std::string_view key, const char* what, ValueType* t) {
    uint32_t raw = 0;
    EDGELLM_TRY(read(&raw, what));
    if (!valid_value_type(raw)) {
      return Errorf(StatusCode::kFormat, "%s: metadata key '%s' has invalid %s %u",
                    path_.c_str(), printable(key).c_str(), what, raw);
    }
    *t = static_cast<ValueType>(raw);
    return Status::Ok();
  }

 private:
  // Integers are widened into both u64 and i64 where the value fits each,
  // so callers can read either field without re-checking the sign.
  template <typename T>
  Status read_int(Value* v, const char* what) {
    T x = 0;
    EDGELLM_TRY(read(&x, what));
    if constexpr (std::is_signed_v<T>) {
      v->i64 = x;
      if (x >= 0) v->u64 = static_cast<uint64_t>(x);
    } else {
      v->u64 = x;
      if (v->u64 <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        v->i64 = static_cast<int64_t>(v->u64);
      }
    }
    return Status::Ok();
  }

  Status read_array(std::string_view key, int depth, Value* v) {
    if (depth >= kMaxArrayDepth) {
      return Errorf(StatusCode::kFormat, "%s: metadata key '%s' nests arrays deeper than %d levels",
                    path_.c_str(), printable(key).c_str(), kMaxArrayDepth);
    }
    EDGELLM_TRY(read_value_type(key, "array element type", &v->array_type));
    uint64_t count = 0;
    EDGELLM_TRY(read(&count, "array count"));
    // Bound before reserving: a claimed count of 2^60 must not allocate.
    const uint64_t max_count = cur_.remaining() / min_value_bytes(v->array_type);
    if (count > max_count) {
      return Errorf(StatusCode::kFormat,
                    "%s: metadata key '%s' array count %" PRIu64
                    " of %s exceeds the %zu bytes remaining in the file",
                    path_.c_str(), printable(key).c_str(), count, value_type_name(v->array_type),
                    cur_.remaining());
    }
    // Grow with what actually parses: a count that passes the bound but is
    // still a lie (a corrupt multi-GB file) then costs no more than the
    // bytes really present.
    v->array.reserve(capped_reserve(count));
    for (uint64_t i = 0; i < count; ++i) {
      v->array.emplace_back();
      EDGELLM_TRY(read_value(key, v->array_type, depth + 1, &v->array.back()));
    }
    return Status::Ok();
  }

  const std::string& path_;
  Cursor cur_;
};

// ceil(x / a) * a for a power-of-two a; false on overflow.
bool align_up(uint64_t x, uint64_t a, uint64_t* out) {
  if (x > std::numeric_limits<uint64_t>::max() - (a - 1)) return false;
  *out = (x + a - 1) & ~(a - 1);
  return true;
}

bool checked_mul(int64_t a, int64_t b, int64_t* out) { return !__builtin_mul_overflow(a, b, out); }

}  // namespace

File::~File() {
  if (mapped_ && base_ != nullptr) {
    unregister_mapping(base_);
    munmap(const_cast<uint8_t*>(base_), size_);
  }
}

Status File::parse_memory(const void* data, size_t size, const std::string& name,
                          std::unique_ptr<File>* out) {
  std::unique_ptr<File> f(new File());
  f->path_ = name;
  f->base_ = static_cast<const uint8_t*>(data);
  f->size_ = size;
  EDGELLM_TRY(f->parse());
  *out = std::move(f);
  return Status::Ok();
}

Status File::open(const std::string& path, std::unique_ptr<File>* out, const OpenOptions& opts) {
  // O_NONBLOCK: opening a FIFO (or another special file) must not wait for a
  // writer; the regular-file check below refuses it. Reads of a regular
  // file ignore the flag.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return Errorf(StatusCode::kIo, "%s: cannot open: %s", path.c_str(), std::strerror(errno));
  }
  // Close the descriptor on every path; the mapping stays valid without it.
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};

  struct stat st;
  if (fstat(fd, &st) != 0) {
    return Errorf(StatusCode::kIo, "%s: cannot stat: %s", path.c_str(), std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Errorf(StatusCode::kIo, "%s: not a regular file (a %s); give the path of a .gguf file",
                  path.c_str(),
                  S_ISDIR(st.st_mode)    ? "directory"
                  : S_ISFIFO(st.st_mode) ? "FIFO"
                  : S_ISCHR(st.st_mode)  ? "character device"
                  : S_ISBLK(st.st_mode)  ? "block device"
                  : S_ISSOCK(st.st_mode) ? "socket"
                                         : "special file");
  }
  const size_t size = static_cast<size_t>(st.st_size);

  std::unique_ptr<File> f(new File());
  f->path_ = path;
  f->size_ = size;
  // mmap rejects length 0; an empty file is left unmapped and fails parsing
  // as truncated, like any other short file.
  if (size > 0 && opts.use_mmap) {
    void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      return Errorf(StatusCode::kIo, "%s: cannot mmap %zu bytes: %s", path.c_str(), size,
                    std::strerror(errno));
    }
    f->base_ = static_cast<const uint8_t*>(p);
    f->mapped_ = true;
    register_mapping(p, size, path);
  } else if (size > 0) {
    f->owned_.reset(new (std::nothrow) uint8_t[size]);
    if (!f->owned_) {
      return Errorf(StatusCode::kOutOfMemory, "%s: cannot allocate %zu bytes to read the file",
                    path.c_str(), size);
    }
    size_t done = 0;
    while (done < size) {
      const ssize_t n = ::read(fd, f->owned_.get() + done, size - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        return Errorf(StatusCode::kIo, "%s: read failed at offset %zu: %s", path.c_str(), done,
                      std::strerror(errno));
      }
      if (n == 0) {
        return Errorf(StatusCode::kIo, "%s: file shrank while reading (%zu of %zu bytes)",
                      path.c_str(), done, size);
      }
      done += static_cast<size_t>(n);
    }
    f->base_ = f->owned_.get();
  }
  EDGELLM_TRY(f->parse());
  *out = std::move(f);
  return Status::Ok();
}

Status File::parse() {
  const char* p = path_.c_str();
  Parser ps(path_, base_, size_);
  Cursor& cur = ps.cursor();

  // --- header -------------------------------------------------------------
  std::string_view magic;
  if (!cur.read_view(4, &magic)) return ps.truncated("magic", 4);
  if (magic != "GGUF") {
    return Errorf(StatusCode::kFormat, "%s: bad magic '%s' (expected 'GGUF'): not a GGUF file", p,
                  detail::printable(magic).c_str());
  }
  EDGELLM_TRY(ps.read(&version_, "version"));
  if (version_ != 2 && version_ != 3) {
    // A byte-swapped small version means a big-endian file.
    const bool swapped = version_ == 0x02000000u || version_ == 0x03000000u;
    return Errorf(StatusCode::kUnsupported, "%s: unsupported GGUF version %u%s (only 2 and 3)", p,
                  version_, swapped ? " (big-endian file)" : "");
  }
  uint64_t n_tensors = 0, n_kv = 0;
  EDGELLM_TRY(ps.read(&n_tensors, "tensor count"));
  EDGELLM_TRY(ps.read(&n_kv, "metadata count"));
  // Minimum encodings: kv = key length (8) + type (4) + 1-byte value;
  // tensor info = name length (8) + n_dims (4) + one dim (8) + type (4) + offset (8).
  if (n_kv > cur.remaining() / 13) {
    return Errorf(StatusCode::kFormat,
                  "%s: metadata count %" PRIu64 " exceeds what the remaining %zu bytes can hold", p,
                  n_kv, cur.remaining());
  }
  if (n_tensors > cur.remaining() / 32) {
    return Errorf(StatusCode::kFormat,
                  "%s: tensor count %" PRIu64 " exceeds what the remaining %zu bytes can hold", p,
                  n_tensors, cur.remaining());
  }

  // --- metadata -------------------------------------------------------------
  kv_.clear();
  kv_index_.clear();
  kv_.reserve(capped_reserve(n_kv));
  for (uint64_t i = 0; i < n_kv; ++i) {
    std::string_view key;
    EDGELLM_TRY(ps.read_string(&key, "metadata key"));
    ValueType t = ValueType::U8;
    EDGELLM_TRY(ps.read_value_type(key, "value type", &t));
    Value v;
    EDGELLM_TRY(ps.read_value(key, t, 0, &v));
    // Index by a view into the file bytes: stable for the File's lifetime,
    // unlike the std::string in kv_ (moved on vector growth).
    if (!kv_index_.emplace(key, kv_.size()).second) {
      return Errorf(StatusCode::kFormat, "%s: duplicate metadata key '%s'", p,
                    detail::printable(key).c_str());
    }
    kv_.emplace_back(std::string(key), std::move(v));
  }

  alignment_ = kDefaultAlignment;
  if (const Value* a = find("general.alignment")) {
    if (a->type != ValueType::U32) {
      return Errorf(StatusCode::kFormat, "%s: general.alignment has type %s, expected UINT32", p,
                    value_type_name(a->type));
    }
    if (a->u64 == 0 || (a->u64 & (a->u64 - 1)) != 0) {
      return Errorf(StatusCode::kFormat,
                    "%s: general.alignment %" PRIu64 " is not a nonzero power of two", p, a->u64);
    }
    alignment_ = a->u64;
  }

  // --- tensor table ---------------------------------------------------------
  tensors_.clear();
  tensor_index_.clear();
  tensors_.reserve(capped_reserve(n_tensors));
  for (uint64_t i = 0; i < n_tensors; ++i) {
    std::string_view name;
    EDGELLM_TRY(ps.read_string(&name, "tensor name"));
    const std::string qname = detail::printable(name);
    TensorInfo ti;
    ti.name = std::string(name);
    EDGELLM_TRY(ps.read(&ti.n_dims, "tensor n_dims"));
    if (ti.n_dims == 0 || ti.n_dims > 4) {
      return Errorf(StatusCode::kFormat, "%s: tensor '%s' has %u dimensions (must be 1..4)", p,
                    qname.c_str(), ti.n_dims);
    }
    int64_t n_elements = 1;
    for (uint32_t d = 0; d < ti.n_dims; ++d) {
      uint64_t ne = 0;
      EDGELLM_TRY(ps.read(&ne, "tensor dimension"));
      if (ne == 0 || ne > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Errorf(StatusCode::kFormat, "%s: tensor '%s' dimension %u is %" PRId64
                      " (must be positive)", p, qname.c_str(), d, static_cast<int64_t>(ne));
      }
      ti.ne[d] = static_cast<int64_t>(ne);
      if (!checked_mul(n_elements, ti.ne[d], &n_elements)) {
        return Errorf(StatusCode::kFormat, "%s: tensor '%s' element count overflows", p,
                      qname.c_str());
      }
    }
    uint32_t raw_type = 0;
    EDGELLM_TRY(ps.read(&raw_type, "tensor type"));
    const DTypeInfo* info = dtype_info(raw_type);
    if (info == nullptr) {
      return Errorf(StatusCode::kUnsupported, "%s: tensor '%s' has unknown type id %u", p,
                    qname.c_str(), raw_type);
    }
    ti.type = info->type;
    EDGELLM_TRY(ps.read(&ti.offset, "tensor offset"));

    size_t row_bytes = 0;
    if (!dtype_row_bytes(ti.type, ti.ne[0], &row_bytes)) {
      return Errorf(StatusCode::kFormat,
                    "%s: tensor '%s' row length %" PRId64
                    " is not a multiple of the %s block size %" PRId64, p, qname.c_str(),
                    ti.ne[0], info->name, info->block_size);
    }
    if (__builtin_mul_overflow(row_bytes, static_cast<uint64_t>(ti.n_rows()), &ti.n_bytes)) {
      return Errorf(StatusCode::kFormat, "%s: tensor '%s' byte size overflows", p, qname.c_str());
    }
    if (ti.offset % alignment_ != 0) {
      return Errorf(StatusCode::kFormat,
                    "%s: tensor '%s' offset %" PRIu64
                    " is not a multiple of the alignment %" PRIu64,
                    p, qname.c_str(), ti.offset, alignment_);
    }
    if (!tensor_index_.emplace(name, tensors_.size()).second) {
      return Errorf(StatusCode::kFormat, "%s: duplicate tensor name '%s'", p, qname.c_str());
    }
    tensors_.push_back(std::move(ti));
  }

  // --- data section -----------------------------------------------------------
  uint64_t data_offset = 0;
  if (!align_up(cur.pos(), alignment_, &data_offset) || data_offset > size_) {
    if (!tensors_.empty()) {
      return Errorf(StatusCode::kFormat,
                    "%s: data section at offset %zu (aligned to %" PRIu64
                    ") starts past end of file (%zu bytes)",
                    p, cur.pos(), alignment_, size_);
    }
    // A tensor-less file (e.g. vocab only) may omit the final padding.
    data_offset = size_;
  }
  data_offset_ = static_cast<size_t>(data_offset);
  const size_t data_size = size_ - data_offset_;
  for (TensorInfo& ti : tensors_) {
    if (ti.offset > data_size || ti.n_bytes > data_size - ti.offset) {
      return Errorf(StatusCode::kFormat,
                    "%s: tensor '%s' data [offset %" PRIu64
                    ", %zu bytes] extends past end of file (%zu bytes)",
                    p, detail::printable(ti.name).c_str(), ti.offset, ti.n_bytes, size_);
    }
    ti.data = base_ + data_offset_ + ti.offset;
  }
  return Status::Ok();
}

const Value* File::find(std::string_view key) const {
  auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kv_[it->second].second;
}

const TensorInfo* File::tensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace edgellm::gguf

// GGUF v3 writer. Metadata is encoded as it is added; the tensor table and
// data offsets are laid out at write time so every tensor starts on an
// alignment boundary of the data section.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "runtime/gguf/gguf.h"

namespace edgellm::gguf {
namespace {

constexpr uint64_t kDefaultAlignment = 32;

void put_bytes(std::vector<uint8_t>* b, const void* p, size_t n) {
  // resize + memcpy rather than insert(): GCC 12 at -O3 reports a false
  // -Wstringop-overflow for vector<uint8_t>::insert of a byte range.
  if (n == 0) return;
  const size_t old = b->size();
  b->resize(old + n);
  std::memcpy(b->data() + old, p, n);
}

// Little-endian regardless of host order.
template <typename T>
void put(std::vector<uint8_t>* b, T v) {
  uint64_t x = 0;
  std::memcpy(&x, &v, sizeof(T));  // bit pattern (covers float/double)
  for (size_t i = 0; i < sizeof(T); ++i) b->push_back(static_cast<uint8_t>(x >> (8 * i)));
}

void put_string(std::vector<uint8_t>* b, const std::string& s) {
  put<uint64_t>(b, s.size());
  put_bytes(b, s.data(), s.size());
}

bool valid_alignment(uint64_t a) {
  return a != 0 && (a & (a - 1)) == 0 && a <= std::numeric_limits<uint32_t>::max();
}

uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) & ~(a - 1); }

}  // namespace

#define EDGELLM_GGUF_SCALAR(fn, T, vt)                         \
  void Writer::fn(const std::string& key, T v) {               \
    put_string(&kv_bytes_, key);                               \
    put<uint32_t>(&kv_bytes_, static_cast<uint32_t>(vt));      \
    put<T>(&kv_bytes_, v);                                     \
    ++n_kv_;                                                   \
  }
EDGELLM_GGUF_SCALAR(add_u8, uint8_t, ValueType::U8)
EDGELLM_GGUF_SCALAR(add_i8, int8_t, ValueType::I8)
EDGELLM_GGUF_SCALAR(add_u16, uint16_t, ValueType::U16)
EDGELLM_GGUF_SCALAR(add_i16, int16_t, ValueType::I16)
EDGELLM_GGUF_SCALAR(add_u32, uint32_t, ValueType::U32)
EDGELLM_GGUF_SCALAR(add_i32, int32_t, ValueType::I32)
EDGELLM_GGUF_SCALAR(add_u64, uint64_t, ValueType::U64)
EDGELLM_GGUF_SCALAR(add_i64, int64_t, ValueType::I64)
EDGELLM_GGUF_SCALAR(add_f32, float, ValueType::F32)
EDGELLM_GGUF_SCALAR(add_f64, double, ValueType::F64)
#undef EDGELLM_GGUF_SCALAR

void Writer::add_bool(const std::string& key, bool v) {
  add_raw(key, ValueType::BOOL, {v ? uint8_t{1} : uint8_t{0}});
}

void Writer::add_string(const std::string& key, const std::string& v) {
  std::vector<uint8_t> payload;
  put_string(&payload, v);
  add_raw(key, ValueType::STRING, payload);
}

void Writer::add_array_string(const std::string& key, const std::vector<std::string>& v) {
  std::vector<uint8_t> payload;
  put<uint32_t>(&payload, static_cast<uint32_t>(ValueType::STRING));
  put<uint64_t>(&payload, v.size());
  for (const std::string& s : v) put_string(&payload, s);
  add_raw(key, ValueType::ARRAY, payload);
}

void Writer::add_array_f32(const std::string& key, const std::vector<float>& v) {
  std::vector<uint8_t> payload;
  put<uint32_t>(&payload, static_cast<uint32_t>(ValueType::F32));
  put<uint64_t>(&payload, v.size());
  for (float x : v) put<float>(&payload, x);
  add_raw(key, ValueType::ARRAY, payload);
}

void Writer::add_array_i32(const std::string& key, const std::vector<int32_t>& v) {
  std::vector<uint8_t> payload;
  put<uint32_t>(&payload, static_cast<uint32_t>(ValueType::I32));
  put<uint64_t>(&payload, v.size());
  for (int32_t x : v) put<int32_t>(&payload, x);
  add_raw(key, ValueType::ARRAY, payload);
}

void Writer::add_raw(const std::string& key, ValueType type, const std::vector<uint8_t>& payload) {
  put_string(&kv_bytes_, key);
  put<uint32_t>(&kv_bytes_, static_cast<uint32_t>(type));
  put_bytes(&kv_bytes_, payload.data(), payload.size());
  ++n_kv_;
}

Status Writer::check_tensor(const std::string& name, DType type, const std::vector<int64_t>& ne,
                            size_t* n_bytes) const {
  if (ne.empty() || ne.size() > 4) {
    return Errorf(StatusCode::kInvalidArgument,
                  "gguf writer: tensor '%s' has %zu dimensions (must be 1..4)", name.c_str(),
                  ne.size());
  }
  for (const PendingTensor& t : tensors_) {
    if (t.name == name) {
      return Errorf(StatusCode::kInvalidArgument, "gguf writer: duplicate tensor '%s'",
                    name.c_str());
    }
  }
  int64_t rows = 1;
  for (size_t d = 0; d < ne.size(); ++d) {
    if (ne[d] <= 0) {
      return Errorf(StatusCode::kInvalidArgument,
                    "gguf writer: tensor '%s' dimension %zu is %" PRId64, name.c_str(), d, ne[d]);
    }
    if (d > 0 && __builtin_mul_overflow(rows, ne[d], &rows)) {
      return Errorf(StatusCode::kInvalidArgument, "gguf writer: tensor '%s' shape overflows",
                    name.c_str());
    }
  }
  size_t row_bytes = 0, expected = 0;
  if (!dtype_row_bytes(type, ne[0], &row_bytes) ||
      __builtin_mul_overflow(row_bytes, static_cast<uint64_t>(rows), &expected)) {
    return Errorf(StatusCode::kInvalidArgument,
                  "gguf writer: tensor '%s' row length %" PRId64 " is invalid for type %s",
                  name.c_str(), ne[0], dtype_name(type));
  }
  *n_bytes = expected;
  return Status::Ok();
}

Status Writer::add_tensor(const std::string& name, DType type, const std::vector<int64_t>& ne,
                          const void* data, size_t n_bytes) {
  size_t expected = 0;
  EDGELLM_TRY(check_tensor(name, type, ne, &expected));
  if (expected != n_bytes) {
    return Errorf(StatusCode::kInvalidArgument,
                  "gguf writer: tensor '%s' needs %zu bytes of %s data, got %zu", name.c_str(),
                  expected, dtype_name(type), n_bytes);
  }
  PendingTensor t{name, type, ne, {}, n_bytes, nullptr, nullptr};
  const uint8_t* src = static_cast<const uint8_t*>(data);
  t.data.assign(src, src + n_bytes);
  tensors_.push_back(std::move(t));
  return Status::Ok();
}

Status Writer::add_tensor_lazy(const std::string& name, DType type, const std::vector<int64_t>& ne,
                               FillFn fill, void* ctx) {
  if (!fill) {
    return Errorf(StatusCode::kInvalidArgument, "gguf writer: tensor '%s' has no fill function",
                  name.c_str());
  }
  size_t n_bytes = 0;
  EDGELLM_TRY(check_tensor(name, type, ne, &n_bytes));
  tensors_.push_back(PendingTensor{name, type, ne, {}, n_bytes, fill, ctx});
  return Status::Ok();
}

// Magic, counts, metadata and the tensor table, padded to the alignment.
std::vector<uint8_t> Writer::header_bytes() const {
  std::vector<uint8_t> out;
  const bool write_alignment = alignment_ != kDefaultAlignment;
  put_bytes(&out, "GGUF", 4);
  put<uint32_t>(&out, 3);
  put<uint64_t>(&out, tensors_.size());
  put<uint64_t>(&out, n_kv_ + (write_alignment ? 1 : 0));
  if (write_alignment) {
    put_string(&out, "general.alignment");
    put<uint32_t>(&out, static_cast<uint32_t>(ValueType::U32));
    put<uint32_t>(&out, static_cast<uint32_t>(alignment_));
  }
  put_bytes(&out, kv_bytes_.data(), kv_bytes_.size());

  uint64_t offset = 0;
  for (const PendingTensor& t : tensors_) {
    put_string(&out, t.name);
    put<uint32_t>(&out, static_cast<uint32_t>(t.ne.size()));
    for (int64_t d : t.ne) put<uint64_t>(&out, static_cast<uint64_t>(d));
    put<uint32_t>(&out, static_cast<uint32_t>(t.type));
    put<uint64_t>(&out, offset);
    offset = align_up(offset + t.n_bytes, alignment_);
  }
  out.resize(align_up(out.size(), alignment_), 0);
  return out;
}

std::vector<uint8_t> Writer::to_bytes() const {
  if (!valid_alignment(alignment_)) return {};  // write() reports this
  std::vector<uint8_t> out = header_bytes();
  for (const PendingTensor& t : tensors_) {
    if (t.fill) {
      const size_t old = out.size();
      out.resize(old + t.n_bytes);
      if (!t.fill(t.fill_ctx, out.data() + old, t.n_bytes).ok()) return {};
    } else {
      put_bytes(&out, t.data.data(), t.data.size());
    }
    out.resize(align_up(out.size(), alignment_), 0);
  }
  return out;
}

namespace {

// Where a write to `path` lands: the path itself, or the file a symbolic
// link points to (the link stays a link). Refuses anything that exists and
// is not a regular file: a device node, FIFO or directory is never written
// to, replaced or removed.
Status resolve_target(const std::string& path, std::string* target, mode_t* mode) {
  *target = path;
  *mode = 0;
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Errorf(StatusCode::kIo, "%s: cannot stat: %s", path.c_str(), std::strerror(errno));
  }
  if (S_ISLNK(st.st_mode)) {
    char* real = realpath(path.c_str(), nullptr);
    if (real == nullptr) {
      return Errorf(StatusCode::kIo, "%s: a symbolic link that cannot be resolved: %s", path.c_str(),
                    std::strerror(errno));
    }
    *target = real;
    std::free(real);
    if (stat(target->c_str(), &st) != 0) {
      return Errorf(StatusCode::kIo, "%s: cannot stat: %s", target->c_str(), std::strerror(errno));
    }
  }
  if (!S_ISREG(st.st_mode)) {
    return Errorf(StatusCode::kIo, "%s: exists and is not a regular file; refusing to write a model there",
                  path.c_str());
  }
  *mode = st.st_mode & 07777;
  return Status::Ok();
}

}  // namespace

// Writes into a temporary file beside the target and renames it over the
// target only when every byte is written and flushed: a failed write leaves
// whatever was at the path untouched and removes only its own temporary.
Status Writer::write(const std::string& path) const {
  if (!valid_alignment(alignment_)) {
    return Errorf(StatusCode::kInvalidArgument,
                  "%s: gguf writer alignment %" PRIu64 " is not a power of two <= 2^31",
                  path.c_str(), alignment_);
  }
  std::string target;
  mode_t mode = 0;
  EDGELLM_TRY(resolve_target(path, &target, &mode));
  const size_t slash = target.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : target.substr(0, slash == 0 ? 1 : slash);
  const std::string base = slash == std::string::npos ? target : target.substr(slash + 1);
  // Created with mode 0666, so the umask applies as to any new file (mkstemp
  // gives 0600, and reading the umask would mean changing it process-wide);
  // an existing target's permissions are kept.
  static std::atomic<uint32_t> serial{0};
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 64; ++attempt) {
    tmp = dir + "/." + base;
    tmp.append(".tmp-").append(std::to_string(getpid())).append("-").append(std::to_string(serial++));
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    return Errorf(StatusCode::kIo, "%s: cannot create a temporary file in %s: %s", path.c_str(), dir.c_str(),
                  std::strerror(errno));
  }
  if (mode != 0) (void)fchmod(fd, mode);
  std::FILE* f = fdopen(fd, "wb");
  if (f == nullptr) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return Errorf(StatusCode::kIo, "%s: cannot write: %s", path.c_str(), std::strerror(err));
  }
  uint64_t total = 0;
  for (const PendingTensor& t : tensors_) total += align_up(t.n_bytes, alignment_);
  Status st = Status::Ok();
  auto put_file = [&](const void* p, size_t n) {
    if (st.ok() && n > 0 && std::fwrite(p, 1, n, f) != n) {
      st = Errorf(StatusCode::kIo, "%s: write failed: %s", path.c_str(), std::strerror(errno));
    }
  };
  const std::vector<uint8_t> header = header_bytes();
  put_file(header.data(), header.size());
  // Streams tensor by tensor: a lazy tensor's bytes live only while written.
  std::vector<uint8_t> buf;
  const uint8_t zeros[64] = {};
  uint64_t done = 0;
  for (size_t i = 0; i < tensors_.size() && st.ok(); ++i) {
    const PendingTensor& t = tensors_[i];
    if (t.fill) {
      buf.resize(t.n_bytes);
      Status fs = t.fill(t.fill_ctx, buf.data(), t.n_bytes);
      if (!fs.ok()) {
        st = fs;
        break;
      }
      put_file(buf.data(), t.n_bytes);
    } else {
      put_file(t.data.data(), t.data.size());
    }
    size_t pad = static_cast<size_t>(align_up(t.n_bytes, alignment_) - t.n_bytes);
    while (pad > 0) {
      const size_t n = pad < sizeof zeros ? pad : sizeof zeros;
      put_file(zeros, n);
      pad -= n;
    }
    done += align_up(t.n_bytes, alignment_);
    if (progress_ && st.ok()) progress_(progress_ctx_, done, total, t.name.c_str());
  }
  std::vector<uint8_t>().swap(buf);
  if (st.ok() && (std::fflush(f) != 0 || fsync(fileno(f)) != 0)) {
    st = Errorf(StatusCode::kIo, "%s: write failed: %s", path.c_str(), std::strerror(errno));
  }
  if (std::fclose(f) != 0 && st.ok()) {
    st = Errorf(StatusCode::kIo, "%s: write failed: %s", path.c_str(), std::strerror(errno));
  }
  if (st.ok() && std::rename(tmp.c_str(), target.c_str()) != 0) {
    st = Errorf(StatusCode::kIo, "%s: cannot rename the finished file into place: %s", path.c_str(),
                std::strerror(errno));
  }
  if (!st.ok()) ::unlink(tmp.c_str());
  return st;
}

}  // namespace edgellm::gguf

// GGUF reader (versions 2 and 3): metadata, tensor table, zero-copy tensor
// data from an mmap of the file (or a read into memory, or a caller buffer).
//
// Every structural problem in the input is reported as a Status naming the
// file and the problem; the parser never reads outside the bytes it has.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kernels/dtype.h"
#include "runtime/core/status.h"

namespace edgellm::gguf {

enum class ValueType : uint32_t {
  U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7,
  STRING = 8, ARRAY = 9, U64 = 10, I64 = 11, F64 = 12,
};
const char* value_type_name(ValueType t);

// One metadata value. Scalars are widened into u64/i64/f64; strings are views
// into the file's bytes (valid while the File lives); arrays hold their
// elements (arrays may nest).
struct Value {
  ValueType type = ValueType::U8;
  uint64_t u64 = 0;        // U8/U16/U32/U64, BOOL (0/1)
  int64_t i64 = 0;         // I8/I16/I32/I64 (also set for unsigned that fit)
                           // (u64 is likewise set for signed values >= 0)
  double f64 = 0;          // F32/F64
  std::string_view str;    // STRING
  ValueType array_type = ValueType::U8;  // ARRAY: element type
  std::vector<Value> array;              // ARRAY: elements
  size_t released_count = 0;             // ARRAY: element count after release_large_arrays()

  bool is_integer() const;
  bool is_float() const { return type == ValueType::F32 || type == ValueType::F64; }
};

struct TensorInfo {
  std::string name;
  DType type = DType::F32;
  uint32_t n_dims = 0;
  int64_t ne[4] = {1, 1, 1, 1};  // ggml order: ne[0] is the row length
  uint64_t offset = 0;           // relative to the start of the data section
  size_t n_bytes = 0;
  const uint8_t* data = nullptr; // into the mapping / buffer

  int64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
  int64_t n_rows() const { return ne[1] * ne[2] * ne[3]; }
};

// Mapped model files, for a SIGBUS handler (mapped_files.cpp): File::open
// registers each mapping and its destructor unregisters it. The handler,
// once installed, turns a SIGBUS inside a registered mapping (the file was
// truncated or replaced on disk) into a one-line message naming the file
// and exit status 128 + SIGBUS; other SIGBUS faults keep the default action.
void register_mapping(const void* base, size_t size, const std::string& path);
void unregister_mapping(const void* base);
bool install_sigbus_handler();

// "[ne0, ne1, ...]" with the tensor's n_dims dimensions (at least one).
std::string shape_string(const TensorInfo& t);

struct OpenOptions {
  bool use_mmap = true;  // false: read the whole file into one heap buffer
};

class File {
 public:
  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  static Status open(const std::string& path, std::unique_ptr<File>* out,
                     const OpenOptions& opts = {});
  // Parse a caller-owned buffer (tests, fuzzing). The buffer must outlive the File.
  static Status parse_memory(const void* data, size_t size, const std::string& name,
                             std::unique_ptr<File>* out);

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  size_t file_size() const { return size_; }
  size_t data_offset() const { return data_offset_; }
  bool is_mmapped() const { return mapped_; }
  const uint8_t* bytes() const { return base_; }

  // Metadata in file order.
  const std::vector<std::pair<std::string, Value>>& metadata() const { return kv_; }
  const Value* find(std::string_view key) const;

  // Typed getters. NotFound -> kFormat naming the key; wrong type -> kFormat
  // naming key, expected and actual type. Integer getters accept any integer
  // value type that fits the destination.
  Status get_u32(std::string_view key, uint32_t* out) const;
  Status get_i32(std::string_view key, int32_t* out) const;
  Status get_u64(std::string_view key, uint64_t* out) const;
  Status get_f32(std::string_view key, float* out) const;
  Status get_bool(std::string_view key, bool* out) const;
  Status get_string(std::string_view key, std::string* out) const;

  const std::vector<TensorInfo>& tensors() const { return tensors_; }

  // Frees the parsed elements of arrays longer than max_elements (the
  // vocabulary, scores, merges: tens of MiB of Value objects for a 128k
  // vocabulary) once their consumers have copied what they need. The
  // arrays stay in the metadata with their type and released_count set;
  // their elements are gone.
  void release_large_arrays(size_t max_elements);
  const TensorInfo* tensor(std::string_view name) const;

 private:
  File() = default;
  Status parse();

  std::string path_;
  const uint8_t* base_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
  std::unique_ptr<uint8_t[]> owned_;  // --no-mmap buffer
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  size_t data_offset_ = 0;
  std::vector<std::pair<std::string, Value>> kv_;
  std::unordered_map<std::string_view, size_t> kv_index_;
  std::vector<TensorInfo> tensors_;
  std::unordered_map<std::string_view, size_t> tensor_index_;
};

// Builds GGUF v3 files (tests, synthetic models, the quantizer). Tensors
// added with add_tensor() are copied at add time; add_tensor_lazy() tensors
// are produced by their fill callback one at a time while write() streams
// the file, so only one tensor's bytes are in memory at once (multi-GB files).
// general.alignment is written (as UINT32) only when alignment != 32; do not
// also add it by hand in that case. An alignment that is not a power of two
// <= 2^31 makes write() fail and to_bytes() return an empty vector.
class Writer {
 public:
  explicit Writer(uint64_t alignment = 32) : alignment_(alignment) {}

  void add_u8(const std::string& key, uint8_t v);
  void add_i8(const std::string& key, int8_t v);
  void add_u16(const std::string& key, uint16_t v);
  void add_i16(const std::string& key, int16_t v);
  void add_u32(const std::string& key, uint32_t v);
  void add_i32(const std::string& key, int32_t v);
  void add_u64(const std::string& key, uint64_t v);
  void add_i64(const std::string& key, int64_t v);
  void add_f32(const std::string& key, float v);
  void add_f64(const std::string& key, double v);
  void add_bool(const std::string& key, bool v);
  void add_string(const std::string& key, const std::string& v);
  void add_array_string(const std::string& key, const std::vector<std::string>& v);
  void add_array_f32(const std::string& key, const std::vector<float>& v);
  void add_array_i32(const std::string& key, const std::vector<int32_t>& v);
  // Raw pre-encoded value (type id + payload) for nested arrays or tests.
  void add_raw(const std::string& key, ValueType type, const std::vector<uint8_t>& payload);

  // ne in ggml order (ne[0] = row length); data must hold the exact byte count.
  Status add_tensor(const std::string& name, DType type, const std::vector<int64_t>& ne,
                    const void* data, size_t n_bytes);

  // Lazy tensor: fill(ctx, dst, n_bytes) writes exactly n_bytes of `type`
  // data into dst when write() reaches it; a failing fill aborts the write.
  // ctx must stay valid until write()/to_bytes() returns.
  using FillFn = Status (*)(void* ctx, uint8_t* dst, size_t n_bytes);
  Status add_tensor_lazy(const std::string& name, DType type, const std::vector<int64_t>& ne,
                         FillFn fill, void* ctx);
  // Called after each tensor's data is written: bytes written so far (data
  // section), total bytes, name of the tensor just written.
  using ProgressFn = void (*)(void* ctx, uint64_t done, uint64_t total, const char* name);
  void set_progress(ProgressFn progress, void* ctx) {
    progress_ = progress;
    progress_ctx_ = ctx;
  }

  Status write(const std::string& path) const;
  // The whole image in memory (calls lazy fills); empty on error.
  std::vector<uint8_t> to_bytes() const;

 private:
  struct PendingTensor {
    std::string name;
    DType type;
    std::vector<int64_t> ne;
    std::vector<uint8_t> data;
    size_t n_bytes = 0;
    FillFn fill = nullptr;  // set for lazy tensors (data stays empty)
    void* fill_ctx = nullptr;
  };
  Status check_tensor(const std::string& name, DType type, const std::vector<int64_t>& ne,
                      size_t* n_bytes) const;
  std::vector<uint8_t> header_bytes() const;
  ProgressFn progress_ = nullptr;
  void* progress_ctx_ = nullptr;
  uint64_t alignment_;
  uint64_t n_kv_ = 0;
  std::vector<uint8_t> kv_bytes_;
  std::vector<PendingTensor> tensors_;
};

}  // namespace edgellm::gguf

// Weight quantization shared by `edgellm quantize` and `edgellm synth`:
// the target types (plain types and llama.cpp's mixed presets), the
// per-tensor type choice of llama.cpp's llama_tensor_get_type (so files match
// what llama-quantize would produce without an importance matrix), parallel
// row quantization, and a streaming GGUF-to-GGUF quantizer.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "kernels/dtype.h"
#include "runtime/core/status.h"
#include "runtime/gguf/gguf.h"

namespace edgellm::quant {

// Which per-tensor rules apply on top of the base type.
enum class Mix {
  kPlain,   // f32/f16/bf16 and the pure k-types: every quantizable tensor gets the base type
  kLlama,   // llama.cpp's default rules for this ftype (output -> Q6_K, ...)
};

struct Target {
  const char* name;     // "q4_k_m", "q8_0", ...
  DType base;           // default tensor type
  uint32_t file_type;   // general.file_type (llama_ftype)
  Mix mix;
};

// Parses a target name (case-insensitive). kInvalidArgument lists the names.
Status parse_target(const std::string& name, Target* out);
const char* target_names();  // "f32, f16, bf16, q8_0, ..."

// Per-tensor type choice. Tensors are presented in file order; the counters
// of attn_v / ffn_down tensors (llama.cpp's i_attention_wv, i_ffn_down) advance
// as they are seen, so construct one chooser per file.
class TypeChooser {
 public:
  // names/n_dims: every tensor of the model in file order (for the counts and
  // to know whether output.weight exists); n_gqa = n_head / n_head_kv.
  TypeChooser(const Target& target, const std::vector<std::string>& names, int n_gqa);
  // Type for one tensor (src_type: its current type; ne: ggml shape).
  DType choose(const std::string& name, int n_dims, const int64_t* ne, DType src_type);

 private:
  Target target_;
  bool has_output_ = false;
  int n_gqa_ = 1;
  int n_attn_v_ = 0, i_attn_v_ = 0;
  int n_ffn_down_ = 0, i_ffn_down_ = 0;
};

// Whether llama.cpp would quantize this tensor at all (2-D+ "*.weight",
// excluding norms, LFM2's conv kernels and other small special tensors).
bool is_quantizable(const std::string& name, int n_dims);

// Runs fn(begin, end) over [0, nrows) split across n_threads (<= 0: all cores).
void parallel_rows(int64_t nrows, int n_threads, const std::function<void(int64_t, int64_t)>& fn);

// Converts nrows rows of ne0 floats into `type` (dst holds the whole result),
// splitting rows over n_threads (<= 0: all cores). type may be F32/F16/BF16.
Status quantize_rows(DType type, const float* src, int64_t ne0, int64_t nrows, void* dst,
                     int n_threads = 0);

// Reads rows of a tensor stored as F32/F16/BF16 into floats.
Status rows_to_float(DType type, const void* src, int64_t n, float* dst);

struct FileStats {
  uint64_t bytes_in = 0, bytes_out = 0;
  int n_tensors = 0, n_quantized = 0;
};

// Progress: (bytes written, total bytes, name of the tensor just written).
using Progress = std::function<void(uint64_t, uint64_t, const std::string&)>;

// Streams IN (F32/F16/BF16 weights) to OUT with the target's types: metadata
// copied (general.file_type replaced, general.quantization_version = 2 added),
// one tensor in memory at a time.
Status quantize_file(const std::string& in_path, const std::string& out_path,
                     const std::string& target, int n_threads, const Progress& progress,
                     FileStats* stats);

}  // namespace edgellm::quant

namespace edgellm::quant {

// Lazy GGUF tensors from closures: the closures live in *fills (a deque, so
// their addresses stay valid) until the writer has written the file.
using Fill = std::function<Status(uint8_t* dst, size_t n_bytes)>;
Status add_lazy(gguf::Writer& w, std::deque<Fill>* fills, const std::string& name, DType type,
                const std::vector<int64_t>& ne, Fill fill);

}  // namespace edgellm::quant

// Run-time kernel dispatch: which instruction-set path runs, and per weight
// type the matmul kernel of that path (activation format + quantizer, GEMM).
//
// A path is one of ref | neon | dotprod | i8mm (aarch64) | avx2 | avx512
// (x86-64). By default the best path the CPU supports is used; the
// environment variable EDGELLM_ISA forces one, and a path the CPU (or this
// build's architecture) lacks is refused with an error, never silently
// downgraded. Within a path, a weight type without a kernel of its own falls
// back to the next lower path of the same family, ending at the reference:
// avx512 -> avx2 -> ref, i8mm -> dotprod -> neon -> ref.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/dtype.h"
#include "kernels/kernels.h"

namespace edgellm::kernels {

enum class Isa : uint8_t { Ref, Neon, Dotprod, I8mm, Avx2, Avx512 };
constexpr int kIsaCount = 6;

const char* isa_name(Isa isa);
// Parses "ref", "neon", ... (case-sensitive, as documented); false if unknown.
bool isa_from_name(const char* name, Isa* out);
// The CPU can execute the path and this build contains it.
bool isa_available(Isa isa);
// The fastest available path.
Isa best_isa();
// The path to use: `request` (a name, or nullptr/"" for the best one).
// Returns false and writes a message into err when the request is unknown
// or unavailable.
bool resolve_isa(const char* request, Isa* out, char* err, size_t err_size);
// resolve_isa() of the EDGELLM_ISA environment variable.
bool resolve_isa_from_env(Isa* out, char* err, size_t err_size);

// One matmul over rows [row_begin, row_end) of a weight matrix and n_tokens
// converted activation rows: y[t*y_stride + r] = dot(w row r, x row t).
struct GemmArgs {
  const void* w;       // weight row 0
  size_t w_row_bytes;
  int64_t k;           // elements per row (a whole number of weight blocks)
  const void* x;       // converted activations, row t at x + t*x_row_bytes
  size_t x_row_bytes;
  int64_t n_tokens;
  float* y;
  int64_t y_stride;
  int64_t row_begin, row_end;
};
using GemmFn = void (*)(const GemmArgs& a);

// Rewrites a whole weight matrix (rows x k, rows of row_bytes at src) into
// the interleaved layout a repacked kernel's gemm consumes, at dst
// (repacked_size() bytes). Runs once at model load; allocates nothing.
using RepackFn = void (*)(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst);
// The inverse for one row: writes row `row` of a matrix repacked by the
// matching RepackFn back in the file's layout (row_bytes bytes at dst,
// byte-identical to the original). Used to look up embedding rows of a
// tied output matrix that was repacked.
using UnrepackRowFn = void (*)(const void* repacked, size_t row_bytes, int64_t k, int64_t row,
                               void* dst);

struct MatmulKernel {
  DType type;                // weight type
  Isa isa;                   // path this kernel belongs to
  const char* name;          // what it computes and how (for `edgellm info --cpu`)
  DType act_type;            // storage format of converted activation rows
  FromFloatFn quantize_act;  // float row -> act_type row (k elements)
  GemmFn gemm;               // n_tokens == 1 is the decode GEMV
  // Kernel-private bytes appended to a converted row per activation block
  // (e.g. precomputed block sums), after the act_type data.
  uint32_t act_extra_per_block = 0;
  // Set for kernels whose gemm reads repacked weights (GemmArgs::w is the
  // repacked matrix, w_row_bytes still the original row size): the weights
  // must first go through this function. Such kernels are only returned by
  // repacked_kernel(), never by matmul_kernel().
  RepackFn repack = nullptr;
  // Rows per interleaved group of the repacked layout (the matrix is padded
  // to whole groups), and bytes per weight block of a group.
  uint32_t repack_rows = 0;
  uint32_t repack_block_bytes = 0;
  UnrepackRowFn unrepack_row = nullptr;  // set with repack (may be nullptr)
};

// The kernel for weights of type t on path isa (with fallback, see above);
// nullptr when no path has kernels for t.
const MatmulKernel* matmul_kernel(DType t, Isa isa);
// The kernel for weights of type t on path isa that reads weights repacked
// at load (with the same fallback as matmul_kernel); nullptr when there is
// none. Its results match matmul_kernel(t, isa) up to float summation order.
const MatmulKernel* repacked_kernel(DType t, Isa isa);
// Bytes of a rows x k matrix repacked for kern (rows rounded up to whole
// groups; 0 when k is not whole blocks).
size_t repacked_size(const MatmulKernel& kern, int64_t rows, int64_t k);

// Bytes of one converted activation row of k elements; 0 if k is not whole
// activation blocks. The session's scratch sizing calls this.
size_t act_row_bytes(const MatmulKernel& kern, int64_t k);

// Human-readable report: detected features, the default path, and per weight
// type the kernel each path would use. Returns the length it needed
// (excluding NUL) and writes as much as fits into buf (NUL-terminated).
size_t describe_cpu(char* buf, size_t size);

}  // namespace edgellm::kernels

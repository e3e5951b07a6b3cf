#include "kernels/dispatch.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "kernels/cpu_features.h"
#include "kernels/kernel_tables.h"
#include "kernels/ref/gemm_ref.h"

namespace edgellm::kernels {
namespace {

constexpr const char* kIsaNames[kIsaCount] = {"ref", "neon", "dotprod", "i8mm", "avx2", "avx512"};

// The next path down the same family (see dispatch.h).
Isa lower(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return Isa::Avx2;
    case Isa::I8mm: return Isa::Dotprod;
    case Isa::Dotprod: return Isa::Neon;
    default: return Isa::Ref;
  }
}

bool compiled_for(Isa isa) {
  switch (isa) {
    case Isa::Ref: return true;
#if defined(__x86_64__)
    case Isa::Avx2:
    case Isa::Avx512: return true;
#endif
#if defined(__aarch64__)
    case Isa::Neon:
    case Isa::Dotprod:
    case Isa::I8mm: return true;
#endif
    default: return false;
  }
}

// Weight types reported by describe_cpu(), in a reading order.
constexpr DType kReportTypes[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1,
                                  DType::Q5_0, DType::Q5_1, DType::Q8_0, DType::Q2_K, DType::Q3_K,
                                  DType::Q4_K, DType::Q5_K, DType::Q6_K};

}  // namespace

const char* isa_name(Isa isa) {
  const int i = static_cast<int>(isa);
  return i >= 0 && i < kIsaCount ? kIsaNames[i] : "?";
}

bool isa_from_name(const char* name, Isa* out) {
  if (!name) return false;
  for (int i = 0; i < kIsaCount; ++i) {
    if (std::strcmp(name, kIsaNames[i]) == 0) {
      *out = static_cast<Isa>(i);
      return true;
    }
  }
  return false;
}

bool isa_available(Isa isa) {
  if (!compiled_for(isa)) return false;
  const CpuFeatures& f = cpu_features();
  switch (isa) {
    case Isa::Ref: return true;
    case Isa::Neon: return f.neon;
    case Isa::Dotprod: return f.neon && f.dotprod;
    // The i8mm kernels are built for armv8.6-a, which implies dotprod.
    case Isa::I8mm: return f.neon && f.dotprod && f.i8mm;
    case Isa::Avx2: return f.avx2 && f.fma && f.f16c;
    case Isa::Avx512:
      return f.avx2 && f.fma && f.f16c && f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq &&
             f.avx512vnni;
  }
  return false;
}

Isa best_isa() {
  for (Isa isa : {Isa::Avx512, Isa::Avx2, Isa::I8mm, Isa::Dotprod, Isa::Neon}) {
    if (isa_available(isa)) return isa;
  }
  return Isa::Ref;
}

bool resolve_isa(const char* request, Isa* out, char* err, size_t err_size) {
  if (!request || !*request) {
    *out = best_isa();
    return true;
  }
  Isa isa;
  if (!isa_from_name(request, &isa)) {
    std::snprintf(err, err_size,
                  "EDGELLM_ISA='%s' is not a known path (ref, neon, dotprod, i8mm, avx2, avx512)",
                  request);
    return false;
  }
  if (!isa_available(isa)) {
    std::snprintf(err, err_size,
                  "EDGELLM_ISA=%s: this CPU (or this build's architecture) cannot run that path; "
                  "best available is %s",
                  request, isa_name(best_isa()));
    return false;
  }
  *out = isa;
  return true;
}

bool resolve_isa_from_env(Isa* out, char* err, size_t err_size) {
  return resolve_isa(std::getenv("EDGELLM_ISA"), out, err, err_size);
}

const MatmulKernel* matmul_kernel(DType t, Isa isa) {
  for (;;) {
    const KernelTable table = isa_kernel_table(isa);
    for (size_t i = 0; i < table.count; ++i) {
      if (table.kernels[i].type == t && !table.kernels[i].repack) return &table.kernels[i];
    }
    if (isa == Isa::Ref) return ref_matmul_kernel(t);
    isa = lower(isa);
  }
}

const MatmulKernel* repacked_kernel(DType t, Isa isa) {
  for (;;) {
    const KernelTable table = isa_kernel_table(isa);
    for (size_t i = 0; i < table.count; ++i) {
      if (table.kernels[i].type == t && table.kernels[i].repack) return &table.kernels[i];
    }
    if (isa == Isa::Ref) return nullptr;
    isa = lower(isa);
  }
}

size_t repacked_size(const MatmulKernel& kern, int64_t rows, int64_t k) {
  const int64_t bs = dtype_info(kern.type)->block_size;
  if (!kern.repack_rows || k % bs != 0) return 0;
  const int64_t g = kern.repack_rows;
  return static_cast<size_t>((rows + g - 1) / g) * static_cast<size_t>(k / bs) *
         kern.repack_block_bytes;
}

size_t act_row_bytes(const MatmulKernel& kern, int64_t k) {
  size_t bytes = 0;
  if (!dtype_row_bytes(kern.act_type, k, &bytes)) return 0;
  const int64_t blocks = k / dtype_info(kern.act_type)->block_size;
  return bytes + static_cast<size_t>(blocks) * kern.act_extra_per_block;
}

size_t describe_cpu(char* buf, size_t size) {
  const CpuFeatures& f = cpu_features();
  std::string s = "features:";
  const std::pair<const char*, bool> flags[] = {
      {"avx2", f.avx2},       {"fma", f.fma},           {"f16c", f.f16c},
      {"avx512f", f.avx512f}, {"avx512bw", f.avx512bw}, {"avx512vl", f.avx512vl},
      {"avx512dq", f.avx512dq}, {"avx512vnni", f.avx512vnni}, {"neon", f.neon},
      {"dotprod", f.dotprod}, {"i8mm", f.i8mm},         {"fp16", f.fp16}};
  bool any = false;
  for (const auto& [name, on] : flags) {
    if (on) {
      s += std::string(" ") + name;
      any = true;
    }
  }
  if (!any) s += " (none beyond the baseline)";
  s += "\npaths available:";
  for (int i = 0; i < kIsaCount; ++i) {
    if (isa_available(static_cast<Isa>(i))) s += std::string(" ") + kIsaNames[i];
  }
  char err[256] = "";
  Isa chosen;
  const bool ok = resolve_isa_from_env(&chosen, err, sizeof err);
  const char* env = std::getenv("EDGELLM_ISA");
  s += std::string("\npath in use: ") +
       (ok ? isa_name(chosen) : "none (error)") +
       (env && *env ? " (EDGELLM_ISA)" : " (best available)");
  if (!ok) s += std::string("\nerror: ") + err;
  if (ok) {
    s += "\nkernels (weight type: kernel [activation format]):";
    for (DType t : kReportTypes) {
      const MatmulKernel* k = matmul_kernel(t, chosen);
      if (!k) continue;
      s += std::string("\n  ") + dtype_name(t) + ": " + k->name + " [" + dtype_name(k->act_type) +
           "]";
      if (const MatmulKernel* rk = repacked_kernel(t, chosen)) {
        s += std::string("; repacked at load: ") + rk->name;
      }
    }
  }
  if (buf && size > 0) std::snprintf(buf, size, "%s", s.c_str());
  return s.size();
}

}  // namespace edgellm::kernels

#if !defined(__x86_64__) && !defined(__aarch64__)
namespace edgellm::kernels {
// No SIMD paths on this architecture: everything runs the reference.
KernelTable isa_kernel_table(Isa) { return {}; }
}  // namespace edgellm::kernels
#endif

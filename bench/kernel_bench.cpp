// Kernel microbenchmark: GEMV (1 token, decode) and GEMM (prefill) per
// weight format and dispatch path at real 0.5-1B model shapes, reporting
// weight GB/s and GFLOP/s, plus a memory read-bandwidth probe for the
// roofline. Threads split weight rows exactly as the runtime does.
//
//   edgellm_kernel_bench [-t THREADS] [--isa a,b] [--types q4_0,q8_0,...]
//                        [--shapes 2048x2048,...] [--tokens N] [--min-ms MS]
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/kernels.h"
#include "kernels/ref/fp16.h"

using namespace edgellm;
using namespace edgellm::kernels;

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t p = 0;
  while (p <= s.size()) {
    const size_t q = s.find(',', p);
    const std::string item = s.substr(p, q == std::string::npos ? std::string::npos : q - p);
    if (!item.empty()) out.push_back(item);
    if (q == std::string::npos) break;
    p = q + 1;
  }
  return out;
}

bool type_from_name(const std::string& name, DType* out) {
  for (uint32_t id = 0; id < 40; ++id) {
    const DTypeInfo* info = dtype_info(id);
    if (!info) continue;
    std::string n = info->name;
    for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (n == name) {
      *out = info->type;
      return true;
    }
  }
  return false;
}

// Weights: random bytes with small finite fp16 scales where a format has
// them (values do not affect speed; NaN/Inf scales would only be untidy).
void fill_weights(DType t, std::vector<uint8_t>* w, int64_t k) {
  std::mt19937 rng(42);
  for (size_t i = 0; i < w->size(); i += 4) {
    const uint32_t v = rng();
    std::memcpy(w->data() + i, &v, std::min<size_t>(4, w->size() - i));
  }
  const DTypeInfo* info = dtype_info(t);
  const uint16_t h = fp32_to_fp16(0.01f);
  if (t == DType::F32) {
    float* f = reinterpret_cast<float*>(w->data());
    for (size_t i = 0; i < w->size() / 4; ++i) f[i] = static_cast<float>(i % 7) * 0.01f;
    return;
  }
  if (t == DType::F16 || t == DType::BF16) {
    for (size_t i = 0; i + 1 < w->size(); i += 2) std::memcpy(w->data() + i, &h, 2);
    return;
  }
  (void)k;
  for (size_t off = 0; off + info->block_bytes <= w->size(); off += info->block_bytes) {
    // fp16 fields sit at the start for most formats, at the end for Q2_K,
    // Q3_K and Q6_K; writing both ends is harmless for speed.
    std::memcpy(w->data() + off, &h, 2);
    std::memcpy(w->data() + off + info->block_bytes - 2, &h, 2);
  }
}

// Runs fn(thread_index, n_threads) on n threads per iteration, spinning at a
// barrier between iterations like the runtime's pool; returns seconds per
// iteration over at least min_ms.
template <class Fn>
double time_parallel(int n_threads, double min_ms, Fn fn) {
  std::atomic<int> arrived{0};
  std::atomic<int64_t> generation{0};
  std::atomic<bool> stop{false};
  auto barrier = [&](int64_t gen) {
    if (arrived.fetch_add(1) + 1 == n_threads) {
      arrived.store(0);
      generation.store(gen + 1);
    } else {
      // Yield while waiting: on a loaded machine a pure spin can hold the
      // core the straggler needs and turn microseconds into a time slice.
      while (generation.load() == gen) std::this_thread::yield();
    }
  };
  int64_t iters = 0;
  double seconds = 0;
  std::vector<std::thread> workers;
  for (int ti = 1; ti < n_threads; ++ti) {
    workers.emplace_back([&, ti] {
      for (int64_t gen = 0;; gen += 2) {
        barrier(gen);  // start
        if (stop.load()) return;
        fn(ti, n_threads);
        barrier(gen + 1);  // end
      }
    });
  }
  fn(0, n_threads);  // warm-up on the main thread's slice (pages, caches)
  const auto t0 = Clock::now();
  for (int64_t gen = 0;; gen += 2) {
    barrier(gen);
    fn(0, n_threads);
    barrier(gen + 1);
    ++iters;
    seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (seconds * 1e3 >= min_ms) {
      stop.store(true);
      barrier(gen + 2);
      break;
    }
  }
  for (auto& w : workers) w.join();
  return seconds / static_cast<double>(iters);
}

double read_bandwidth_gbs(int n_threads, double min_ms) {
  const size_t bytes = size_t{1} << 30;
  std::vector<uint64_t> buf(bytes / 8);
  for (size_t i = 0; i < buf.size(); i += 512) buf[i] = i;
  std::vector<uint64_t> sink(static_cast<size_t>(n_threads) * 8);
  const double s = time_parallel(n_threads, min_ms, [&](int ti, int nt) {
    const size_t n = buf.size() / static_cast<size_t>(nt);
    const uint64_t* p = buf.data() + n * static_cast<size_t>(ti);
    uint64_t a = 0, b = 0, c = 0, d = 0;
    for (size_t i = 0; i < n; i += 4) {
      a ^= p[i];
      b ^= p[i + 1];
      c ^= p[i + 2];
      d ^= p[i + 3];
    }
    sink[static_cast<size_t>(ti) * 8] = a ^ b ^ c ^ d;
  });
  return static_cast<double>(bytes) / s / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2, n_gemm = 128;
  double min_ms = 300;
  bool repacked = false;
  std::vector<std::string> isas, types = {"f32", "f16", "q8_0", "q4_0", "q4_k", "q6_k"};
  std::vector<std::string> shapes = {"2048x2048", "5632x2048", "2048x5632",
                                     "896x4864",  "4864x896",  "151936x896"};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : "";
    if (a == "-t") threads = std::atoi(v), ++i;
    else if (a == "--isa") isas = split(v), ++i;
    else if (a == "--types") types = split(v), ++i;
    else if (a == "--shapes") shapes = split(v), ++i;
    else if (a == "--tokens") n_gemm = std::atoi(v), ++i;
    else if (a == "--min-ms") min_ms = std::atof(v), ++i;
    else if (a == "--repacked") repacked = true;
    else {
      std::fprintf(stderr, "usage: %s [-t N] [--isa a,b] [--types t,..] [--shapes RxK,..] "
                   "[--tokens N] [--min-ms MS] [--repacked]\n", argv[0]);
      return 2;
    }
  }
  if (isas.empty()) isas = {isa_name(best_isa())};
  std::printf("threads %d, GEMM tokens %d\n", threads, n_gemm);
  std::printf("memory read bandwidth: %.1f GB/s\n\n", read_bandwidth_gbs(threads, min_ms));
  std::printf("%-7s %-5s %-11s %-28s %9s %9s %9s %9s\n", "path", "type", "rows x k", "kernel",
              "gemv us", "gemv GB/s", "gemm GF/s", "gemm t/s*");
  for (const std::string& isa_s : isas) {
    Isa isa;
    if (!isa_from_name(isa_s.c_str(), &isa) || !isa_available(isa)) {
      std::fprintf(stderr, "path %s not available here\n", isa_s.c_str());
      continue;
    }
    for (const std::string& tn : types) {
      DType t;
      if (!type_from_name(tn, &t) || !matmul_kernel(t, isa)) {
        std::fprintf(stderr, "unknown type %s\n", tn.c_str());
        continue;
      }
      // --repacked: the kernel over weights repacked at load, where one exists.
      const MatmulKernel* rk = repacked ? repacked_kernel(t, isa) : nullptr;
      if (repacked && !rk) continue;
      const MatmulKernel& kern = rk ? *rk : *matmul_kernel(t, isa);
      for (const std::string& shape : shapes) {
        const int64_t rows = std::atoll(shape.c_str());
        const int64_t k = std::atoll(shape.c_str() + shape.find('x') + 1);
        size_t wrb = 0;
        if (!dtype_row_bytes(t, k, &wrb)) continue;
        std::vector<uint8_t> w(wrb * rows);
        fill_weights(t, &w, k);
        if (rk) {
          std::vector<uint8_t> packed(repacked_size(*rk, rows, k));
          rk->repack(w.data(), wrb, rows, k, packed.data());
          w.swap(packed);
        }
        // Thread splits on whole 8-row groups, as the runtime's row grain gives.
        const int64_t grain = rk ? rk->repack_rows : 1;
        const size_t xrb = act_row_bytes(kern, k);
        std::vector<float> xf(static_cast<size_t>(k * n_gemm));
        std::mt19937 rng(1);
        std::normal_distribution<float> nd;
        for (float& v : xf) v = nd(rng);
        std::vector<uint8_t> xa(xrb * n_gemm);
        for (int tk = 0; tk < n_gemm; ++tk) kern.quantize_act(xf.data() + tk * k, xa.data() + tk * xrb, k);
        std::vector<float> y(static_cast<size_t>(rows * n_gemm));
        auto run = [&](int64_t n) {
          return time_parallel(threads, min_ms, [&](int ti, int nt) {
            const int64_t b = rows * ti / nt / grain * grain;
            const int64_t e = ti + 1 == nt ? rows : rows * (ti + 1) / nt / grain * grain;
            kern.gemm({w.data(), wrb, k, xa.data(), xrb, n, y.data(), rows, b, e});
          });
        };
        const double s1 = run(1);
        const double sn = run(n_gemm);
        const double flop = 2.0 * static_cast<double>(rows) * static_cast<double>(k);
        std::printf("%-7s %-5s %-11s %-28.28s %9.1f %9.1f %9.1f %9.0f\n", isa_s.c_str(),
                    dtype_name(t), shape.c_str(), kern.name, s1 * 1e6,
                    static_cast<double>(w.size()) / s1 / 1e9, flop * n_gemm / sn / 1e9,
                    n_gemm / sn);
        std::fflush(stdout);
      }
    }
  }
  std::printf("\n* gemm t/s: tokens per second through this one matrix at the GEMM batch.\n");
  return 0;
}

// After context creation, prefill and decode make zero heap allocations.
// This program interposes malloc/calloc/realloc/free/aligned_alloc/
// posix_memalign/memalign and operator new/delete, and counts every call
// made (on any thread) while a 64-token generation runs. It must be 0.
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "edgellm.h"

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);
}

namespace {
std::atomic<bool> g_armed{false};
std::atomic<long> g_calls{0};
inline void count() {
  if (g_armed.load(std::memory_order_relaxed)) g_calls.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

extern "C" {
void* malloc(size_t n) {
  count();
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t s) {
  count();
  return __libc_calloc(n, s);
}
void* realloc(void* p, size_t n) {
  count();
  return __libc_realloc(p, n);
}
void free(void* p) {
  if (p) count();
  __libc_free(p);
}
void* memalign(size_t a, size_t n) {
  count();
  return __libc_memalign(a, n);
}
void* aligned_alloc(size_t a, size_t n) {
  count();
  return __libc_memalign(a, n);
}
int posix_memalign(void** out, size_t a, size_t n) {
  count();
  void* p = __libc_memalign(a, n);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
}

void* operator new(size_t n) {
  count();
  if (void* p = __libc_malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new(size_t n, std::align_val_t a) {
  count();
  if (void* p = __libc_memalign(static_cast<size_t>(a), n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p) noexcept {
  if (p) count();
  __libc_free(p);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, size_t) noexcept { operator delete(p); }
void operator delete[](void* p, size_t) noexcept { operator delete(p); }
void operator delete(void* p, std::align_val_t) noexcept { operator delete(p); }
void operator delete[](void* p, std::align_val_t) noexcept { operator delete(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { operator delete(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { operator delete(p); }

namespace {

int g_tokens = 0;
int on_token(edgellm_token, const char*, size_t, void*) {
  ++g_tokens;
  return 0;
}

// Generates 64 tokens with the given sampling and returns the number of
// allocator calls made meanwhile (-1 on an API error).
long count_generation(edgellm_context* ctx, const edgellm_token* prompt, size_t n_prompt,
                      float temperature) {
  edgellm_generate_params gp;
  edgellm_generate_default_params(&gp);
  gp.max_tokens = 64;
  gp.ignore_eos = 1;
  gp.sampling.temperature = temperature;
  gp.sampling.repeat_penalty = 1.1f;
  gp.sampling.seed = 7;
  gp.callback = on_token;
  static edgellm_token out[64];
  edgellm_context_reset(ctx);
  g_tokens = 0;
  g_calls = 0;
  g_armed = true;
  const edgellm_status st = edgellm_generate(ctx, prompt, n_prompt, &gp, out, 64, nullptr);
  g_armed = false;
  if (st != EDGELLM_OK) {
    std::fprintf(stderr, "generate failed: %s\n", edgellm_last_error());
    return -1;
  }
  return g_calls.load();
}

// A counter reader as a profiler would use: no allocation.
size_t fake_counters(double* values, size_t max, void*) {
  static double clock = 0;
  clock += 1;
  for (size_t i = 0; i < max && i < 2; ++i) values[i] = clock * static_cast<double>(i + 1);
  return max < 2 ? max : 2;
}

}  // namespace

int main() {
  char path[64];
  std::snprintf(path, sizeof path, "/tmp/edgellm-zero-alloc-%d.gguf", static_cast<int>(getpid()));
  if (edgellm_synthesize_model("tiny", "q4_0", 11, path) != EDGELLM_OK) {
    std::fprintf(stderr, "synth failed: %s\n", edgellm_last_error());
    return 1;
  }
  edgellm_model* model = nullptr;
  edgellm_context* ctx = nullptr;
  if (edgellm_model_load(path, nullptr, &model) != EDGELLM_OK) return 1;
  edgellm_context_params cp;
  edgellm_context_default_params(&cp);
  cp.n_ctx = 128;
  cp.n_batch = 32;
  cp.n_threads = 2;
  if (edgellm_context_create(model, &cp, &ctx) != EDGELLM_OK) {
    std::fprintf(stderr, "context failed: %s\n", edgellm_last_error());
    return 1;
  }
  const char* text = "once upon a time there was a little girl";
  edgellm_token prompt[64];
  size_t n_prompt = 0;
  if (edgellm_tokenize(model, text, std::strlen(text), 1, 0, prompt, 64, &n_prompt) != EDGELLM_OK) {
    return 1;
  }
  int failures = 0, passes = 0;
  const float temps[] = {0.0f, 0.8f};
  for (float temp : temps) {
    const long calls = count_generation(ctx, prompt, n_prompt, temp);
    std::printf("zero-alloc: temperature %.1f, %zu prompt + %d generated tokens: %ld allocator calls\n",
                temp, n_prompt, g_tokens, calls);
    if (calls != 0 || g_tokens != 64) {
      ++failures;
    } else {
      ++passes;
    }
  }
  // Profile mode: its table is allocated when it is turned on, not per op.
  if (edgellm_context_set_profiling(ctx, 1, fake_counters, nullptr) != EDGELLM_OK) return 1;
  const long calls = count_generation(ctx, prompt, n_prompt, 0.8f);
  const size_t ops = edgellm_context_profile(ctx, nullptr, 0);
  std::printf("zero-alloc: profile mode, %d generated tokens: %ld allocator calls, %zu op entries\n",
              g_tokens, calls, ops);
  if (calls != 0 || g_tokens != 64 || ops == 0) {
    ++failures;
  } else {
    ++passes;
  }
  edgellm_context_free(ctx);
  edgellm_model_free(model);
  std::remove(path);
  std::printf("%d passed, %d failed\n", passes, failures);
  return failures == 0 ? 0 : 1;
}

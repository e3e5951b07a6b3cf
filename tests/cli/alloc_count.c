/* LD_PRELOAD library for tests/cli/cli_test.sh: counts the heap allocations
   (malloc, calloc, realloc, aligned forms; operator new ends in malloc) a
   whole process makes and, at exit, writes the count to the file named by
   EDGELLM_ALLOC_COUNT_FILE. The test compares two runs that differ only in
   the number of generated tokens: equal counts mean nothing is allocated
   per token. */
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void* __libc_memalign(size_t, size_t);

static atomic_long g_calls;

static void count(void) { atomic_fetch_add_explicit(&g_calls, 1, memory_order_relaxed); }

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

void* aligned_alloc(size_t align, size_t n) {
  count();
  return __libc_memalign(align, n);
}

void* memalign(size_t align, size_t n) {
  count();
  return __libc_memalign(align, n);
}

int posix_memalign(void** out, size_t align, size_t n) {
  count();
  void* p = __libc_memalign(align, n);
  if (!p) return 12; /* ENOMEM */
  *out = p;
  return 0;
}

__attribute__((destructor)) static void report(void) {
  const long n = atomic_load(&g_calls);
  const char* path = getenv("EDGELLM_ALLOC_COUNT_FILE");
  if (!path) return;
  FILE* f = fopen(path, "w");
  if (!f) return;
  fprintf(f, "%ld\n", n);
  fclose(f);
}

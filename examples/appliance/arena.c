#define _DEFAULT_SOURCE
#include "arena.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#ifndef APPLIANCE_STATIC_ARENA_MB
#define APPLIANCE_STATIC_ARENA_MB 0
#endif

#if APPLIANCE_STATIC_ARENA_MB > 0
static unsigned char static_arena[(size_t)APPLIANCE_STATIC_ARENA_MB << 20]
    __attribute__((aligned(4096)));
#endif

static void lock_pages(fixed_arena* a) {
  if (mlock(a->base, a->size) == 0) {
    a->locked = 1;
  } else {
    fprintf(stderr,
            "appliance: warning: cannot lock the %zu-byte arena in RAM (%s; raise "
            "LimitMEMLOCK / ulimit -l)\n",
            a->size, strerror(errno));
  }
}

int arena_reserve(fixed_arena* a, size_t bytes, int lock, char* err, size_t err_size) {
  memset(a, 0, sizeof *a);
  if (bytes == 0) bytes = 1;
#if APPLIANCE_STATIC_ARENA_MB > 0
  if (bytes > sizeof static_arena) {
    snprintf(err, err_size,
             "the context needs %zu bytes but the static arena has %zu (%d MiB): lower --ctx or "
             "rebuild with a larger EDGELLM_APPLIANCE_STATIC_ARENA_MB",
             bytes, sizeof static_arena, APPLIANCE_STATIC_ARENA_MB);
    return -1;
  }
  a->base = static_arena;
  a->size = bytes;
  a->is_static = 1;
  memset(a->base, 0, a->size); /* make the pages resident now */
#else
  void* p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
                 -1, 0);
  if (p == MAP_FAILED) {
    snprintf(err, err_size, "cannot reserve the %zu-byte arena: %s", bytes, strerror(errno));
    return -1;
  }
  a->base = p;
  a->size = bytes;
#endif
  if (lock) lock_pages(a);
  return 0;
}

void arena_release(fixed_arena* a) {
  if (!a->base) return;
  if (a->locked) munlock(a->base, a->size);
  if (!a->is_static) munmap(a->base, a->size);
  memset(a, 0, sizeof *a);
}

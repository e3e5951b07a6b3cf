/* The one memory reservation of the daemon: the context's whole arena (the
   KV cache and every activation), taken once at start and handed to
   edgellm_context_create() as params.arena, so the footprint never grows.
   It is a static buffer when the build sets APPLIANCE_STATIC_ARENA_MB
   (CMake: EDGELLM_APPLIANCE_STATIC_ARENA_MB), else one anonymous mapping
   prefaulted at start, locked in RAM on request. */
#ifndef APPLIANCE_ARENA_H
#define APPLIANCE_ARENA_H

#include <stddef.h>

typedef struct fixed_arena {
  void* base;
  size_t size;
  int is_static; /* 1: the static buffer */
  int locked;    /* 1: mlock succeeded */
} fixed_arena;

/* Reserves bytes; lock != 0 also mlocks it (a refusal only warns on
   stderr). Returns 0, or -1 with a message in err. */
int arena_reserve(fixed_arena* a, size_t bytes, int lock, char* err, size_t err_size);
void arena_release(fixed_arena* a);

#endif

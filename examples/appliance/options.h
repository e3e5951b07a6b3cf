/* Command-line options of edgellm-appliance. */
#ifndef APPLIANCE_OPTIONS_H
#define APPLIANCE_OPTIONS_H

#include <stdint.h>

#include "gpio.h"

typedef struct options {
  const char* model;
  gpio_config gpio;
  const char* gpio_script; /* test double instead of libgpiod */
  const char* led_log;
  const char* prompt_file; /* NULL or "-": stdin */
  const char* output;      /* NULL or "-": stdout */
  int32_t n_ctx, max_tokens, n_threads;
  int ignore_eos;
  float temperature;
  uint64_t seed;
  int debounce_ms;
  long arena_mb; /* 0: exactly what the plan needs */
  int mlock;
} options;

/* Returns 0, 1 after printing the help (exit 0), or -1 after printing a
   usage error (exit 2). */
int options_parse(options* o, int argc, char** argv);

#endif

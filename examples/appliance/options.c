#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE* f, const char* argv0) {
  fprintf(f,
          "usage: %s -m MODEL.gguf [options]\n"
          "Offline appliance: a debounced button press generates a continuation of the prompt;\n"
          "an LED shows idle / busy / error. SIGTERM or SIGINT stops cleanly.\n"
          "  -m, --model PATH        GGUF model\n"
          "  -p, --prompt-file PATH  prompt text (default or '-': stdin, read once at start)\n"
          "  -o, --output PATH       append generations here (default or '-': stdout)\n"
          "  --chip NAME             GPIO chip: name, path, label or number (default gpiochip0)\n"
          "  --button-line N         button line offset (default 17)\n"
          "  --led-line N            LED line offset (default 27)\n"
          "  --active-high           button pulls the line high when pressed (no pull-up)\n"
          "  --no-pull-up            do not enable the internal pull-up on the button line\n"
          "  --debounce-ms N         debounce window (default 30)\n"
          "  -c, --ctx N             context length (default 512)\n"
          "  -n, --max-tokens N      tokens per press (default 128)\n"
          "  --temp T                temperature, 0 = greedy (default 0)\n"
          "  --seed N                sampling seed (default 1)\n"
          "  --ignore-eos            do not stop at end-of-generation tokens\n"
          "  -t, --threads N         threads (default: one per fast core)\n"
          "  --arena-mb N            reserve N MiB for the context (default: exactly the plan)\n"
          "  --mlock                 lock the arena in RAM\n"
          "  --gpio-script PATH      scripted GPIO test double instead of libgpiod\n"
          "  --led-log PATH          with --gpio-script: log LED changes here\n",
          argv0);
}

static int parse_long(const char* flag, const char* s, long lo, long hi, long* out) {
  char* end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi) {
    fprintf(stderr, "error: %s expects an integer in %ld..%ld, got '%s'\n", flag, lo, hi, s);
    return -1;
  }
  *out = v;
  return 0;
}

int options_parse(options* o, int argc, char** argv) {
  memset(o, 0, sizeof *o);
  o->gpio.chip = "gpiochip0";
  o->gpio.button_line = 17;
  o->gpio.led_line = 27;
  o->gpio.button_active_low = 1;
  o->gpio.button_pull_up = 1;
  o->gpio.consumer = "edgellm-appliance";
  o->n_ctx = 512;
  o->max_tokens = 128;
  o->seed = 1;
  o->debounce_ms = 30;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    long n;
#define IS(s) (strcmp(a, s) == 0)
#define NEED_VALUE                                            \
  if (!v) {                                                   \
    fprintf(stderr, "error: %s needs a value\n", a);          \
    return -1;                                                \
  }                                                           \
  ++i
#define INT_VALUE(lo, hi)                                     \
  NEED_VALUE;                                                 \
  if (parse_long(a, v, lo, hi, &n) != 0) return -1
    if (IS("-h") || IS("--help")) {
      usage(stdout, argv[0]);
      return 1;
    } else if (IS("-m") || IS("--model")) { NEED_VALUE; o->model = v;
    } else if (IS("-p") || IS("--prompt-file")) { NEED_VALUE; o->prompt_file = v;
    } else if (IS("-o") || IS("--output")) { NEED_VALUE; o->output = v;
    } else if (IS("--chip")) { NEED_VALUE; o->gpio.chip = v;
    } else if (IS("--button-line")) { INT_VALUE(0, 65535); o->gpio.button_line = (unsigned)n;
    } else if (IS("--led-line")) { INT_VALUE(0, 65535); o->gpio.led_line = (unsigned)n;
    } else if (IS("--active-high")) { o->gpio.button_active_low = 0; o->gpio.button_pull_up = 0;
    } else if (IS("--no-pull-up")) { o->gpio.button_pull_up = 0;
    } else if (IS("--debounce-ms")) { INT_VALUE(0, 10000); o->debounce_ms = (int)n;
    } else if (IS("-c") || IS("--ctx")) { INT_VALUE(1, 1 << 20); o->n_ctx = (int32_t)n;
    } else if (IS("-n") || IS("--max-tokens")) { INT_VALUE(1, 1 << 20); o->max_tokens = (int32_t)n;
    } else if (IS("-t") || IS("--threads")) { INT_VALUE(0, 1024); o->n_threads = (int32_t)n;
    } else if (IS("--seed")) { INT_VALUE(0, 0x7fffffffL); o->seed = (uint64_t)n;
    } else if (IS("--temp")) {
      NEED_VALUE;
      char* end;
      o->temperature = strtof(v, &end);
      if (end == v || *end || o->temperature < 0) {
        fprintf(stderr, "error: --temp expects a number >= 0, got '%s'\n", v);
        return -1;
      }
    } else if (IS("--ignore-eos")) { o->ignore_eos = 1;
    } else if (IS("--arena-mb")) { INT_VALUE(1, 1L << 20); o->arena_mb = n;
    } else if (IS("--mlock")) { o->mlock = 1;
    } else if (IS("--gpio-script")) { NEED_VALUE; o->gpio_script = v;
    } else if (IS("--led-log")) { NEED_VALUE; o->led_log = v;
    } else {
      fprintf(stderr, "error: unknown option '%s' (see --help)\n", a);
      return -1;
    }
#undef IS
#undef NEED_VALUE
#undef INT_VALUE
  }
  if (!o->model) {
    fprintf(stderr, "error: no model given (-m MODEL.gguf; see --help)\n");
    return -1;
  }
  if (o->led_log && !o->gpio_script) {
    fprintf(stderr, "error: --led-log needs --gpio-script\n");
    return -1;
  }
  return 0;
}

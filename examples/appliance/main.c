/* edgellm-appliance: an offline appliance daemon on the edgellm C API.
   Startup fixes the whole footprint: the model is loaded, the context's
   memory plan is computed (edgellm_context_plan) and exactly one arena is
   reserved and handed to the context, the prompt is read and tokenized.
   Then appliance_run() serves button presses until SIGTERM/SIGINT. A startup
   failure after the GPIO is open shows the error pattern until stopped. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appliance.h"
#include "arena.h"
#include "edgellm.h"
#include "options.h"

static volatile sig_atomic_t g_stop = 0;

static void on_signal(int sig) {
  (void)sig;
  g_stop = 1;
}

static void install_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: a signal ends a wait early */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  /* a closed output pipe is a write error (error pattern), not death */
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, NULL);
}

/* Reads the whole prompt (file or stdin) into a NUL-terminated buffer. */
static char* read_prompt(const char* path, size_t* len, char* err, size_t err_size) {
  int use_stdin = !path || strcmp(path, "-") == 0;
  FILE* f = use_stdin ? stdin : fopen(path, "rb");
  if (!f) {
    snprintf(err, err_size, "cannot open prompt file %s: %s", path, strerror(errno));
    return NULL;
  }
  size_t cap = 4096, n = 0;
  char* buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - 1 - n, f);
    if (n < cap - 1) break;
    char* grown = realloc(buf, cap * 2);
    if (!grown) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = grown;
    cap *= 2;
  }
  int failed = ferror(f);
  if (!use_stdin) fclose(f);
  if (!buf || failed) {
    snprintf(err, err_size, "cannot read the prompt from %s", use_stdin ? "stdin" : path);
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

typedef struct startup {
  edgellm_model* model;
  edgellm_context* ctx;
  fixed_arena arena;
  edgellm_token* tokens;
  size_t n_tokens;
  char error[512];
} startup;

static double mib(size_t b) { return (double)b / (1024.0 * 1024.0); }

/* Model, plan, arena, context, prompt. Returns 0 or -1 with s->error set. */
static int start(startup* s, const options* o) {
  edgellm_status st = edgellm_model_load(o->model, NULL, &s->model);
  if (st != EDGELLM_OK) {
    snprintf(s->error, sizeof s->error, "cannot load model %s: %s", o->model,
             edgellm_last_error());
    return -1;
  }
  edgellm_context_params cp;
  edgellm_context_default_params(&cp);
  cp.n_ctx = o->n_ctx;
  cp.n_batch = o->n_ctx < 512 ? o->n_ctx : 512;
  cp.n_threads = o->n_threads;
  edgellm_plan_info plan;
  memset(&plan, 0, sizeof plan);
  plan.struct_size = sizeof plan;
  if (edgellm_context_plan(s->model, &cp, &plan) != EDGELLM_OK) {
    snprintf(s->error, sizeof s->error, "cannot plan the context: %s", edgellm_last_error());
    return -1;
  }
  size_t want = plan.arena_bytes;
  if (o->arena_mb > 0) {
    want = (size_t)o->arena_mb << 20;
    if (want < plan.arena_bytes) {
      snprintf(s->error, sizeof s->error,
               "--arena-mb %ld is too small: a %d-token context needs %zu bytes (%.2f MiB)",
               o->arena_mb, o->n_ctx, plan.arena_bytes, mib(plan.arena_bytes));
      return -1;
    }
  }
  if (arena_reserve(&s->arena, want, o->mlock, s->error, sizeof s->error) != 0) return -1;
  cp.arena = s->arena.base;
  cp.arena_size = s->arena.size;
  if (edgellm_context_create(s->model, &cp, &s->ctx) != EDGELLM_OK) {
    snprintf(s->error, sizeof s->error, "cannot create the context: %s", edgellm_last_error());
    return -1;
  }
  size_t text_len = 0;
  char* text = read_prompt(o->prompt_file, &text_len, s->error, sizeof s->error);
  if (!text) return -1;
  s->tokens = malloc(sizeof(edgellm_token) * (size_t)o->n_ctx);
  if (!s->tokens) {
    free(text);
    snprintf(s->error, sizeof s->error, "out of memory for %d prompt tokens", o->n_ctx);
    return -1;
  }
  st = edgellm_tokenize(s->model, text, text_len, 1, 0, s->tokens, (size_t)o->n_ctx,
                        &s->n_tokens);
  free(text);
  if (st != EDGELLM_OK) {
    if (s->n_tokens > (size_t)o->n_ctx)
      snprintf(s->error, sizeof s->error,
               "the prompt has %zu tokens but the context holds %d (raise --ctx)", s->n_tokens,
               o->n_ctx);
    else
      snprintf(s->error, sizeof s->error, "cannot tokenize the prompt: %s", edgellm_last_error());
    return -1;
  }
  fprintf(stderr,
          "appliance: footprint fixed at start: arena %zu bytes (%.2f MiB: KV %.2f, activations "
          "%.2f) %s%s; weights %.2f MiB; prompt %zu tokens\n",
          s->arena.size, mib(s->arena.size), mib(plan.kv_bytes), mib(plan.activation_bytes),
          s->arena.is_static ? "static buffer" : "one mapping",
          s->arena.locked ? ", locked" : "", mib(plan.weight_bytes), s->n_tokens);
  return 0;
}

static void stop(startup* s) {
  edgellm_context_free(s->ctx);
  edgellm_model_free(s->model);
  arena_release(&s->arena);
  free(s->tokens);
}

int main(int argc, char** argv) {
  options o;
  int r = options_parse(&o, argc, argv);
  if (r != 0) return r > 0 ? 0 : 2;
  install_signals();

  gpio_dev gpio;
  r = o.gpio_script ? gpio_open_script(o.gpio_script, o.led_log, &gpio)
                    : gpio_open_gpiod(&o.gpio, &gpio);
  if (r != 0) {
    fprintf(stderr, "error: %s\n", gpio.error);
    return 1;
  }

  FILE* out = stdout;
  startup s;
  memset(&s, 0, sizeof s);
  int ok = 1;
  if (o.output && strcmp(o.output, "-") != 0) {
    out = fopen(o.output, "a");
    if (!out) {
      snprintf(s.error, sizeof s.error, "cannot open output %s: %s", o.output, strerror(errno));
      out = stdout;
      ok = 0;
    }
  }
  if (ok && start(&s, &o) != 0) ok = 0;
  if (!ok) fprintf(stderr, "error: %s\n", s.error);

  appliance a;
  memset(&a, 0, sizeof a);
  a.gpio = &gpio;
  a.ctx = ok ? s.ctx : NULL;
  a.prompt = s.tokens;
  a.n_prompt = s.n_tokens;
  edgellm_generate_default_params(&a.generate);
  a.generate.max_tokens = o.max_tokens;
  a.generate.ignore_eos = o.ignore_eos;
  a.generate.sampling.temperature = o.temperature;
  a.generate.sampling.seed = o.seed;
  a.out = out;
  a.stop = &g_stop;
  a.debounce_ms = o.debounce_ms;
  r = appliance_run(&a);

  gpio.ops->close(&gpio);
  if (out != stdout) fclose(out);
  stop(&s);
  return r;
}

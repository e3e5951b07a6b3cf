/* Exercises the public C API from C11: normal use and misuse (NULL
   handles, bad sizes, context overflow, invalid token ids) must give status
   codes and error text, never a crash. Makes its own synthetic model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edgellm.h"

static int g_failures = 0;
static int g_checks = 0;

#define CHECK(cond)                                                     \
  do {                                                                  \
    ++g_checks;                                                         \
    if (!(cond)) {                                                      \
      ++g_failures;                                                     \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__, __LINE__, #cond, \
              edgellm_last_error());                                    \
    }                                                                   \
  } while (0)

static int stop_after_three(edgellm_token token, const char* piece, size_t len, void* user) {
  (void)token;
  (void)piece;
  (void)len;
  int* count = (int*)user;
  return ++*count >= 3;
}

static void test_misuse(void) {
  edgellm_model* model = (edgellm_model*)0x1;
  CHECK(edgellm_model_load(NULL, NULL, &model) == EDGELLM_ERR_INVALID_ARGUMENT);
  CHECK(strlen(edgellm_last_error()) > 0);
  CHECK(edgellm_model_load("/nonexistent/model.gguf", NULL, &model) == EDGELLM_ERR_IO);
  CHECK(model == NULL);
  CHECK(strstr(edgellm_last_error(), "/nonexistent/model.gguf") != NULL);
  CHECK(edgellm_context_create(NULL, NULL, NULL) == EDGELLM_ERR_INVALID_ARGUMENT);
  CHECK(edgellm_evaluate(NULL, NULL, 0, 0) == EDGELLM_ERR_INVALID_ARGUMENT);
  CHECK(edgellm_get_logits(NULL, 0) == NULL);
  CHECK(edgellm_generate(NULL, NULL, 0, NULL, NULL, 0, NULL) == EDGELLM_ERR_INVALID_ARGUMENT);
  size_t n = 0;
  CHECK(edgellm_tokenize(NULL, "x", 1, 1, 0, NULL, 0, &n) == EDGELLM_ERR_INVALID_ARGUMENT);
  edgellm_model_free(NULL);
  edgellm_context_free(NULL);
  CHECK(strcmp(edgellm_status_string(EDGELLM_ERR_CONTEXT_FULL), "context full") == 0);
  CHECK(strlen(edgellm_version()) > 0);
}

static void test_model(const char* path) {
  edgellm_model* model = NULL;
  edgellm_model_params mp;
  edgellm_model_default_params(&mp);
  mp.struct_size = 3; /* not a size any version of the struct had */
  CHECK(edgellm_model_load(path, &mp, &model) == EDGELLM_ERR_INVALID_ARGUMENT);
  edgellm_model_default_params(&mp);
  CHECK(mp.backend == EDGELLM_BACKEND_CPU && mp.vulkan_device == -1);
  mp.backend = 7; /* not an edgellm_backend */
  CHECK(edgellm_model_load(path, &mp, &model) == EDGELLM_ERR_INVALID_ARGUMENT);
  CHECK(strstr(edgellm_last_error(), "backend 7") != NULL);
  edgellm_model_default_params(&mp);
  CHECK(edgellm_model_load(path, &mp, &model) == EDGELLM_OK);
  if (!model) return;
  char backend[256];
  CHECK(edgellm_model_backend(model, backend, sizeof backend) == 3 && strcmp(backend, "cpu") == 0);
  const int32_t n_vocab = edgellm_model_n_vocab(model);
  CHECK(n_vocab > 259);

  /* Tokenize / detokenize. */
  const char* text = "once upon a time";
  edgellm_token toks[64];
  size_t n_tok = 0;
  CHECK(edgellm_tokenize(model, text, strlen(text), 1, 0, toks, 64, &n_tok) == EDGELLM_OK);
  CHECK(n_tok >= 2 && toks[0] == edgellm_model_bos(model));
  CHECK(edgellm_tokenize(model, text, strlen(text), 1, 0, toks, 1, &n_tok) ==
        EDGELLM_ERR_INVALID_ARGUMENT);
  CHECK(edgellm_tokenize(model, text, strlen(text), 1, 0, toks, 64, &n_tok) == EDGELLM_OK);
  char out[256];
  size_t out_len = 0;
  CHECK(edgellm_detokenize(model, toks, n_tok, 0, out, sizeof out, &out_len) == EDGELLM_OK);
  CHECK(strstr(out, text) != NULL);
  edgellm_token bad = n_vocab;
  CHECK(edgellm_detokenize(model, &bad, 1, 0, out, sizeof out, &out_len) ==
        EDGELLM_ERR_INVALID_ARGUMENT);
  CHECK(edgellm_token_to_piece(model, -5, out, sizeof out, 0) < -1000);

  /* Context limits. */
  edgellm_context* ctx = NULL;
  edgellm_context_params cp;
  edgellm_context_default_params(&cp);
  cp.n_ctx = 16;
  cp.n_batch = 8;
  cp.n_threads = 2;
  cp.logits_all = 1;
  CHECK(edgellm_context_create(model, &cp, &ctx) == EDGELLM_OK);
  if (!ctx) {
    edgellm_model_free(model);
    return;
  }
  CHECK(edgellm_context_n_ctx(ctx) == 16);
  CHECK(edgellm_context_memory_bytes(ctx) > 0);
  CHECK(edgellm_get_logits(ctx, -1) == NULL); /* nothing evaluated yet */
  edgellm_token many[20];
  for (int i = 0; i < 20; ++i) many[i] = 3 + i;
  CHECK(edgellm_evaluate(ctx, many, 20, 0) == EDGELLM_ERR_CONTEXT_FULL);
  CHECK(strstr(edgellm_last_error(), "n_ctx") != NULL);
  CHECK(edgellm_context_n_past(ctx) == 0);
  CHECK(edgellm_evaluate(ctx, &bad, 1, 0) == EDGELLM_ERR_INVALID_ARGUMENT);

  /* Batch evaluation agrees with token-by-token evaluation. */
  float batch_last[4096];
  CHECK(edgellm_evaluate(ctx, many, 6, 1) == EDGELLM_OK);
  const float* row = edgellm_get_logits(ctx, 5);
  CHECK(row != NULL && n_vocab <= 4096);
  if (row) memcpy(batch_last, row, sizeof(float) * (size_t)n_vocab);
  CHECK(edgellm_get_logits(ctx, 6) == NULL);
  edgellm_context_reset(ctx);
  for (int i = 0; i < 6; ++i) CHECK(edgellm_evaluate(ctx, &many[i], 1, 0) == EDGELLM_OK);
  row = edgellm_get_logits(ctx, -1);
  float max_diff = 0.0f;
  for (int32_t i = 0; row && i < n_vocab; ++i) {
    const float d = fabsf(row[i] - batch_last[i]);
    if (d > max_diff) max_diff = d;
  }
  CHECK(row != NULL && max_diff < 1e-3f);

  /* Generation: greedy is deterministic; the callback can stop it. */
  edgellm_context_reset(ctx);
  edgellm_generate_params gp;
  edgellm_generate_default_params(&gp);
  gp.max_tokens = 5;
  gp.ignore_eos = 1;
  gp.sampling.temperature = 0.0f;
  edgellm_token gen1[8], gen2[8];
  edgellm_generate_stats stats;
  stats.struct_size = sizeof stats;
  CHECK(edgellm_generate(ctx, toks, n_tok, &gp, gen1, 8, &stats) == EDGELLM_OK);
  CHECK(stats.n_generated == 5 && stats.n_prompt == (int32_t)n_tok);
  edgellm_context_reset(ctx);
  CHECK(edgellm_generate(ctx, toks, n_tok, &gp, gen2, 8, NULL) == EDGELLM_OK);
  CHECK(memcmp(gen1, gen2, sizeof(edgellm_token) * 5) == 0);

  edgellm_context_reset(ctx);
  int count = 0;
  gp.callback = stop_after_three;
  gp.user_data = &count;
  CHECK(edgellm_generate(ctx, toks, n_tok, &gp, gen1, 8, &stats) == EDGELLM_OK);
  CHECK(stats.n_generated == 3 && stats.stopped_by == 2);

  /* Running out of context during generation is reported. */
  edgellm_context_reset(ctx);
  gp.callback = NULL;
  gp.max_tokens = 100;
  CHECK(edgellm_generate(ctx, toks, n_tok, &gp, NULL, 0, &stats) == EDGELLM_ERR_CONTEXT_FULL);
  CHECK(stats.stopped_by == 3);

  /* edgellm_sampling_check: the header's meanings are accepted, NaN is
     refused naming the field. */
  {
    edgellm_sampling_params sp;
    edgellm_sampling_default_params(&sp);
    sp.temperature = -1.0f; /* greedy */
    sp.top_p = 0.0f;        /* the most likely token only */
    sp.min_p = -2.0f;       /* off */
    CHECK(edgellm_sampling_check(&sp) == EDGELLM_OK);
    sp.top_p = NAN;
    CHECK(edgellm_sampling_check(&sp) == EDGELLM_ERR_INVALID_ARGUMENT);
    CHECK(strncmp(edgellm_last_error(), "top_p", 5) == 0);
    CHECK(edgellm_sampling_check(NULL) == EDGELLM_ERR_INVALID_ARGUMENT);
  }
  gp.sampling.top_p = NAN; /* invalid sampler parameter */
  gp.sampling.temperature = 0.7f;
  edgellm_context_reset(ctx);
  CHECK(edgellm_generate(ctx, toks, n_tok, &gp, NULL, 0, NULL) == EDGELLM_ERR_INVALID_ARGUMENT);

  edgellm_context_free(ctx);
  edgellm_model_free(model);
}

/* A counter that advances by one per read: every op's delta is exactly 1
   per call. */
static size_t tick_reader(double* values, size_t max, void* user) {
  double* clock = (double*)user;
  *clock += 1.0;
  if (max > 0) values[0] = *clock;
  return max > 0 ? 1 : 0;
}

static uint64_t calls_of(const edgellm_profile_entry* e, size_t n, const char* op) {
  uint64_t calls = 0;
  for (size_t i = 0; i < n; ++i) {
    if (strcmp(e[i].op, op) == 0) calls += e[i].calls;
  }
  return calls;
}

static void test_profile(const char* path) {
  edgellm_model* model = NULL;
  edgellm_context* ctx = NULL;
  CHECK(edgellm_model_load(path, NULL, &model) == EDGELLM_OK);
  if (!model) return;
  char buf[32];
  CHECK(edgellm_model_meta(model, "llama.block_count", buf, sizeof buf) > 0);
  const uint64_t L = (uint64_t)strtoul(buf, NULL, 10);
  edgellm_context_params cp;
  edgellm_context_default_params(&cp);
  cp.n_ctx = 32;
  cp.n_threads = 1;
  CHECK(edgellm_context_create(model, &cp, &ctx) == EDGELLM_OK);
  if (!ctx) {
    edgellm_model_free(model);
    return;
  }
  CHECK(edgellm_context_set_profiling(NULL, 1, NULL, NULL) == EDGELLM_ERR_INVALID_ARGUMENT);
  const edgellm_token tok = 5;
  CHECK(edgellm_evaluate(ctx, &tok, 1, 0) == EDGELLM_OK);
  CHECK(edgellm_context_profile(ctx, NULL, 0) == 0); /* off: nothing recorded */

  double clock = 0;
  CHECK(edgellm_context_set_profiling(ctx, 1, tick_reader, &clock) == EDGELLM_OK);
  CHECK(edgellm_evaluate(ctx, &tok, 1, 0) == EDGELLM_OK);
  edgellm_profile_entry e[64];
  const size_t n = edgellm_context_profile(ctx, e, 64);
  CHECK(n > 0 && n <= 64);
  /* One token through L layers: 7 projections per layer + the output head,
     one attention per layer, two norms per layer + the final one. */
  CHECK(calls_of(e, n, "matmul") == 7 * L + 1);
  CHECK(calls_of(e, n, "attention") == L);
  CHECK(calls_of(e, n, "norm") == 2 * L + 1);
  CHECK(calls_of(e, n, "embed") == 1);
  CHECK(calls_of(e, n, "sample") == 0);
  for (size_t i = 0; i < n; ++i) {
    CHECK(e[i].n_counters == 1 && e[i].counters[0] == (double)e[i].calls);
    CHECK(e[i].ms >= 0.0 && (i == 0 || e[i - 1].ms >= e[i].ms));
  }
  edgellm_context_profile_reset(ctx);
  CHECK(edgellm_context_profile(ctx, NULL, 0) == 0);

  edgellm_generate_params gp;
  edgellm_generate_default_params(&gp);
  gp.max_tokens = 3;
  gp.ignore_eos = 1;
  CHECK(edgellm_generate(ctx, &tok, 1, &gp, NULL, 0, NULL) == EDGELLM_OK);
  const size_t m = edgellm_context_profile(ctx, e, 64);
  CHECK(calls_of(e, m, "sample") == 3);
  CHECK(calls_of(e, m, "attention") == 3 * L); /* the prompt token + 2 of the 3 sampled */

  CHECK(edgellm_context_set_profiling(ctx, 0, NULL, NULL) == EDGELLM_OK);
  CHECK(edgellm_context_profile(ctx, e, 64) == 0);
  edgellm_context_free(ctx);
  edgellm_model_free(model);
}

/* A token callback that calls back into its own context: refused as
   concurrent use. */
static edgellm_status g_reentry = EDGELLM_OK;
static char g_reentry_error[256];
static int reenter(edgellm_token token, const char* piece, size_t len, void* user) {
  (void)piece;
  (void)len;
  g_reentry = edgellm_evaluate((edgellm_context*)user, &token, 1, 0);
  snprintf(g_reentry_error, sizeof g_reentry_error, "%s", edgellm_last_error());
  return 1;
}

/* Freeing the model before its contexts keeps them working; a context used
   by two calls at once refuses the second. */
static void test_lifetimes(const char* path) {
  edgellm_model* model = NULL;
  edgellm_context* ctx = NULL;
  edgellm_context* ctx2 = NULL;
  CHECK(edgellm_model_load(path, NULL, &model) == EDGELLM_OK);
  if (!model) return;
  CHECK(edgellm_context_create(model, NULL, &ctx) == EDGELLM_OK);
  CHECK(edgellm_context_create(model, NULL, &ctx2) == EDGELLM_OK);
  edgellm_token toks[16];
  size_t n_tok = 0;
  CHECK(edgellm_tokenize(model, "once upon", 9, 1, 0, toks, 16, &n_tok) == EDGELLM_OK);
  edgellm_model_free(model); /* the contexts still hold it */
  if (!ctx || !ctx2) return;
  edgellm_generate_params gp;
  edgellm_generate_default_params(&gp);
  gp.sampling.temperature = 0.0f;
  gp.max_tokens = 4;
  edgellm_token out[4], out2[4];
  edgellm_generate_stats stats;
  memset(&stats, 0, sizeof stats);
  stats.struct_size = sizeof stats;
  CHECK(edgellm_generate(ctx, toks, n_tok, &gp, out, 4, &stats) == EDGELLM_OK);
  CHECK(stats.n_generated == 4);
  edgellm_context_free(ctx);
  /* The last context alone keeps the model: same greedy tokens. */
  CHECK(edgellm_generate(ctx2, toks, n_tok, &gp, out2, 4, NULL) == EDGELLM_OK);
  CHECK(memcmp(out, out2, sizeof out) == 0);

  edgellm_context_reset(ctx2);
  gp.callback = reenter;
  gp.user_data = ctx2;
  CHECK(edgellm_generate(ctx2, toks, n_tok, &gp, NULL, 0, NULL) == EDGELLM_OK);
  CHECK(g_reentry == EDGELLM_ERR_INVALID_ARGUMENT);
  CHECK(strstr(g_reentry_error, "in use") != NULL);
  CHECK(edgellm_context_n_past(ctx2) == (int32_t)n_tok); /* the refused call changed nothing */
  edgellm_context_free(ctx2); /* releases the model */
}

int main(void) {
  char path[] = "/tmp/edgellm-c-api-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) {
    perror("mkstemp");
    return 1;
  }
  close(fd);
  test_misuse();
  CHECK(edgellm_synthesize_model("nope", "f32", 1, path) == EDGELLM_ERR_INVALID_ARGUMENT);
  CHECK(edgellm_synthesize_model("tiny", "q8_0", 7, path) == EDGELLM_OK);
  test_model(path);
  test_profile(path);
  test_lifetimes(path);
  remove(path);
  printf("%d passed, %d failed\n", g_checks - g_failures, g_failures);
  return g_failures == 0 ? 0 : 1;
}

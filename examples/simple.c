/* The shortest complete program on the edgellm C API: load a model,
   tokenize a prompt, stream a greedy continuation, report errors.
   usage: edgellm_simple MODEL.gguf "prompt" */
#include <stdio.h>
#include <string.h>

#include "edgellm.h"

static int print_piece(edgellm_token token, const char* piece, size_t len, void* user) {
  (void)token;
  (void)user;
  fwrite(piece, 1, len, stdout);
  fflush(stdout);
  return 0; /* non-zero would stop generation */
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s MODEL.gguf PROMPT\n", argv[0]);
    return 2;
  }
  edgellm_model* model = NULL;
  edgellm_context* ctx = NULL;
  int rc = 1;
  if (edgellm_model_load(argv[1], NULL, &model) != EDGELLM_OK) goto done;
  if (edgellm_context_create(model, NULL, &ctx) != EDGELLM_OK) goto done;

  edgellm_token prompt[512];
  size_t n_prompt = 0;
  if (edgellm_tokenize(model, argv[2], strlen(argv[2]), 1, 0, prompt, 512, &n_prompt) != EDGELLM_OK)
    goto done;

  edgellm_generate_params params;
  edgellm_generate_default_params(&params);
  params.max_tokens = 32;
  params.sampling.temperature = 0.0f; /* greedy */
  params.callback = print_piece;
  if (edgellm_generate(ctx, prompt, n_prompt, &params, NULL, 0, NULL) != EDGELLM_OK) goto done;
  printf("\n");
  rc = 0;

done:
  if (rc != 0) fprintf(stderr, "error: %s\n", edgellm_last_error());
  edgellm_context_free(ctx);
  edgellm_model_free(model);
  return rc;
}

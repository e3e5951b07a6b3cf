// C API: facts about a model that benchmarks need.
#include <cstring>

#include "edgellm.h"
#include "runtime/api/error.h"
#include "runtime/api/handles.h"

extern "C" uint64_t edgellm_model_weight_bytes_per_token(const edgellm_model* model) {
  if (!model || !model->model || !model->model->file) return 0;
  const auto& tensors = model->model->file->tensors();
  bool has_output = false;
  for (const auto& t : tensors) has_output |= t.name == "output.weight";
  uint64_t bytes = 0;
  for (const auto& t : tensors) {
    // A decode step streams every matrix once; the embedding table is only
    // gathered (one row) unless it doubles as the output head.
    if (t.n_dims < 2) continue;
    if (t.name == "token_embd.weight" && has_output) continue;
    bytes += t.n_bytes;
  }
  return bytes;
}

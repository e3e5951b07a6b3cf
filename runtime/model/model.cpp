#include "runtime/model/model.h"

namespace edgellm {

Status load_model(const std::string& path, const ModelLoadOptions& opts,
                  std::unique_ptr<Model>* out) {
  auto model = std::make_unique<Model>();
  gguf::OpenOptions open_opts;
  open_opts.use_mmap = opts.use_mmap;
  EDGELLM_TRY(gguf::File::open(path, &model->file, open_opts));
  EDGELLM_TRY(resolve_config(*model->file, &model->config));
  EDGELLM_TRY(bind_weights(*model->file, model->config, &model->weights));
  EDGELLM_TRY(Tokenizer::from_gguf(*model->file, &model->tokenizer));
  if (model->tokenizer->n_vocab() != model->config.n_vocab) {
    return Errorf(StatusCode::kFormat,
                  "%s: tokenizer has %d tokens but token_embd.weight has %d rows", path.c_str(),
                  model->tokenizer->n_vocab(), model->config.n_vocab);
  }
  *out = std::move(model);
  return Status::Ok();
}

}  // namespace edgellm

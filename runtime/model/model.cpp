#include "runtime/model/model.h"

namespace edgellm {

Status load_model(const std::string& path, const ModelLoadOptions& opts,
                  std::unique_ptr<Model>* out) {
  auto model = std::make_unique<Model>();
  gguf::OpenOptions open_opts;
  open_opts.use_mmap = opts.use_mmap;
  EDGELLM_TRY(gguf::File::open(path, &model->file, open_opts));
  EDGELLM_TRY(resolve_config(*model->file, &model->config));
  // The kernel path is fixed per model at load: EDGELLM_ISA or the best the
  // CPU offers; a forced path the CPU lacks fails the load.
  char isa_err[256];
  if (!kernels::resolve_isa_from_env(&model->isa, isa_err, sizeof isa_err)) {
    return Errorf(StatusCode::kUnsupported, "%s", isa_err);
  }
  EDGELLM_TRY(bind_weights(*model->file, model->config, model->isa, &model->weights));
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

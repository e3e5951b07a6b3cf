#include "runtime/model/model.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace edgellm {

void FreeDeleter::operator()(uint8_t* p) const { std::free(p); }

namespace {

// Repacks every matmul weight that has a repacked kernel on the model's path
// into one buffer and points the Weight (data + kernel) at it. The original
// bytes are then never read again, so the page-aligned interior of each
// repacked tensor's range is released: the mapping is private and read-only
// (MAP_PRIVATE), so MADV_DONTNEED just drops the pages (and a file read into
// memory gives its heap pages back the same way). Peak resident memory stays
// about one copy of the weights plus at most one tensor in flight.
//
// auto and on currently behave alike (every repacked kernel is faster than
// the zero-copy one on its path); off keeps all weights zero-copy.
Status repack_weights(Model* m, RepackPolicy policy) {
  if (policy == RepackPolicy::Off) return Status::Ok();
  std::vector<Weight*> todo;
  ModelWeights& w = m->weights;
  auto consider = [&](Weight& wt) {
    if (!wt.present() || !wt.kernel || wt.ne1 < 1) return;
    if (kernels::repacked_kernel(wt.type, m->isa)) todo.push_back(&wt);
  };
  // The tied output shares token_embd, whose rows are also looked up as
  // embeddings in the original layout: it stays as mapped.
  if (!m->config.tied_output) consider(w.output);
  for (LayerWeights& l : w.layers) {
    for (Weight* wt : {&l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_gate, &l.ffn_up, &l.ffn_down}) {
      consider(*wt);
    }
  }
  if (todo.empty()) return Status::Ok();
  constexpr size_t kAlign = 64;
  std::vector<size_t> offsets;
  size_t total = 0;
  for (Weight* wt : todo) {
    const kernels::MatmulKernel* rk = kernels::repacked_kernel(wt->type, m->isa);
    offsets.push_back(total);
    total += (kernels::repacked_size(*rk, wt->ne1, wt->ne0) + kAlign - 1) / kAlign * kAlign;
  }
  auto* buf = static_cast<uint8_t*>(std::aligned_alloc(kAlign, total));
  if (!buf) {
    return Errorf(StatusCode::kOutOfMemory, "cannot allocate %zu bytes for repacked weights",
                  total);
  }
  m->repacked.reset(buf);
  m->repacked_bytes = total;
  const long page_l = sysconf(_SC_PAGESIZE);
  const uintptr_t page = page_l > 0 ? static_cast<uintptr_t>(page_l) : 4096;
  for (size_t i = 0; i < todo.size(); ++i) {
    Weight* wt = todo[i];
    const kernels::MatmulKernel* rk = kernels::repacked_kernel(wt->type, m->isa);
    const uint8_t* src = wt->data;
    const size_t bytes = static_cast<size_t>(wt->ne1) * wt->row_bytes;
    uint8_t* dst = buf + offsets[i];
    rk->repack(src, wt->row_bytes, wt->ne1, wt->ne0, dst);
    wt->data = dst;
    wt->kernel = rk;
    const uintptr_t lo = (reinterpret_cast<uintptr_t>(src) + page - 1) / page * page;
    const uintptr_t hi = (reinterpret_cast<uintptr_t>(src) + bytes) / page * page;
    if (hi > lo) {
      // Best effort: a refusal only costs memory.
      (void)madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTNEED);
    }
    m->released_bytes += bytes;
    ++m->repacked_tensors;
  }
  return Status::Ok();
}

}  // namespace

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
  // The tokenizer holds its own compact copy of the vocabulary; the parsed
  // metadata arrays would otherwise stay resident for the model's lifetime.
  model->file->release_large_arrays(4096);
  EDGELLM_TRY(repack_weights(model.get(), opts.repack));
  *out = std::move(model);
  return Status::Ok();
}

}  // namespace edgellm

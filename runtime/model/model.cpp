#include "runtime/model/model.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/threads/numa.h"

namespace edgellm {

void FreeDeleter::operator()(uint8_t* p) const { std::free(p); }

namespace {

// Weight memory after load, when repacking is on:
//  1. every matmul weight that has a repacked kernel on the model's path is
//     repacked into the owned buffer and its Weight (data + kernel) points
//     there (a tied output too when its kernel can unrepack a row; the
//     embedding table then points at the same copy);
//  2. every other tensor still read in place that is small (norms, biases,
//     RoPE factors: < kSmallTensor) is copied into the same buffer. Left in
//     the file, each would keep a whole page-cache folio mapped around it
//     (kernels map file pages in up to 2 MiB folios: ~36 MiB of a 1B model's
//     mapping for a few KiB of norms);
//  3. every page of the file that no remaining Weight points into is
//     released: the mapping is private and read-only (MAP_PRIVATE), so
//     MADV_DONTNEED just drops the pages (a metadata string read later faults
//     its page back in); for a file read into memory (--no-mmap) only the
//     tensor data section is released, since metadata views point into it.
// What stays resident is exactly the plan's weight bytes: the owned buffer
// plus the tensors still used from the file (an untied embedding table, a
// tied one whose kernel cannot unrepack rows, matmul weights without a
// repacked kernel). Peak memory during load stays about
// one copy of the weights plus one tensor in flight.
//
// auto and on currently behave alike (every repacked kernel is faster than
// the zero-copy one on its path); off keeps all weights zero-copy.
constexpr size_t kSmallTensor = size_t{1} << 20;
constexpr size_t kAlign = 64;

size_t align_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

// The file tensor whose bytes contain p (tensors sorted by data), or null.
const gguf::TensorInfo* tensor_at(const std::vector<const gguf::TensorInfo*>& sorted,
                                  const uint8_t* p) {
  auto it = std::upper_bound(sorted.begin(), sorted.end(), p,
                             [](const uint8_t* q, const gguf::TensorInfo* t) { return q < t->data; });
  if (it == sorted.begin()) return nullptr;
  const gguf::TensorInfo* t = *(it - 1);
  return p < t->data + t->n_bytes ? t : nullptr;
}

// Drops the pages of [lo, hi) (rounded inward to pages). Best effort: a
// refusal only costs memory.
void release_range(const uint8_t* lo, const uint8_t* hi, uintptr_t page) {
  const uintptr_t a = (reinterpret_cast<uintptr_t>(lo) + page - 1) / page * page;
  const uintptr_t b = reinterpret_cast<uintptr_t>(hi) / page * page;
  if (b > a) (void)madvise(reinterpret_cast<void*>(a), b - a, MADV_DONTNEED);
}

Status repack_weights(Model* m, RepackPolicy policy, bool numa_interleave) {
  if (policy == RepackPolicy::Off) return Status::Ok();
  const gguf::File& file = *m->file;
  ModelWeights& w = m->weights;

  // 1. The matmul weights to repack. The tied output shares token_embd,
  // whose rows are also looked up as embeddings: it is repacked only when
  // its kernel can give a row back in the file's layout (unrepack_row), and
  // the embedding lookups then read the repacked copy too (blocks::embed),
  // so the file's copy is released like the others.
  std::vector<Weight*> repack;
  auto consider = [&](Weight& wt) {
    if (!wt.present() || !wt.kernel || wt.ne1 < 1) return false;
    if (!kernels::repacked_kernel(wt.type, m->isa)) return false;
    repack.push_back(&wt);
    return true;
  };
  bool tied_repacked = false;
  if (!m->config.tied_output) {
    consider(w.output);
  } else if (const kernels::MatmulKernel* rk = kernels::repacked_kernel(w.output.type, m->isa);
             rk && rk->unrepack_row && w.output.row_bytes <= kMaxRepackedEmbedRowBytes) {
    tied_repacked = consider(w.output);
  }
  for (LayerWeights& l : w.layers) {
    for (Weight* wt : {&l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_gate, &l.ffn_up, &l.ffn_down}) {
      consider(*wt);
    }
  }
  if (repack.empty()) return Status::Ok();

  // 2. The tensors the other weights still read from the file.
  std::vector<const gguf::TensorInfo*> sorted;
  for (const gguf::TensorInfo& t : file.tensors()) {
    if (t.n_bytes > 0) sorted.push_back(&t);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const gguf::TensorInfo* a, const gguf::TensorInfo* b) { return a->data < b->data; });
  std::vector<const gguf::TensorInfo*> used;  // sorted by data, unique
  for_each_weight(w, [&](Weight& wt) {
    if (!wt.present() || std::find(repack.begin(), repack.end(), &wt) != repack.end()) return;
    if (tied_repacked && &wt == &w.tok_embd) return;  // reads the repacked output
    const gguf::TensorInfo* t = tensor_at(sorted, wt.data);
    if (t != nullptr) used.push_back(t);
  });
  std::sort(used.begin(), used.end(),
            [](const gguf::TensorInfo* a, const gguf::TensorInfo* b) { return a->data < b->data; });
  used.erase(std::unique(used.begin(), used.end()), used.end());

  // One owned buffer: repacked weights, then the small tensors' copies.
  std::vector<size_t> offsets;
  size_t total = 0;
  for (Weight* wt : repack) {
    const kernels::MatmulKernel* rk = kernels::repacked_kernel(wt->type, m->isa);
    offsets.push_back(total);
    total += align_up(kernels::repacked_size(*rk, wt->ne1, wt->ne0), kAlign);
  }
  std::vector<std::pair<const gguf::TensorInfo*, size_t>> copies;  // tensor, offset
  size_t mapped = 0;
  for (const gguf::TensorInfo* t : used) {
    if (t->n_bytes < kSmallTensor) {
      copies.emplace_back(t, total);
      total += align_up(t->n_bytes, kAlign);
    } else {
      mapped += t->n_bytes;
    }
  }
  auto* buf = static_cast<uint8_t*>(std::aligned_alloc(kAlign, total));
  if (!buf) {
    return Errorf(StatusCode::kOutOfMemory, "cannot allocate %zu bytes for repacked weights",
                  total);
  }
  m->repacked.reset(buf);
  m->repacked_bytes = total;
  // Before the first write, so the policy places the pages (a no-op on one node).
  if (numa_interleave) threads::numa::interleave_memory(buf, total, nullptr);
  const long page_l = sysconf(_SC_PAGESIZE);
  const uintptr_t page = page_l > 0 ? static_cast<uintptr_t>(page_l) : 4096;

  for (size_t i = 0; i < repack.size(); ++i) {
    Weight* wt = repack[i];
    const kernels::MatmulKernel* rk = kernels::repacked_kernel(wt->type, m->isa);
    const uint8_t* src = wt->data;
    uint8_t* dst = buf + offsets[i];
    rk->repack(src, wt->row_bytes, wt->ne1, wt->ne0, dst);
    wt->data = dst;
    wt->kernel = rk;
    // Released as soon as it is repacked, so the peak stays one tensor over.
    release_range(src, src + static_cast<size_t>(wt->ne1) * wt->row_bytes, page);
    ++m->repacked_tensors;
  }
  if (tied_repacked) {
    w.tok_embd.data = w.output.data;
    w.tok_embd.kernel = w.output.kernel;
  }
  for (const auto& [t, offset] : copies) {
    std::memcpy(buf + offset, t->data, t->n_bytes);
  }
  for_each_weight(w, [&](Weight& wt) {
    if (!wt.present()) return;
    for (const auto& [t, offset] : copies) {
      if (wt.data >= t->data && wt.data < t->data + t->n_bytes) {
        wt.data = buf + offset + (wt.data - t->data);
        return;
      }
    }
  });

  // 3. Release every page no Weight reads from the file any more.
  const uint8_t* cursor = file.is_mmapped() ? file.bytes() : file.bytes() + file.data_offset();
  for (const gguf::TensorInfo* t : used) {
    if (t->n_bytes < kSmallTensor) continue;
    release_range(cursor, t->data, page);
    cursor = std::max(cursor, t->data + t->n_bytes);
  }
  release_range(cursor, file.bytes() + file.file_size(), page);
  m->mapped_bytes = mapped;
  return Status::Ok();
}

// Vulkan offload. An explicit Vulkan request fails with the reason when the
// model cannot run there; Auto (a real GPU only, never a CPU implementation
// such as lavapipe) falls back to the CPU and keeps the reason as a note.
// Once the weights are on the device, no page of the file is read again.
Status offload(Model* m, const ModelLoadOptions& opts) {
  vulkan::DeviceRequest req;
  req.index = opts.vulkan_device;
  req.allow_cpu = opts.backend == Backend::Vulkan;
  const Status st = vulkan::offload_model(*m, req, &m->gpu);
  if (!st.ok()) {
    m->gpu.reset();
    if (opts.backend == Backend::Vulkan) return st;
    m->backend_note = "auto backend: using the CPU (" + st.message() + ")";
    return Status::Ok();
  }
  const gguf::File& file = *m->file;
  const uint8_t* lo = file.is_mmapped() ? file.bytes() : file.bytes() + file.data_offset();
  release_range(lo, file.bytes() + file.file_size(), static_cast<uintptr_t>(sysconf(_SC_PAGESIZE)));
  m->mapped_bytes = 0;
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
  for (const gguf::TensorInfo& t : model->file->tensors()) model->mapped_bytes += t.n_bytes;
  if (opts.backend != Backend::Cpu) {
    EDGELLM_TRY(offload(model.get(), opts));
    if (model->gpu) {
      *out = std::move(model);
      return Status::Ok();
    }
  }
  EDGELLM_TRY(repack_weights(model.get(), opts.repack, opts.numa_interleave));
  *out = std::move(model);
  return Status::Ok();
}

}  // namespace edgellm

// Whole-model offload: checks what the LLaMA-family template needs against
// what the shaders cover, then uploads every weight once. Tensors larger
// than the device's descriptor range are split by rows; pieces are packed
// into allocations no larger than the device allows.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "runtime/model/model.h"
#include "runtime/vulkan/gpu_model.h"

namespace edgellm::vulkan {
namespace {

constexpr int32_t kMaxHeadDim = 256;  // MAX_HEAD_DIM in shaders/attention.comp

Status check_weight(const Weight& w, bool matrix) {
  if (!w.present()) return Status::Ok();
  if (!matrix) {
    if (w.type != DType::F32) {
      return Errorf(StatusCode::kUnsupported, "vulkan: tensor %s is %s; the backend reads F32 vectors",
                    w.name, dtype_name(w.type));
    }
    return Status::Ok();
  }
  if (!shader_type(w.type)) {
    return Errorf(StatusCode::kUnsupported,
                  "vulkan: tensor %s is %s, which has no shader (supported: F32, F16, Q8_0, Q4_0, "
                  "Q4_K, Q6_K)",
                  w.name, dtype_name(w.type));
  }
  if (w.ne0 % 32 != 0) {
    return Errorf(StatusCode::kUnsupported,
                  "vulkan: tensor %s has rows of %lld elements, not a multiple of 32", w.name,
                  static_cast<long long>(w.ne0));
  }
  return Status::Ok();
}

Status check_model(const Model& m) {
  const TransformerConfig& c = m.config;
  if (c.family != Family::kLlama) {
    return Errorf(StatusCode::kUnsupported,
                  "vulkan: architecture %s is not offloaded (the Vulkan backend runs the LLaMA "
                  "family: llama, mistral, qwen2, qwen3, phi3)",
                  c.arch_name.c_str());
  }
  if (c.head_dim > kMaxHeadDim || c.head_dim_v > kMaxHeadDim || c.head_dim % 2 != 0 ||
      c.head_dim_v % 2 != 0) {
    return Errorf(StatusCode::kUnsupported, "vulkan: head size %d/%d is not supported (even, <= %d)",
                  c.head_dim, c.head_dim_v, kMaxHeadDim);
  }
  if (m.weights.layers.empty() ||
      m.weights.layers[0].wo.ne0 != static_cast<int64_t>(c.n_head) * c.head_dim_v) {
    return Errorf(StatusCode::kUnsupported,
                  "vulkan: attn_output rows do not match n_head x value head size");
  }
  if (c.n_head_kv <= 0 || c.n_head % c.n_head_kv != 0) {
    return Errorf(StatusCode::kUnsupported, "vulkan: %d heads do not group over %d KV heads",
                  c.n_head, c.n_head_kv);
  }
  const ModelWeights& w = m.weights;
  EDGELLM_TRY(check_weight(w.tok_embd, true));
  EDGELLM_TRY(check_weight(w.output, true));
  EDGELLM_TRY(check_weight(w.output_norm, false));
  EDGELLM_TRY(check_weight(w.rope_freqs, false));
  for (const LayerWeights& l : w.layers) {
    for (const Weight* x : {&l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_gate, &l.ffn_up, &l.ffn_down}) {
      EDGELLM_TRY(check_weight(*x, true));
    }
    for (const Weight* x : {&l.attn_norm, &l.ffn_norm, &l.bq, &l.bk, &l.bv, &l.bo, &l.q_norm, &l.k_norm}) {
      EDGELLM_TRY(check_weight(*x, false));
    }
  }
  return Status::Ok();
}

struct Upload {
  const Weight* w;
  size_t arena;   // index into arenas
  size_t buffer;  // first buffer of its pieces in that arena
};

}  // namespace

DeviceModel::~DeviceModel() {
  for (MemoryArena& a : arenas) device->destroy_arena(&a);
}

const GpuTensor* DeviceModel::find(const Weight& w) const {
  if (!w.present()) return nullptr;
  auto it = tensors.find(w.data);
  return it == tensors.end() ? nullptr : &it->second;
}

Status offload_model(const Model& model, const DeviceRequest& req, std::unique_ptr<GpuModel>* out) {
  EDGELLM_TRY(check_model(model));
  auto dm = std::make_unique<DeviceModel>();
  EDGELLM_TRY(Device::create(req, &dm->device));
  Device& dev = *dm->device;

  // Every distinct tensor the template reads, split into row pieces.
  std::vector<const Weight*> list;
  for_each_weight(const_cast<ModelWeights&>(model.weights), [&](Weight& w) {
    if (!w.present() || dm->tensors.count(w.data)) return;
    GpuTensor t;
    t.type = w.type;
    t.ne0 = w.ne0;
    t.ne1 = std::max<int64_t>(w.ne1, 1);
    // The bytes of this weight's own rows (a view into a fused tensor keeps
    // the parent's row stride only for 2-D row views, where they agree).
    dtype_row_bytes(w.type, w.ne0, &t.row_bytes);
    dm->tensors.emplace(w.data, t);
    list.push_back(&w);
  });
  std::vector<std::vector<VkDeviceSize>> arena_sizes(1);
  VkDeviceSize arena_bytes = 0;
  struct PiecePlace {
    const uint8_t* key;
    size_t arena, buffer;
    int64_t row0, rows;
  };
  std::vector<PiecePlace> places;
  for (const Weight* w : list) {
    const GpuTensor& t = dm->tensors[w->data];
    const VkDeviceSize row_bytes = t.row_bytes;
    if (row_bytes > dev.max_range()) {
      return Errorf(StatusCode::kUnsupported, "vulkan: one row of %s (%llu bytes) exceeds the "
                    "device's storage buffer range (%llu bytes)", w->name,
                    static_cast<unsigned long long>(row_bytes),
                    static_cast<unsigned long long>(dev.max_range()));
    }
    const int64_t rows_per_piece =
        static_cast<int64_t>(std::min(dev.max_range(), dev.max_allocation()) / row_bytes);
    for (int64_t r = 0; r < t.ne1; r += rows_per_piece) {
      const int64_t rows = std::min(rows_per_piece, t.ne1 - r);
      const VkDeviceSize bytes = static_cast<VkDeviceSize>(rows) * row_bytes;
      if (arena_bytes > 0 && arena_bytes + round_up(bytes, 4096) > dev.max_allocation()) {
        arena_sizes.emplace_back();
        arena_bytes = 0;
      }
      places.push_back({w->data, arena_sizes.size() - 1, arena_sizes.back().size(), r, rows});
      // Shaders read whole 32-bit words: the last block of a piece whose size
      // is not a multiple of 4 must stay inside the bound range.
      arena_sizes.back().push_back(round_up(bytes, 4));
      arena_bytes += round_up(bytes, 4096);  // conservative: drivers align buffers to <= 4 KiB
    }
  }
  for (const auto& sizes : arena_sizes) {
    dm->arenas.emplace_back();
    EDGELLM_TRY(dev.create_arena(sizes, /*host=*/false, &dm->arenas.back()));
    dm->bytes += dm->arenas.back().bytes;
  }
  // EDGELLM_VULKAN_STAGING=1 copies through a staging buffer even into
  // mappable memory, the path discrete GPUs take (for tests).
  const char* staging_env = std::getenv("EDGELLM_VULKAN_STAGING");
  const bool staging = staging_env && std::strcmp(staging_env, "1") == 0;
  for (const PiecePlace& p : places) {
    MemoryArena& a = dm->arenas[p.arena];
    GpuTensor& t = dm->tensors[p.key];
    const VkDeviceSize bytes = static_cast<VkDeviceSize>(p.rows) * t.row_bytes;
    const uint8_t* src = p.key + static_cast<size_t>(p.row0) * t.row_bytes;
    if (a.mapped && !staging) {
      std::memcpy(static_cast<uint8_t*>(a.mapped) + a.offsets[p.buffer], src, bytes);
    } else {
      EDGELLM_TRY(dev.upload(a.buffers[p.buffer], 0, src, bytes));
    }
    t.pieces.push_back({{a.buffers[p.buffer], 0, a.sizes[p.buffer]}, p.row0, p.rows});
  }
  for (const MemoryArena& a : dm->arenas) EDGELLM_TRY(dev.flush(a));
  *out = std::move(dm);
  return Status::Ok();
}

}  // namespace edgellm::vulkan

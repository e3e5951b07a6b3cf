// A GPU session: activation buffers for n_batch tokens in one device
// allocation, the KV cache of every attention layer, host-visible tokens /
// step / logits buffers, and the forward pass of the LLaMA-family template
// recorded once per shape (token count, all_logits) into a command buffer
// that is re-submitted: the position comes from the step buffer, so decode
// replays one recorded command buffer at every position.
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <utility>

#include "runtime/model/model.h"
#include "runtime/vulkan/gpu_model.h"

namespace edgellm::vulkan {
namespace {

// Activation buffers, in arena order.
enum Act { kX, kXn, kQ, kK, kV, kAttn, kProj, kFfnA, kFfnB, kDummy, kActCount };
const char* const kActNames[] = {"x", "xn", "q", "k", "v", "attn", "proj", "ffn_a", "ffn_b", "dummy"};
// Host-visible buffers.
enum Host { kTokens, kStep, kLogits, kHostCount };

constexpr size_t kMaxRecorded = 8;  // command buffers kept (distinct batch shapes)

struct Sizes {
  VkDeviceSize act[kActCount];
  VkDeviceSize host[kHostCount];
  VkDeviceSize kv_k, kv_v;  // per attention layer
};

Status check_kv(KvType t) {
  if (t == KvType::kQ8_0) {
    return Errorf(StatusCode::kUnsupported,
                  "vulkan: KV cache type q8_0 is CPU-only; use f16 or f32 with the Vulkan backend");
  }
  return Status::Ok();
}

Sizes sizes_for(const TransformerConfig& c, const SessionShape& s) {
  const VkDeviceSize B = static_cast<VkDeviceSize>(s.n_batch), f = sizeof(float);
  Sizes z{};
  z.act[kX] = z.act[kXn] = z.act[kProj] = B * c.n_embd * f;
  z.act[kQ] = B * c.q_dim() * f;
  z.act[kAttn] = B * c.n_head * c.head_dim_v * f;
  z.act[kK] = B * c.kv_dim() * f;
  z.act[kV] = B * c.v_dim() * f;
  z.act[kFfnA] = z.act[kFfnB] = B * c.n_ff * f;
  z.act[kDummy] = 16;
  z.host[kTokens] = B * sizeof(int32_t);
  z.host[kStep] = 16;
  z.host[kLogits] = (s.logits_all ? B : 1) * c.n_vocab * f;
  const VkDeviceSize elem = s.kv_type == KvType::kF32 ? 4 : 2;
  z.kv_k = static_cast<VkDeviceSize>(s.n_ctx) * c.kv_dim() * elem;
  z.kv_v = static_cast<VkDeviceSize>(s.n_ctx) * c.v_dim() * elem;
  return z;
}

class DeviceSession final : public GpuSession {
 public:
  DeviceSession(const Model& m, const DeviceModel& dm, const SessionShape& s)
      : model_(m), dm_(dm), dev_(*dm.device), shape_(s) {}
  ~DeviceSession() override;
  Status init();
  Status forward(const int32_t* tokens, int32_t n, int32_t pos0, bool all_logits,
                 float* logits) override;
  const SessionPlan& plan() const override { return plan_; }

 private:
  struct Recorded {
    VkCommandBuffer cb = VK_NULL_HANDLE;
    std::vector<VkDescriptorPool> pools;
    uint64_t last_use = 0;
  };
  BufferRange act(Act a) const { return {acts_.buffers[a], 0, acts_.sizes[a]}; }
  BufferRange host(Host h) const { return {host_.buffers[h], 0, host_.sizes[h]}; }
  BufferRange weight(const Weight& w) const { return dm_.find(w)->whole(); }
  Status record(int32_t n, bool all_logits, Recorded* out);
  Status encode(Recorder& r, int32_t n, bool all_logits);

  const Model& model_;
  const DeviceModel& dm_;
  Device& dev_;
  SessionShape shape_;
  SessionPlan plan_;
  MemoryArena acts_, host_;
  std::vector<MemoryArena> kv_arenas_;
  std::vector<BufferRange> kc_, vc_;  // per KV slot
  std::map<std::pair<int32_t, bool>, Recorded> recorded_;
  uint64_t uses_ = 0;
};

DeviceSession::~DeviceSession() {
  std::lock_guard<std::mutex> lock(dev_.mutex());
  for (auto& [key, r] : recorded_) {
    dev_.free_command_buffer(r.cb);
    destroy_pools(dev_, &r.pools);
  }
  dev_.destroy_arena(&acts_);
  dev_.destroy_arena(&host_);
  for (MemoryArena& a : kv_arenas_) dev_.destroy_arena(&a);
}

Status DeviceSession::init() {
  const TransformerConfig& c = model_.config;
  const Sizes z = sizes_for(c, shape_);
  for (int i = 0; i < kActCount; ++i) {
    if (z.act[i] > dev_.max_range()) {
      return Errorf(StatusCode::kUnsupported,
                    "vulkan: activation buffer %s of %llu bytes exceeds the device's storage "
                    "buffer range (%llu bytes); lower n_batch",
                    kActNames[i], static_cast<unsigned long long>(z.act[i]),
                    static_cast<unsigned long long>(dev_.max_range()));
    }
  }
  if (z.host[kLogits] > dev_.max_range()) {
    return Errorf(StatusCode::kUnsupported,
                  "vulkan: the logits buffer of %llu bytes exceeds the device's storage buffer "
                  "range (%llu bytes); lower n_batch or keep only the last position's logits",
                  static_cast<unsigned long long>(z.host[kLogits]),
                  static_cast<unsigned long long>(dev_.max_range()));
  }
  if (z.kv_k > dev_.max_range() || z.kv_v > dev_.max_range()) {
    return Errorf(StatusCode::kUnsupported,
                  "vulkan: one layer's KV cache (%llu bytes) exceeds the device's storage buffer "
                  "range (%llu bytes); lower n_ctx",
                  static_cast<unsigned long long>(std::max(z.kv_k, z.kv_v)),
                  static_cast<unsigned long long>(dev_.max_range()));
  }
  VkDeviceSize act_total = 0;
  for (VkDeviceSize b : z.act) act_total += round_up(b, 4096);
  if (act_total > dev_.max_allocation() || round_up(z.kv_k, 4096) + z.kv_v > dev_.max_allocation()) {
    return Errorf(StatusCode::kUnsupported,
                  "vulkan: %s (%llu bytes) exceeds the largest allocation the device allows (%llu "
                  "bytes); lower %s",
                  act_total > dev_.max_allocation() ? "the activation buffers" : "one layer's KV cache",
                  static_cast<unsigned long long>(act_total > dev_.max_allocation()
                                                      ? act_total
                                                      : z.kv_k + z.kv_v),
                  static_cast<unsigned long long>(dev_.max_allocation()),
                  act_total > dev_.max_allocation() ? "n_batch" : "n_ctx");
  }
  EDGELLM_TRY(dev_.create_arena({z.act, z.act + kActCount}, /*host=*/false, &acts_));
  EDGELLM_TRY(dev_.create_arena({z.host, z.host + kHostCount}, /*host=*/true, &host_));
  // KV cache: k and v of each attention layer, packed into allocations no
  // larger than the device allows.
  std::vector<std::vector<VkDeviceSize>> groups(1);
  VkDeviceSize bytes = 0;
  for (int32_t slot = 0; slot < c.n_kv_layers; ++slot) {
    const VkDeviceSize both = round_up(z.kv_k, 4096) + round_up(z.kv_v, 4096);
    if (bytes > 0 && bytes + both > dev_.max_allocation()) {
      groups.emplace_back();
      bytes = 0;
    }
    groups.back().push_back(z.kv_k);
    groups.back().push_back(z.kv_v);
    bytes += both;
  }
  for (const auto& g : groups) {
    kv_arenas_.emplace_back();
    EDGELLM_TRY(dev_.create_arena(g, /*host=*/false, &kv_arenas_.back()));
    const MemoryArena& a = kv_arenas_.back();
    for (size_t i = 0; i + 1 < a.buffers.size(); i += 2) {
      kc_.push_back({a.buffers[i], 0, a.sizes[i]});
      vc_.push_back({a.buffers[i + 1], 0, a.sizes[i + 1]});
    }
    plan_.kv_bytes += a.bytes;
  }
  plan_.activation_bytes = acts_.bytes;
  plan_.host_bytes = host_.bytes;
  return Status::Ok();
}

// The LLaMA-family forward pass (runtime/exec/llama.cpp), op for op.
Status DeviceSession::encode(Recorder& r, int32_t n_tokens, bool all_logits) {
  const TransformerConfig& c = model_.config;
  const ModelWeights& w = model_.weights;
  const uint32_t n = static_cast<uint32_t>(n_tokens);
  const uint32_t d = static_cast<uint32_t>(c.n_embd);
  const uint32_t q_dim = static_cast<uint32_t>(c.q_dim());
  const uint32_t kv_dim = static_cast<uint32_t>(c.kv_dim());
  const uint32_t v_dim = static_cast<uint32_t>(c.v_dim());
  const uint32_t attn_dim = static_cast<uint32_t>(c.n_head * c.head_dim_v);
  const uint32_t n_ff = static_cast<uint32_t>(c.n_ff);
  const bool f16 = shape_.kv_type != KvType::kF32;
  const BufferRange step = host(kStep);
  const BufferRange factors_range = w.rope_freqs.present() ? weight(w.rope_freqs) : BufferRange{};
  const BufferRange* factors = w.rope_freqs.present() ? &factors_range : nullptr;
  AttentionParams ap{};
  ap.n_head = static_cast<uint32_t>(c.n_head);
  ap.n_head_kv = static_cast<uint32_t>(c.n_head_kv);
  ap.head_dim = static_cast<uint32_t>(c.head_dim);
  ap.head_dim_v = static_cast<uint32_t>(c.head_dim_v);
  ap.q_stride = q_dim;
  ap.out_stride = attn_dim;
  ap.scale = 1.0f / std::sqrt(static_cast<float>(c.head_dim));
  r.set_dummy(act(kDummy));
  auto bias = [&](Act y, const Weight& b, uint32_t dim) -> Status {
    if (!b.present()) return Status::Ok();
    return r.binary(act(y), weight(b), n * dim, dim, 0);
  };

  // x = embed(tokens)
  EDGELLM_TRY(r.get_rows(*dm_.find(w.tok_embd), host(kTokens), n, act(kX), c.embd_scale));
  for (int32_t il = 0; il < c.n_layer; ++il) {
    const LayerWeights& l = w.layers[static_cast<size_t>(il)];
    // x += Wo · attention(rope(Wq·n(x)), rope(Wk·n(x)), Wv·n(x))
    EDGELLM_TRY(r.norm(act(kX), 0, n, d, d, weight(l.attn_norm), nullptr, act(kXn), d, c.norm_eps, false));
    EDGELLM_TRY(r.matmul(*dm_.find(l.wq), act(kXn), d, n, act(kQ), q_dim));
    EDGELLM_TRY(r.matmul(*dm_.find(l.wk), act(kXn), d, n, act(kK), kv_dim));
    EDGELLM_TRY(r.matmul(*dm_.find(l.wv), act(kXn), d, n, act(kV), v_dim));
    EDGELLM_TRY(bias(kQ, l.bq, q_dim));
    EDGELLM_TRY(bias(kK, l.bk, kv_dim));
    EDGELLM_TRY(bias(kV, l.bv, v_dim));
    const uint32_t hd = static_cast<uint32_t>(c.head_dim);
    if (l.q_norm.present()) {
      EDGELLM_TRY(r.norm(act(kQ), 0, n * ap.n_head, hd, hd, weight(l.q_norm), nullptr, act(kQ), hd,
                         c.norm_eps, false));
    }
    if (l.k_norm.present()) {
      EDGELLM_TRY(r.norm(act(kK), 0, n * ap.n_head_kv, hd, hd, weight(l.k_norm), nullptr, act(kK),
                         hd, c.norm_eps, false));
    }
    const uint32_t n_rot = static_cast<uint32_t>(c.n_rot);
    EDGELLM_TRY(r.rope(act(kQ), n, ap.n_head, hd, n_rot, q_dim, c.rope_freq_base, c.rope_freq_scale,
                       c.rope_neox, factors, step));
    EDGELLM_TRY(r.rope(act(kK), n, ap.n_head_kv, hd, n_rot, kv_dim, c.rope_freq_base,
                       c.rope_freq_scale, c.rope_neox, factors, step));
    const size_t slot = static_cast<size_t>(c.kv_slot[static_cast<size_t>(il)]);
    EDGELLM_TRY(r.kv_store(f16, act(kK), act(kV), kc_[slot], vc_[slot], step, n, kv_dim, v_dim));
    EDGELLM_TRY(r.attention(f16, act(kQ), kc_[slot], vc_[slot], act(kAttn), step, n, ap));
    EDGELLM_TRY(r.matmul(*dm_.find(l.wo), act(kAttn), attn_dim, n, act(kProj), d));
    EDGELLM_TRY(bias(kProj, l.bo, d));
    EDGELLM_TRY(r.binary(act(kX), act(kProj), n * d, n * d, 0));
    // x += Wdown · (silu(Wgate·n(x)) ⊙ Wup·n(x))
    EDGELLM_TRY(r.norm(act(kX), 0, n, d, d, weight(l.ffn_norm), nullptr, act(kXn), d, c.norm_eps, false));
    EDGELLM_TRY(r.matmul(*dm_.find(l.ffn_gate), act(kXn), d, n, act(kFfnA), n_ff));
    EDGELLM_TRY(r.matmul(*dm_.find(l.ffn_up), act(kXn), d, n, act(kFfnB), n_ff));
    EDGELLM_TRY(r.glu(act(kFfnA), act(kFfnB), n * n_ff, 0));
    EDGELLM_TRY(r.matmul(*dm_.find(l.ffn_down), act(kFfnA), n_ff, n, act(kProj), d));
    EDGELLM_TRY(r.binary(act(kX), act(kProj), n * d, n * d, 0));
  }
  // logits = Wout · n(x), for every position or the last one
  const uint32_t first = all_logits ? 0 : n - 1;
  const uint32_t rows = n - first;
  EDGELLM_TRY(r.norm(act(kX), first, rows, d, d, weight(w.output_norm), nullptr, act(kXn), d,
                     c.norm_eps, false));
  EDGELLM_TRY(r.matmul(*dm_.find(w.output), act(kXn), d, rows, host(kLogits),
                       static_cast<uint32_t>(c.n_vocab)));
  r.host_barrier();
  return Status::Ok();
}

Status DeviceSession::record(int32_t n, bool all_logits, Recorded* out) {
  EDGELLM_TRY(dev_.allocate_command_buffer(&out->cb));
  VkCommandBufferBeginInfo bi{};
  bi.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  EDGELLM_VK(vkBeginCommandBuffer(out->cb, &bi));
  Recorder r(dev_, out->cb, &out->pools);
  const Status st = encode(r, n, all_logits);
  const VkResult end = vkEndCommandBuffer(out->cb);
  EDGELLM_TRY(st);
  if (end != VK_SUCCESS) return vk_error("vkEndCommandBuffer", end);
  return Status::Ok();
}

Status DeviceSession::forward(const int32_t* tokens, int32_t n, int32_t pos0, bool all_logits,
                              float* logits) {
  std::lock_guard<std::mutex> lock(dev_.mutex());  // one forward pass on the device at a time
  all_logits = all_logits && n > 1;
  const auto key = std::make_pair(n, all_logits);
  auto it = recorded_.find(key);
  if (it == recorded_.end()) {
    if (recorded_.size() >= kMaxRecorded) {  // forget the least recently used shape
      auto oldest = recorded_.begin();
      for (auto i = recorded_.begin(); i != recorded_.end(); ++i) {
        if (i->second.last_use < oldest->second.last_use) oldest = i;
      }
      dev_.free_command_buffer(oldest->second.cb);
      destroy_pools(dev_, &oldest->second.pools);
      recorded_.erase(oldest);
    }
    Recorded rec;
    const Status st = record(n, all_logits, &rec);
    if (!st.ok()) {
      if (rec.cb != VK_NULL_HANDLE) dev_.free_command_buffer(rec.cb);
      destroy_pools(dev_, &rec.pools);
      return st;
    }
    it = recorded_.emplace(key, std::move(rec)).first;
  }
  it->second.last_use = ++uses_;

  uint8_t* base = static_cast<uint8_t*>(host_.mapped);
  std::memcpy(base + host_.offsets[kTokens], tokens, static_cast<size_t>(n) * sizeof(int32_t));
  const uint32_t step[4] = {static_cast<uint32_t>(pos0), 0, 0, 0};
  std::memcpy(base + host_.offsets[kStep], step, sizeof step);
  EDGELLM_TRY(dev_.flush(host_));
  EDGELLM_TRY(dev_.submit(it->second.cb));
  if (!host_.coherent) {
    VkMappedMemoryRange mr{};
    mr.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE;
    mr.memory = host_.memory;
    mr.size = VK_WHOLE_SIZE;
    EDGELLM_VK(vkInvalidateMappedMemoryRanges(dev_.device(), 1, &mr));
  }
  const size_t rows = all_logits ? static_cast<size_t>(n) : 1;
  std::memcpy(logits, base + host_.offsets[kLogits],
              rows * static_cast<size_t>(model_.config.n_vocab) * sizeof(float));
  return Status::Ok();
}

}  // namespace

Status plan_session(const Model& model, const SessionShape& shape, SessionPlan* out) {
  EDGELLM_TRY(check_kv(shape.kv_type));
  const Sizes z = sizes_for(model.config, shape);
  *out = SessionPlan();
  for (VkDeviceSize b : z.act) out->activation_bytes += round_up(b, 256);
  for (VkDeviceSize b : z.host) out->host_bytes += round_up(b, 256);
  out->kv_bytes = static_cast<size_t>(model.config.n_kv_layers) *
                  (round_up(z.kv_k, 256) + round_up(z.kv_v, 256));
  return Status::Ok();
}

Status create_session(const Model& model, const SessionShape& shape,
                      std::unique_ptr<GpuSession>* out) {
  EDGELLM_TRY(check_kv(shape.kv_type));
  const auto* dm = dynamic_cast<const DeviceModel*>(model.gpu.get());
  if (!dm) return Errorf(StatusCode::kInvalidArgument, "vulkan: the model was not offloaded");
  auto s = std::make_unique<DeviceSession>(model, *dm, shape);
  EDGELLM_TRY(s->init());
  *out = std::move(s);
  return Status::Ok();
}

}  // namespace edgellm::vulkan

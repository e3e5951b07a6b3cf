#include "runtime/vulkan/ops.h"

#include <algorithm>
#include <cmath>

namespace edgellm::vulkan {
namespace {

struct MatmulPush {
  uint32_t ne0, rows, row_bytes, n, x_stride, y_stride, y_offset, grid_x;
};
struct GetRowsPush {
  uint32_t ne0, row_bytes, row_first, rows;
  float scale;
};
struct NormPush {
  uint32_t dim, x_stride, y_stride;
  float eps;
  uint32_t mode, has_bias, row0, rows, grid_x;
};
struct RopePush {
  uint32_t n, n_heads, head_dim, n_rot, row_stride;
  float theta_scale, freq_scale;
  uint32_t neox, has_factors;
};
struct KvStorePush {
  uint32_t n, k_dim, v_dim;
};
struct GluPush {
  uint32_t count, mode;
};
struct BinaryPush {
  uint32_t count, period, op;
};

constexpr uint32_t kTokenTile = 8;  // TN in matmul.comp
constexpr uint32_t kSetsPerPool = 512;
constexpr uint32_t kMaxBindings = 5;

}  // namespace

const char* shader_type(DType t) {
  switch (t) {
    case DType::F32: return "f32";
    case DType::F16: return "f16";
    case DType::Q8_0: return "q8_0";
    case DType::Q4_0: return "q4_0";
    case DType::Q4_K: return "q4_k";
    case DType::Q6_K: return "q6_k";
    default: return nullptr;
  }
}

void destroy_pools(Device& dev, std::vector<VkDescriptorPool>* pools) {
  for (VkDescriptorPool p : *pools) vkDestroyDescriptorPool(dev.device(), p, nullptr);
  pools->clear();
}

Status Recorder::allocate_set(const Pipeline& p, VkDescriptorSet* out) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!pools_->empty()) {
      VkDescriptorSetAllocateInfo ai{};
      ai.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
      ai.descriptorPool = pools_->back();
      ai.descriptorSetCount = 1;
      ai.pSetLayouts = &p.set_layout;
      const VkResult r = vkAllocateDescriptorSets(dev_.device(), &ai, out);
      if (r == VK_SUCCESS) return Status::Ok();
      if (r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL) {
        return vk_error("vkAllocateDescriptorSets", r);
      }
    }
    VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kSetsPerPool * kMaxBindings};
    VkDescriptorPoolCreateInfo ci{};
    ci.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    ci.maxSets = kSetsPerPool;
    ci.poolSizeCount = 1;
    ci.pPoolSizes = &size;
    VkDescriptorPool pool = VK_NULL_HANDLE;
    EDGELLM_VK(vkCreateDescriptorPool(dev_.device(), &ci, nullptr, &pool));
    pools_->push_back(pool);
  }
  return Errorf(StatusCode::kInternal, "vulkan: descriptor set allocation failed");
}

Status Recorder::dispatch(const char* shader, const std::vector<BufferRange>& bindings,
                          const void* push, uint32_t push_bytes, uint32_t gx, uint32_t gy,
                          uint32_t gz) {
  const Pipeline* p = nullptr;
  EDGELLM_TRY(dev_.pipeline(shader, static_cast<uint32_t>(bindings.size()), push_bytes, &p));
  const VkPhysicalDeviceLimits& lim = dev_.limits();
  if (gx > lim.maxComputeWorkGroupCount[0] || gy > lim.maxComputeWorkGroupCount[1] ||
      gz > lim.maxComputeWorkGroupCount[2]) {
    return Errorf(StatusCode::kUnsupported,
                  "vulkan: %s needs %u x %u x %u workgroups; the device allows %u x %u x %u",
                  shader, gx, gy, gz, lim.maxComputeWorkGroupCount[0],
                  lim.maxComputeWorkGroupCount[1], lim.maxComputeWorkGroupCount[2]);
  }
  VkDescriptorSet set = VK_NULL_HANDLE;
  EDGELLM_TRY(allocate_set(*p, &set));
  VkDescriptorBufferInfo infos[kMaxBindings];
  VkWriteDescriptorSet writes[kMaxBindings];
  for (size_t i = 0; i < bindings.size(); ++i) {
    infos[i] = {bindings[i].buffer, bindings[i].offset, bindings[i].range};
    writes[i] = {};
    writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    writes[i].dstSet = set;
    writes[i].dstBinding = static_cast<uint32_t>(i);
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[i].pBufferInfo = &infos[i];
  }
  vkUpdateDescriptorSets(dev_.device(), static_cast<uint32_t>(bindings.size()), writes, 0, nullptr);
  vkCmdBindPipeline(cb_, VK_PIPELINE_BIND_POINT_COMPUTE, p->pipeline);
  vkCmdBindDescriptorSets(cb_, VK_PIPELINE_BIND_POINT_COMPUTE, p->layout, 0, 1, &set, 0, nullptr);
  vkCmdPushConstants(cb_, p->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes, push);
  vkCmdDispatch(cb_, gx, gy, gz);
  VkMemoryBarrier mb{};
  mb.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
  mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  mb.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;
  vkCmdPipelineBarrier(cb_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb, 0, nullptr, 0, nullptr);
  return Status::Ok();
}

void Recorder::host_barrier() {
  VkMemoryBarrier mb{};
  mb.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
  mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  mb.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  vkCmdPipelineBarrier(cb_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
                       &mb, 0, nullptr, 0, nullptr);
}

// Workgroups for a grid-stride loop over `items`.
uint32_t Recorder::groups_for(uint64_t items) const {
  const uint64_t g = (items + dev_.workgroup() - 1) / dev_.workgroup();
  return static_cast<uint32_t>(std::clamp<uint64_t>(g, 1, dev_.limits().maxComputeWorkGroupCount[0]));
}

Status Recorder::matmul(const GpuTensor& w, BufferRange x, uint32_t x_stride, uint32_t n,
                        BufferRange y, uint32_t y_stride) {
  const char* t = shader_type(w.type);
  if (!t) return Errorf(StatusCode::kUnsupported, "vulkan: no matmul shader for %s", dtype_name(w.type));
  // One workgroup per row, or, on CPU implementations, one invocation per
  // row (matmul.comp, ROWWISE).
  const bool rowwise = dev_.rowwise_matmul();
  const std::string name = std::string(rowwise ? "matmul_rows_" : "matmul_") + t;
  for (const GpuTensor::Piece& pc : w.pieces) {
    const uint32_t rows = static_cast<uint32_t>(pc.rows);
    const uint32_t groups = rowwise ? (rows + dev_.workgroup() - 1) / dev_.workgroup() : rows;
    const uint32_t grid_x = std::min<uint32_t>(groups, dev_.limits().maxComputeWorkGroupCount[0]);
    const uint32_t grid_y = (groups + grid_x - 1) / grid_x;
    const MatmulPush push{static_cast<uint32_t>(w.ne0), rows, static_cast<uint32_t>(w.row_bytes),
                          n, x_stride, y_stride, static_cast<uint32_t>(pc.row0), grid_x};
    EDGELLM_TRY(dispatch(name.c_str(), {pc.range, x, y}, &push, sizeof push, grid_x, grid_y,
                         (n + kTokenTile - 1) / kTokenTile));
  }
  return Status::Ok();
}

Status Recorder::get_rows(const GpuTensor& w, BufferRange tokens, uint32_t n, BufferRange x,
                          float scale) {
  const char* t = shader_type(w.type);
  if (!t) return Errorf(StatusCode::kUnsupported, "vulkan: no gather shader for %s", dtype_name(w.type));
  const std::string name = std::string("get_rows_") + t;
  for (const GpuTensor::Piece& pc : w.pieces) {
    const GetRowsPush push{static_cast<uint32_t>(w.ne0), static_cast<uint32_t>(w.row_bytes),
                           static_cast<uint32_t>(pc.row0), static_cast<uint32_t>(pc.rows), scale};
    EDGELLM_TRY(dispatch(name.c_str(), {pc.range, tokens, x}, &push, sizeof push, n, 1, 1));
  }
  return Status::Ok();
}

Status Recorder::norm(BufferRange x, uint32_t row0, uint32_t rows, uint32_t dim, uint32_t x_stride,
                      BufferRange w, const BufferRange* bias, BufferRange y, uint32_t y_stride,
                      float eps, bool layer) {
  const uint32_t grid_x = std::min<uint32_t>(rows, dev_.limits().maxComputeWorkGroupCount[0]);
  const NormPush push{dim, x_stride, y_stride, eps, layer ? 1u : 0u, bias ? 1u : 0u, row0, rows, grid_x};
  return dispatch("norm", {x, w, bias ? *bias : dummy_, y}, &push, sizeof push, grid_x,
                  (rows + grid_x - 1) / grid_x, 1);
}

Status Recorder::rope(BufferRange x, uint32_t n, uint32_t n_heads, uint32_t head_dim,
                      uint32_t n_rot, uint32_t row_stride, float base, float scale, bool neox,
                      const BufferRange* factors, BufferRange step) {
  // The angle step base^(-2/n_rot) in float on the host, as the CPU
  // reference computes it; the shader advances theta by it pair by pair.
  const float theta_scale = std::pow(base, -2.0f / static_cast<float>(n_rot));
  const RopePush push{n, n_heads, head_dim, n_rot, row_stride, theta_scale, scale, neox ? 1u : 0u,
                      factors ? 1u : 0u};
  return dispatch("rope", {x, factors ? *factors : dummy_, step}, &push, sizeof push,
                  groups_for(uint64_t{n} * n_heads * (n_rot / 2)), 1, 1);
}

Status Recorder::kv_store(bool f16, BufferRange k, BufferRange v, BufferRange kc, BufferRange vc,
                          BufferRange step, uint32_t n, uint32_t k_dim, uint32_t v_dim) {
  const KvStorePush push{n, k_dim, v_dim};
  return dispatch(f16 ? "kv_store_f16" : "kv_store_f32", {k, v, kc, vc, step}, &push, sizeof push,
                  groups_for(uint64_t{n} * std::max(k_dim, v_dim)), 1, 1);
}

Status Recorder::attention(bool f16, BufferRange q, BufferRange kc, BufferRange vc,
                           BufferRange out, BufferRange step, uint32_t n,
                           const AttentionParams& p) {
  return dispatch(f16 ? "attention_f16" : "attention_f32", {q, kc, vc, out, step}, &p, sizeof p,
                  p.n_head, n, 1);
}

Status Recorder::glu(BufferRange a, BufferRange b, uint32_t count, uint32_t mode) {
  const GluPush push{count, mode};
  return dispatch("glu", {a, b}, &push, sizeof push, groups_for(count), 1, 1);
}

Status Recorder::binary(BufferRange a, BufferRange b, uint32_t count, uint32_t period,
                        uint32_t op) {
  const BinaryPush push{count, period, op};
  return dispatch("binary", {a, b}, &push, sizeof push, groups_for(count), 1, 1);
}

}  // namespace edgellm::vulkan

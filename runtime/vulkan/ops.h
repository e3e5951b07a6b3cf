// Recording of the shader ops into a command buffer: one function per
// shader, each binding its buffers through a fresh descriptor set, pushing
// its constants, dispatching, and ending with a compute->compute barrier.
// The push-constant structs mirror the `Push` blocks in shaders/*.comp.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/dtype.h"
#include "runtime/vulkan/device.h"

namespace edgellm::vulkan {

// A weight tensor on the device, in row pieces that each fit one descriptor
// range (maxStorageBufferRange).
struct GpuTensor {
  DType type = DType::F32;
  int64_t ne0 = 0, ne1 = 0;
  size_t row_bytes = 0;
  struct Piece {
    BufferRange range;
    int64_t row0 = 0, rows = 0;
  };
  std::vector<Piece> pieces;
  BufferRange whole() const { return pieces.front().range; }  // 1-D tensors: one piece
};

// The shader name stem of a weight type with matmul/gather shaders, or null.
const char* shader_type(DType t);

struct AttentionParams {
  uint32_t n_head, n_head_kv, head_dim, head_dim_v, q_stride, out_stride;
  float scale, softcap;
  uint32_t window;
};

class Recorder {
 public:
  Recorder(Device& dev, VkCommandBuffer cb, std::vector<VkDescriptorPool>* pools)
      : dev_(dev), cb_(cb), pools_(pools) {}

  // y[t][r] = W[r] . x[t] for t < n.
  Status matmul(const GpuTensor& w, BufferRange x, uint32_t x_stride, uint32_t n, BufferRange y,
                uint32_t y_stride);
  // x[t] = scale * W[tokens[t]].
  Status get_rows(const GpuTensor& w, BufferRange tokens, uint32_t n, BufferRange x, float scale);
  // rows row0 .. row0+rows-1 of x normed into rows 0.. of y (RMSNorm, or
  // LayerNorm when layer); `bias` may be null.
  Status norm(BufferRange x, uint32_t row0, uint32_t rows, uint32_t dim, uint32_t x_stride,
              BufferRange w, const BufferRange* bias, BufferRange y, uint32_t y_stride, float eps,
              bool layer);
  Status rope(BufferRange x, uint32_t n, uint32_t n_heads, uint32_t head_dim, uint32_t n_rot,
              uint32_t row_stride, float base, float scale, bool neox, const BufferRange* factors,
              BufferRange step);
  Status kv_store(bool f16, BufferRange k, BufferRange v, BufferRange kc, BufferRange vc,
                  BufferRange step, uint32_t n, uint32_t k_dim, uint32_t v_dim);
  Status attention(bool f16, BufferRange q, BufferRange kc, BufferRange vc, BufferRange out,
                   BufferRange step, uint32_t n, const AttentionParams& p);
  // a = act(a) * b over count floats; mode 0 SiLU, 1 GELU.
  Status glu(BufferRange a, BufferRange b, uint32_t count, uint32_t mode);
  // a[i] = a[i] op b[i % period]; op 0 add, 1 mul.
  Status binary(BufferRange a, BufferRange b, uint32_t count, uint32_t period, uint32_t op);
  // Makes every shader write visible to the host after the submission.
  void host_barrier();

  // A buffer bound where a shader's optional input is absent.
  void set_dummy(BufferRange r) { dummy_ = r; }

 private:
  Status dispatch(const char* shader, const std::vector<BufferRange>& bindings, const void* push,
                  uint32_t push_bytes, uint32_t gx, uint32_t gy, uint32_t gz);
  Status allocate_set(const Pipeline& p, VkDescriptorSet* out);
  uint32_t groups_for(uint64_t items) const;

  Device& dev_;
  VkCommandBuffer cb_;
  std::vector<VkDescriptorPool>* pools_;
  BufferRange dummy_;
};

void destroy_pools(Device& dev, std::vector<VkDescriptorPool>* pools);

}  // namespace edgellm::vulkan

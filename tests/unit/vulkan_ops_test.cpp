// Each Vulkan shader against the CPU reference on random data: the
// dequantizing matmul for every weight type (both the workgroup-per-row and
// the row-per-invocation variants, awkward row counts, 1..17 tokens, a
// tensor split into row pieces as for maxStorageBufferRange), embedding
// gather, RMSNorm/LayerNorm (also over more rows than one grid dimension
// holds), RoPE (normal/NeoX, frequency factors), KV
// store + attention (f16/f32 cache, GQA, several key chunks, sliding
// window, soft-cap), SwiGLU/GeGLU and add/mul.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/ref/fp16.h"
#include "kernels/ref/ops.h"
#include "runtime/vulkan/backend.h"
#include "tests/unit/test_util.h"
#include "tests/unit/vulkan_test_util.h"

#if defined(EDGELLM_HAVE_VULKAN)
#include "runtime/vulkan/device.h"
#include "runtime/vulkan/ops.h"
#endif

namespace {

#if defined(EDGELLM_HAVE_VULKAN)
using namespace edgellm;
using namespace edgellm::vulkan;

// A device and host-visible buffers, one op recorded and submitted at a time.
class Gpu {
 public:
  explicit Gpu(const char* matmul_mode = nullptr) {
    if (matmul_mode) setenv("EDGELLM_VULKAN_MATMUL", matmul_mode, 1);
    DeviceRequest req;
    req.allow_cpu = true;
    st_ = Device::create(req, &dev_);
    unsetenv("EDGELLM_VULKAN_MATMUL");
  }
  ~Gpu() {
    if (!dev_) return;
    for (MemoryArena& a : arenas_) dev_->destroy_arena(&a);
  }
  const Status& status() const { return st_; }
  Device& dev() { return *dev_; }

  // A buffer holding bytes, bound (as the backend binds weights) with its
  // range rounded up to whole 32-bit words.
  BufferRange buffer(const void* data, size_t bytes) {
    arenas_.emplace_back();
    MemoryArena& a = arenas_.back();
    const size_t words = (bytes + 3) / 4 * 4;
    EXPECT_TRUE(dev_->create_arena({words}, /*host=*/true, &a).ok());
    std::memset(static_cast<uint8_t*>(a.mapped) + a.offsets[0], 0, words);
    if (data) std::memcpy(static_cast<uint8_t*>(a.mapped) + a.offsets[0], data, bytes);
    return {a.buffers[0], 0, words};
  }
  template <typename T>
  BufferRange buffer(const std::vector<T>& v) { return buffer(v.data(), v.size() * sizeof(T)); }
  template <typename T>
  std::vector<T> read(BufferRange r) {
    for (const MemoryArena& a : arenas_) {
      if (a.buffers[0] == r.buffer) {
        std::vector<T> out(r.range / sizeof(T));
        std::memcpy(out.data(), static_cast<const uint8_t*>(a.mapped) + a.offsets[0], r.range);
        return out;
      }
    }
    return {};
  }
  // Records ops through fn into one command buffer and runs it.
  template <typename Fn>
  void run(Fn&& fn) {
    VkCommandBuffer cb;
    ASSERT_TRUE(dev_->allocate_command_buffer(&cb).ok());
    VkCommandBufferBeginInfo bi{};
    bi.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    vkBeginCommandBuffer(cb, &bi);
    std::vector<VkDescriptorPool> pools;
    Recorder r(*dev_, cb, &pools);
    r.set_dummy(buffer(nullptr, 16));
    const Status st = fn(r);
    r.host_barrier();
    vkEndCommandBuffer(cb);
    EXPECT_TRUE(st.ok()) << st.message();
    const Status sub = dev_->submit(cb);
    EXPECT_TRUE(sub.ok()) << sub.message();
    dev_->free_command_buffer(cb);
    destroy_pools(*dev_, &pools);
  }

 private:
  Status st_;
  std::shared_ptr<Device> dev_;
  std::vector<MemoryArena> arenas_;
};

#define NEED_DEVICE(gpu)                                                   \
  if (!vulkan_device_present("ops test")) GTEST_SKIP() << "no Vulkan device"; \
  ASSERT_TRUE((gpu).status().ok()) << (gpu).status().message()

// W (rows x ne0, quantized with the reference) times x (n tokens); the
// tensor is bound in pieces of piece_rows rows.
void check_matmul(Gpu& gpu, DType type, int64_t ne0, int64_t rows, int32_t n, int64_t piece_rows) {
  SCOPED_TRACE(std::string(dtype_name(type)) + " rows " + std::to_string(rows) + " n " +
               std::to_string(n) + " pieces of " + std::to_string(piece_rows));
  const kernels::TypeTraits* tt = kernels::ref_traits(type);
  ASSERT_NE(tt, nullptr);
  size_t row_bytes = 0;
  ASSERT_TRUE(dtype_row_bytes(type, ne0, &row_bytes));
  const std::vector<float> wf = gaussian(static_cast<size_t>(rows * ne0), 1 + rows, 0.5f);
  std::vector<uint8_t> wq(row_bytes * rows);
  std::vector<float> wd(wf.size());  // what the weights dequantize to
  for (int64_t r = 0; r < rows; ++r) {
    tt->from_float(wf.data() + r * ne0, wq.data() + r * row_bytes, ne0);
    tt->to_float(wq.data() + r * row_bytes, wd.data() + r * ne0, ne0);
  }
  const std::vector<float> x = gaussian(static_cast<size_t>(n * ne0), 7 + n);
  GpuTensor t;
  t.type = type;
  t.ne0 = ne0;
  t.ne1 = rows;
  t.row_bytes = row_bytes;
  for (int64_t r = 0; r < rows; r += piece_rows) {
    const int64_t pr = std::min(piece_rows, rows - r);
    t.pieces.push_back({gpu.buffer(wq.data() + r * row_bytes, pr * row_bytes), r, pr});
  }
  const uint32_t y_stride = static_cast<uint32_t>(rows + 3);  // a padded output row
  const BufferRange xb = gpu.buffer(x);
  const BufferRange yb = gpu.buffer(nullptr, sizeof(float) * y_stride * n);
  gpu.run([&](Recorder& r) {
    return r.matmul(t, xb, static_cast<uint32_t>(ne0), static_cast<uint32_t>(n), yb, y_stride);
  });
  const std::vector<float> y = gpu.read<float>(yb);
  for (int32_t tk = 0; tk < n; ++tk) {
    for (int64_t r = 0; r < rows; ++r) {
      double want = 0, mag = 0;
      for (int64_t k = 0; k < ne0; ++k) {
        want += static_cast<double>(wd[r * ne0 + k]) * x[tk * ne0 + k];
        mag += std::fabs(static_cast<double>(wd[r * ne0 + k]) * x[tk * ne0 + k]);
      }
      // float sums of ne0 products in another order: a few ulp of the magnitude
      ASSERT_NEAR(y[tk * y_stride + r], want, 1e-5 * mag + 1e-6) << "token " << tk << " row " << r;
    }
  }
}

const DType kTypes[] = {DType::F32, DType::F16, DType::Q8_0, DType::Q4_0, DType::Q4_K, DType::Q6_K};

TEST(VulkanOps, MatmulEveryTypeWorkgroupPerRow) {
  Gpu gpu("wg");
  NEED_DEVICE(gpu);
  for (DType t : kTypes) {
    for (int32_t n : {1, 3, 8, 9, 17}) check_matmul(gpu, t, 512, 37, n, 37);
  }
}

TEST(VulkanOps, MatmulEveryTypeRowPerInvocation) {
  Gpu gpu("rows");
  NEED_DEVICE(gpu);
  for (DType t : kTypes) {
    for (int32_t n : {1, 2, 17}) check_matmul(gpu, t, 256, 131, n, 131);
  }
}

TEST(VulkanOps, MatmulTensorSplitIntoRowPieces) {
  for (const char* mode : {"wg", "rows"}) {
    Gpu gpu(mode);
    NEED_DEVICE(gpu);
    check_matmul(gpu, DType::Q4_K, 256, 70, 5, 16);
    check_matmul(gpu, DType::Q4_0, 96, 70, 1, 9);
  }
}

TEST(VulkanOps, GatherRowsAcrossPieces) {
  Gpu gpu;
  NEED_DEVICE(gpu);
  for (DType type : kTypes) {
    SCOPED_TRACE(dtype_name(type));
    const int64_t ne0 = 256, rows = 50;
    size_t rb = 0;
    ASSERT_TRUE(dtype_row_bytes(type, ne0, &rb));
    const std::vector<float> wf = gaussian(rows * ne0, 3);
    std::vector<uint8_t> wq(rb * rows);
    std::vector<float> wd(wf.size());
    const kernels::TypeTraits* tt = kernels::ref_traits(type);
    for (int64_t r = 0; r < rows; ++r) {
      tt->from_float(wf.data() + r * ne0, wq.data() + r * rb, ne0);
      tt->to_float(wq.data() + r * rb, wd.data() + r * ne0, ne0);
    }
    GpuTensor t{type, ne0, rows, rb, {}};
    for (int64_t r = 0; r < rows; r += 20) {
      const int64_t pr = std::min<int64_t>(20, rows - r);
      t.pieces.push_back({gpu.buffer(wq.data() + r * rb, pr * rb), r, pr});
    }
    const std::vector<int32_t> tokens = {0, 49, 19, 20, 33, 0};
    const BufferRange tb = gpu.buffer(tokens);
    const BufferRange xb = gpu.buffer(nullptr, sizeof(float) * tokens.size() * ne0);
    gpu.run([&](Recorder& r) { return r.get_rows(t, tb, static_cast<uint32_t>(tokens.size()), xb, 2.0f); });
    const std::vector<float> x = gpu.read<float>(xb);
    for (size_t i = 0; i < tokens.size(); ++i) {
      for (int64_t k = 0; k < ne0; ++k) {
        ASSERT_FLOAT_EQ(x[i * ne0 + k], 2.0f * wd[tokens[i] * ne0 + k]) << i << " " << k;
      }
    }
  }
}

TEST(VulkanOps, RmsNormAndLayerNorm) {
  Gpu gpu;
  NEED_DEVICE(gpu);
  const uint32_t dim = 200, rows = 5, row0 = 2;
  const std::vector<float> x = gaussian(dim * (rows + row0), 11, 3.0f);
  const std::vector<float> w = gaussian(dim, 12);
  const std::vector<float> b = gaussian(dim, 13);
  for (bool layer : {false, true}) {
    const BufferRange xb = gpu.buffer(x), wb = gpu.buffer(w), bb = gpu.buffer(b);
    const BufferRange yb = gpu.buffer(nullptr, sizeof(float) * dim * rows);
    gpu.run([&](Recorder& r) {
      return r.norm(xb, row0, rows, dim, dim, wb, layer ? &bb : nullptr, yb, dim, 1e-5f, layer);
    });
    const std::vector<float> y = gpu.read<float>(yb);
    std::vector<float> want(dim);
    for (uint32_t i = 0; i < rows; ++i) {
      const float* xr = x.data() + (row0 + i) * dim;
      if (layer) kernels::layer_norm_f32(xr, w.data(), b.data(), want.data(), dim, 1e-5f);
      else kernels::rms_norm_f32(xr, w.data(), want.data(), dim, 1e-5f);
      for (uint32_t k = 0; k < dim; ++k) ASSERT_NEAR(y[i * dim + k], want[k], 1e-4f * (1 + std::fabs(want[k])));
    }
  }
}

// More rows than one grid dimension may hold (65535 is the guaranteed
// minimum and lavapipe's limit): per-head norms of a long prefill.
TEST(VulkanOps, NormOverMoreRowsThanOneGridDimension) {
  Gpu gpu;
  NEED_DEVICE(gpu);
  const uint32_t dim = 32, rows = 70001;
  const std::vector<float> x = gaussian(static_cast<size_t>(dim) * rows, 14);
  const std::vector<float> w = gaussian(dim, 15);
  const BufferRange xb = gpu.buffer(x), wb = gpu.buffer(w);
  gpu.run([&](Recorder& r) { return r.norm(xb, 0, rows, dim, dim, wb, nullptr, xb, dim, 1e-6f, false); });
  const std::vector<float> y = gpu.read<float>(xb);
  std::vector<float> want(dim);
  for (uint32_t i = 0; i < rows; ++i) {
    kernels::rms_norm_f32(x.data() + static_cast<size_t>(i) * dim, w.data(), want.data(), dim, 1e-6f);
    for (uint32_t k = 0; k < dim; ++k) {
      ASSERT_NEAR(y[static_cast<size_t>(i) * dim + k], want[k], 1e-4f * (1 + std::fabs(want[k])))
          << "row " << i;
    }
  }
}

TEST(VulkanOps, RopeNormalAndNeoxWithFactors) {
  Gpu gpu;
  NEED_DEVICE(gpu);
  const uint32_t n = 3, heads = 4, hd = 64, n_rot = 48, stride = heads * hd;
  const std::vector<float> x = gaussian(n * stride, 21);
  std::vector<float> factors(n_rot / 2);
  for (size_t i = 0; i < factors.size(); ++i) factors[i] = 1.0f + 0.1f * static_cast<float>(i);
  const uint32_t pos0 = 37;
  for (bool neox : {false, true}) {
    for (bool with_factors : {false, true}) {
      const BufferRange xb = gpu.buffer(x), fb = gpu.buffer(factors);
      const std::vector<uint32_t> step = {pos0, 0, 0, 0};
      const BufferRange sb = gpu.buffer(step);
      gpu.run([&](Recorder& r) {
        return r.rope(xb, n, heads, hd, n_rot, stride, 10000.0f, 0.5f, neox, with_factors ? &fb : nullptr, sb);
      });
      const std::vector<float> y = gpu.read<float>(xb);
      std::vector<float> want = x;
      for (uint32_t t = 0; t < n; ++t) {
        for (uint32_t h = 0; h < heads; ++h) {
          kernels::rope_f32(want.data() + t * stride + h * hd, hd, n_rot, static_cast<int32_t>(pos0 + t),
                            10000.0f, 0.5f, neox, with_factors ? factors.data() : nullptr);
        }
      }
      for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], want[i], 2e-4f) << "neox " << neox << " i " << i;
    }
  }
}

// Attention of n new tokens at pos0.. against a cache filled through
// kv_store, vs a double-precision softmax over the same (rounded) keys.
void check_attention(Gpu& gpu, bool f16, uint32_t window, float softcap) {
  SCOPED_TRACE(std::string(f16 ? "f16" : "f32") + " window " + std::to_string(window));
  const uint32_t n_head = 4, n_kv = 2, hd = 64, n_ctx = 160, pos0 = 130, n = 3;
  const uint32_t q_dim = n_head * hd, kv_dim = n_kv * hd;
  const uint32_t total = pos0 + n;
  const std::vector<float> q = gaussian(n * q_dim, 31);
  const std::vector<float> k = gaussian(total * kv_dim, 32);
  const std::vector<float> v = gaussian(total * kv_dim, 33);
  const size_t elem = f16 ? 2 : 4;
  const BufferRange kc = gpu.buffer(nullptr, n_ctx * kv_dim * elem);
  const BufferRange vc = gpu.buffer(nullptr, n_ctx * kv_dim * elem);
  const BufferRange qb = gpu.buffer(q), kb = gpu.buffer(k), vb = gpu.buffer(v);
  const BufferRange ob = gpu.buffer(nullptr, sizeof(float) * n * q_dim);
  const std::vector<uint32_t> step0 = {0, 0, 0, 0}, step = {pos0, 0, 0, 0};
  const BufferRange s0 = gpu.buffer(step0), s1 = gpu.buffer(step);
  AttentionParams p{n_head, n_kv, hd, hd, q_dim, q_dim, 0.125f, softcap, window};
  gpu.run([&](Recorder& r) {  // all positions stored in one pass, then attention at pos0
    EDGELLM_TRY(r.kv_store(f16, kb, vb, kc, vc, s0, total, kv_dim, kv_dim));
    return r.attention(f16, qb, kc, vc, ob, s1, n, p);
  });
  const std::vector<float> out = gpu.read<float>(ob);
  auto cached = [&](const std::vector<float>& a, size_t i) {
    return f16 ? kernels::fp16_to_fp32(kernels::fp32_to_fp16(a[i])) : a[i];
  };
  for (uint32_t t = 0; t < n; ++t) {
    const uint32_t pos = pos0 + t;
    const uint32_t start = window > 0 && pos + 1 > window ? pos + 1 - window : 0;
    for (uint32_t h = 0; h < n_head; ++h) {
      const uint32_t hk = h / (n_head / n_kv);
      std::vector<double> s;
      double mx = -1e300;
      for (uint32_t j = start; j <= pos; ++j) {
        double d = 0;
        for (uint32_t i = 0; i < hd; ++i) d += q[t * q_dim + h * hd + i] * cached(k, j * kv_dim + hk * hd + i);
        d *= p.scale;
        if (softcap > 0) d = softcap * std::tanh(d / softcap);
        s.push_back(d);
        mx = std::max(mx, d);
      }
      double sum = 0;
      for (double& e : s) sum += (e = std::exp(e - mx));
      for (uint32_t i = 0; i < hd; ++i) {
        double want = 0;
        for (uint32_t j = start; j <= pos; ++j) want += s[j - start] / sum * cached(v, j * kv_dim + hk * hd + i);
        ASSERT_NEAR(out[t * q_dim + h * hd + i], want, 2e-5) << "t " << t << " h " << h << " i " << i;
      }
    }
  }
}

TEST(VulkanOps, KvStoreAndAttention) {
  Gpu gpu;
  NEED_DEVICE(gpu);
  for (bool f16 : {true, false}) {
    check_attention(gpu, f16, 0, 0.0f);
    check_attention(gpu, f16, 50, 0.0f);
    check_attention(gpu, f16, 0, 2.0f);
  }
}

TEST(VulkanOps, GatedActivationsAndBinary) {
  Gpu gpu;
  NEED_DEVICE(gpu);
  const uint32_t count = 1000;
  std::vector<float> a = gaussian(count, 41, 4.0f);
  a[0] = 12.0f;   // GELU identity region
  a[1] = -11.0f;  // GELU zero region
  const std::vector<float> b = gaussian(count, 42);
  for (uint32_t mode : {0u, 1u}) {
    const BufferRange ab = gpu.buffer(a), bb = gpu.buffer(b);
    gpu.run([&](Recorder& r) { return r.glu(ab, bb, count, mode); });
    const std::vector<float> y = gpu.read<float>(ab);
    std::vector<float> want(count);
    if (mode == 0) kernels::swiglu_f32(a.data(), b.data(), want.data(), count);
    else kernels::geglu_f32(a.data(), b.data(), want.data(), count);
    for (uint32_t i = 0; i < count; ++i) {
      // GELU goes through fp16 on both sides: a tanh differing in the last
      // float ulp can round to the neighbouring half (2^-11 relative).
      const float tol = mode == 0 ? 1e-5f * (1 + std::fabs(want[i])) : 1.5e-3f * (1 + std::fabs(want[i]));
      ASSERT_NEAR(y[i], want[i], tol) << "mode " << mode << " i " << i;
    }
  }
  // add with a broadcast period (bias), then an elementwise product
  const std::vector<float> bias = gaussian(10, 43);
  const BufferRange ab = gpu.buffer(a), biasb = gpu.buffer(bias), bb = gpu.buffer(b);
  gpu.run([&](Recorder& r) {
    EDGELLM_TRY(r.binary(ab, biasb, count, 10, 0));
    return r.binary(ab, bb, count, count, 1);
  });
  const std::vector<float> y = gpu.read<float>(ab);
  for (uint32_t i = 0; i < count; ++i) ASSERT_FLOAT_EQ(y[i], (a[i] + bias[i % 10]) * b[i]);
}

#else
TEST(VulkanOps, BuildHasNoVulkan) {
  EXPECT_FALSE(edgellm::vulkan::built());
  std::fprintf(stderr, "\n*** NO VULKAN IN THIS BUILD: Vulkan ops tests skipped ***\n\n");
  GTEST_SKIP() << "built without Vulkan";
}
#endif

}  // namespace

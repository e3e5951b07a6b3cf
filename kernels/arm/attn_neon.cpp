// Attention kernels (kernels/attn.h), baseline AArch64 NEON (armv8.0),
// bit-identical to the reference: every score and output element is summed
// in the reference's order with the product rounded before the add (fmul +
// fadd, no fmla), so attention gives the same bits on every path.
//
// scores: 4 keys per block, one key per lane. Each step loads 4 dimensions
// of the 4 rows (F16 widened with fcvtl / vcvt_f32_f16, base AArch64, exact
// as fp16_to_fp32), transposes them (trn + combine) and adds q[d] * K[d] for
// the 4 dimensions in order. A partial block repeats the last row in the
// unused lanes; dimensions past hd & ~3 continue in scalar per key.
// wsum: the output in chunks of up to 32 floats (8 accumulators) kept in
// registers while all keys stream past, each lane adding p[j] * V_j[d] in
// key order; the last hd % 4 dimensions in scalar.
#include <arm_neon.h>

#include <algorithm>
#include <cstring>

#include "kernels/attn.h"
#include "kernels/ref/fp16.h"

namespace edgellm::kernels::arm {
namespace {

struct F32Row {
  static constexpr size_t kBytes = 4;
  static float32x4_t load4(const uint8_t* p) { return vld1q_f32(reinterpret_cast<const float*>(p)); }
  static float load1(const uint8_t* p) {
    float f;
    std::memcpy(&f, p, sizeof f);
    return f;
  }
};

struct F16Row {
  static constexpr size_t kBytes = 2;
  static float32x4_t load4(const uint8_t* p) {
    return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(reinterpret_cast<const uint16_t*>(p))));
  }
  static float load1(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, sizeof h);
    return fp16_to_fp32(h);
  }
};

template <typename Row>
void scores(const float* q, const void* k, size_t row_stride, int32_t n_keys, int32_t hd,
            float scale, float* s) {
  const uint8_t* base = static_cast<const uint8_t*>(k);
  const int32_t hd4 = hd & ~3;
  for (int32_t j = 0; j < n_keys; j += 4) {
    const int32_t nk = std::min(4, n_keys - j);
    const uint8_t* rows[4];
    for (int r = 0; r < 4; ++r) {
      rows[r] = base + static_cast<size_t>(j + std::min(r, nk - 1)) * row_stride;
    }
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (int32_t d = 0; d < hd4; d += 4) {
      const size_t off = static_cast<size_t>(d) * Row::kBytes;
      // Transpose 4 rows x 4 dimensions: c[i] lane r = row r, dimension d + i.
      const float32x4x2_t t01 = vtrnq_f32(Row::load4(rows[0] + off), Row::load4(rows[1] + off));
      const float32x4x2_t t23 = vtrnq_f32(Row::load4(rows[2] + off), Row::load4(rows[3] + off));
      const float32x4_t c0 = vcombine_f32(vget_low_f32(t01.val[0]), vget_low_f32(t23.val[0]));
      const float32x4_t c1 = vcombine_f32(vget_low_f32(t01.val[1]), vget_low_f32(t23.val[1]));
      const float32x4_t c2 = vcombine_f32(vget_high_f32(t01.val[0]), vget_high_f32(t23.val[0]));
      const float32x4_t c3 = vcombine_f32(vget_high_f32(t01.val[1]), vget_high_f32(t23.val[1]));
      acc = vaddq_f32(acc, vmulq_n_f32(c0, q[d + 0]));
      acc = vaddq_f32(acc, vmulq_n_f32(c1, q[d + 1]));
      acc = vaddq_f32(acc, vmulq_n_f32(c2, q[d + 2]));
      acc = vaddq_f32(acc, vmulq_n_f32(c3, q[d + 3]));
    }
    if (nk == 4 && hd4 == hd) {
      vst1q_f32(s + j, vmulq_n_f32(acc, scale));
      continue;
    }
    float dot[4];
    vst1q_f32(dot, acc);
    for (int r = 0; r < nk; ++r) {
      float x = dot[r];
      for (int32_t d = hd4; d < hd; ++d) x += q[d] * Row::load1(rows[r] + static_cast<size_t>(d) * Row::kBytes);
      s[j + r] = x * scale;
    }
  }
}

// o[d0 : d0 + 4*NV] = sum_j p[j] * V_j[same range].
template <typename Row, int NV>
inline void wsum_chunk(const float* p, const uint8_t* v, size_t row_stride, int32_t n_keys,
                       int32_t d0, float* o) {
  float32x4_t acc[NV];
  for (int c = 0; c < NV; ++c) acc[c] = vdupq_n_f32(0.0f);
  const uint8_t* row = v + static_cast<size_t>(d0) * Row::kBytes;
  for (int32_t j = 0; j < n_keys; ++j, row += row_stride) {
    const float32x4_t pj = vdupq_n_f32(p[j]);
    for (int c = 0; c < NV; ++c) acc[c] = vaddq_f32(acc[c], vmulq_f32(pj, Row::load4(row + 4 * c * Row::kBytes)));
  }
  for (int c = 0; c < NV; ++c) vst1q_f32(o + d0 + 4 * c, acc[c]);
}

template <typename Row>
void wsum(const float* p, const void* v, size_t row_stride, int32_t n_keys, int32_t hd, float* o) {
  const uint8_t* base = static_cast<const uint8_t*>(v);
  int32_t d = 0;
  for (; d + 32 <= hd; d += 32) wsum_chunk<Row, 8>(p, base, row_stride, n_keys, d, o);
  const int32_t n4 = (hd - d) / 4;
  switch (n4) {
    case 7: wsum_chunk<Row, 7>(p, base, row_stride, n_keys, d, o); break;
    case 6: wsum_chunk<Row, 6>(p, base, row_stride, n_keys, d, o); break;
    case 5: wsum_chunk<Row, 5>(p, base, row_stride, n_keys, d, o); break;
    case 4: wsum_chunk<Row, 4>(p, base, row_stride, n_keys, d, o); break;
    case 3: wsum_chunk<Row, 3>(p, base, row_stride, n_keys, d, o); break;
    case 2: wsum_chunk<Row, 2>(p, base, row_stride, n_keys, d, o); break;
    case 1: wsum_chunk<Row, 1>(p, base, row_stride, n_keys, d, o); break;
    default: break;
  }
  d += 4 * n4;
  for (; d < hd; ++d) {
    float acc = 0.0f;
    const uint8_t* row = base + static_cast<size_t>(d) * Row::kBytes;
    for (int32_t j = 0; j < n_keys; ++j, row += row_stride) acc += p[j] * Row::load1(row);
    o[d] = acc;
  }
}

}  // namespace

void attn_scores_f32_neon(const float* q, const void* k, size_t row_stride, int32_t n_keys,
                          int32_t hd, float scale, float* s) {
  scores<F32Row>(q, k, row_stride, n_keys, hd, scale, s);
}
void attn_scores_f16_neon(const float* q, const void* k, size_t row_stride, int32_t n_keys,
                          int32_t hd, float scale, float* s) {
  scores<F16Row>(q, k, row_stride, n_keys, hd, scale, s);
}
void attn_wsum_f32_neon(const float* p, const void* v, size_t row_stride, int32_t n_keys,
                        int32_t hd, float* o) {
  wsum<F32Row>(p, v, row_stride, n_keys, hd, o);
}
void attn_wsum_f16_neon(const float* p, const void* v, size_t row_stride, int32_t n_keys,
                        int32_t hd, float* o) {
  wsum<F16Row>(p, v, row_stride, n_keys, hd, o);
}

}  // namespace edgellm::kernels::arm

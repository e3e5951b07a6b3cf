// vec_dot for the K-quants against Q8_K activations. Per super-block the
// integer sums are exact; the float scaling and accumulation reproduce
// ggml's scalar ggml_vec_dot_*_q8_K, including its 8 float accumulator
// lanes (sums[l]) for Q3_K..Q6_K, which are added together only at the end.
#include "kernels/ref/fp_contract.h"

#include "kernels/ref/blocks.h"
#include "kernels/ref/fp16.h"
#include "kernels/ref/ref_kernels.h"

namespace edgellm::kernels::ref {

namespace {

// Scaled integer dot over a super-block of decoded weights q[256] and
// activations a[256], with one scale per group of `group` elements
// (16 or 32), accumulated into 8 integer lanes (element index mod 8).
inline void lane_dot(const int8_t* q, const int8_t* a, const int* scales, int group,
                     int32_t lanes[8]) {
  for (int l = 0; l < 8; ++l) lanes[l] = 0;
  for (int j = 0; j < kQK_K; ++j) {
    lanes[j % 8] += scales[j / group] * (q[j] * a[j]);
  }
}

inline float sum_lanes(const float lanes[8]) {
  float s = 0.0f;
  for (int l = 0; l < 8; ++l) s += lanes[l];
  return s;
}

}  // namespace

void vec_dot_q2_K_q8_K(int64_t n, float* s, const void* w, const void* x) {
  const block_q2_K* a = static_cast<const block_q2_K*>(w);
  const block_q8_K* b = static_cast<const block_q8_K*>(x);
  float sumf = 0.0f;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const uint8_t* sc = a[i].scales;
    // Mins: sum over groups of 16 of min * sum(activations in the group).
    int summs = 0;
    for (int j = 0; j < 16; ++j) summs += b[i].bsums[j] * (sc[j] >> 4);
    const float dall = b[i].d * fp16_to_fp32(a[i].d);
    const float dmin = b[i].d * fp16_to_fp32(a[i].dmin);
    const uint8_t* q2 = a[i].qs;
    const int8_t* q8 = b[i].qs;
    int isum = 0;
    int is = 0;
    for (int half = 0; half < 2; ++half, q2 += 32) {
      for (int shift = 0; shift < 8; shift += 2, q8 += 32) {
        for (int g = 0; g < 2; ++g) {
          int part = 0;
          for (int l = 16 * g; l < 16 * g + 16; ++l) part += q8[l] * ((q2[l] >> shift) & 3);
          isum += (sc[is++] & 0xF) * part;
        }
      }
    }
    sumf += dall * static_cast<float>(isum) - dmin * static_cast<float>(summs);
  }
  *s = sumf;
}

void vec_dot_q3_K_q8_K(int64_t n, float* s, const void* w, const void* x) {
  const block_q3_K* a = static_cast<const block_q3_K*>(w);
  const block_q8_K* b = static_cast<const block_q8_K*>(x);
  float sums[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    int8_t q[kQK_K];
    int8_t* out = q;
    const uint8_t* q3 = a[i].qs;
    const uint8_t* hm = a[i].hmask;
    uint8_t m = 1;
    for (int half = 0; half < 2; ++half, q3 += 32) {
      for (int shift = 0; shift < 8; shift += 2, m = static_cast<uint8_t>(m << 1)) {
        for (int l = 0; l < 32; ++l) {
          *out++ = static_cast<int8_t>(((q3[l] >> shift) & 3) - ((hm[l] & m) ? 0 : 4));
        }
      }
    }
    int8_t sc8[16];
    q3k_scales(a[i].scales, sc8);
    int scales[16];
    for (int j = 0; j < 16; ++j) scales[j] = sc8[j];
    int32_t lanes[8];
    lane_dot(q, b[i].qs, scales, 16, lanes);
    const float d = fp16_to_fp32(a[i].d) * b[i].d;
    for (int l = 0; l < 8; ++l) sums[l] += d * static_cast<float>(lanes[l]);
  }
  *s = sum_lanes(sums);
}

namespace {

// Shared tail of Q4_K / Q5_K: decoded 4/5-bit quants q[256] (unsigned),
// 8 scales and 8 mins per super-block.
inline void kx_block(const int8_t* q, const uint8_t* packed_scales, float dw, float dminw,
                     const block_q8_K& b, float sums[8], float* sumf) {
  int scales[8];
  int sumi = 0;
  for (int j = 0; j < 8; ++j) {
    uint8_t sc, mn;
    k4_scale_min(j, packed_scales, &sc, &mn);
    scales[j] = sc;
    sumi += (b.bsums[2 * j] + b.bsums[2 * j + 1]) * mn;
  }
  int32_t lanes[8];
  lane_dot(q, b.qs, scales, 32, lanes);
  const float d = b.d * dw;
  for (int l = 0; l < 8; ++l) sums[l] += d * static_cast<float>(lanes[l]);
  const float dmin = b.d * dminw;
  *sumf -= dmin * static_cast<float>(sumi);
}

}  // namespace

void vec_dot_q4_K_q8_K(int64_t n, float* s, const void* w, const void* x) {
  const block_q4_K* a = static_cast<const block_q4_K*>(w);
  const block_q8_K* b = static_cast<const block_q8_K*>(x);
  float sums[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  float sumf = 0.0f;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    int8_t q[kQK_K];
    for (int c = 0; c < 4; ++c) {
      const uint8_t* q4 = a[i].qs + 32 * c;
      for (int l = 0; l < 32; ++l) q[64 * c + l] = static_cast<int8_t>(q4[l] & 0xF);
      for (int l = 0; l < 32; ++l) q[64 * c + 32 + l] = static_cast<int8_t>(q4[l] >> 4);
    }
    kx_block(q, a[i].scales, fp16_to_fp32(a[i].d), fp16_to_fp32(a[i].dmin), b[i], sums, &sumf);
  }
  for (int l = 0; l < 8; ++l) sumf += sums[l];
  *s = sumf;
}

void vec_dot_q5_K_q8_K(int64_t n, float* s, const void* w, const void* x) {
  const block_q5_K* a = static_cast<const block_q5_K*>(w);
  const block_q8_K* b = static_cast<const block_q8_K*>(x);
  float sums[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  float sumf = 0.0f;
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    int8_t q[kQK_K];
    const uint8_t* hm = a[i].qh;
    for (int c = 0; c < 4; ++c) {
      const uint8_t* q4 = a[i].qs + 32 * c;
      const unsigned m1 = 1u << (2 * c), m2 = 2u << (2 * c);
      for (int l = 0; l < 32; ++l) {
        q[64 * c + l] = static_cast<int8_t>((q4[l] & 0xF) + ((hm[l] & m1) ? 16 : 0));
      }
      for (int l = 0; l < 32; ++l) {
        q[64 * c + 32 + l] = static_cast<int8_t>((q4[l] >> 4) + ((hm[l] & m2) ? 16 : 0));
      }
    }
    kx_block(q, a[i].scales, fp16_to_fp32(a[i].d), fp16_to_fp32(a[i].dmin), b[i], sums, &sumf);
  }
  for (int l = 0; l < 8; ++l) sumf += sums[l];
  *s = sumf;
}

void vec_dot_q6_K_q8_K(int64_t n, float* s, const void* w, const void* x) {
  const block_q6_K* a = static_cast<const block_q6_K*>(w);
  const block_q8_K* b = static_cast<const block_q8_K*>(x);
  float sums[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    int8_t q[kQK_K];
    const uint8_t* ql = a[i].ql;
    const uint8_t* qh = a[i].qh;
    for (int half = 0; half < 2; ++half, ql += 64, qh += 32) {
      int8_t* o = q + 128 * half;
      for (int l = 0; l < 32; ++l) {
        o[l + 0] = static_cast<int8_t>(((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
        o[l + 32] = static_cast<int8_t>(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
        o[l + 64] = static_cast<int8_t>(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
        o[l + 96] = static_cast<int8_t>(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
      }
    }
    int scales[16];
    for (int j = 0; j < 16; ++j) scales[j] = a[i].scales[j];
    int32_t lanes[8];
    lane_dot(q, b[i].qs, scales, 16, lanes);
    const float d = fp16_to_fp32(a[i].d) * b[i].d;
    for (int l = 0; l < 8; ++l) sums[l] += d * static_cast<float>(lanes[l]);
  }
  *s = sum_lanes(sums);
}

}  // namespace edgellm::kernels::ref

// Reference attention kernels (kernels/attn.h): plain float loops in key and
// dimension order, the same arithmetic as the scalar attention they replaced,
// run once per query (no sharing between queries).
#include "kernels/ref/fp_contract.h"

#include <cstring>

#include "kernels/attn.h"
#include "kernels/ref/fp16.h"

namespace edgellm::kernels::ref {
namespace {

struct F32Row {
  static float at(const uint8_t* row, int32_t d) {
    float f;
    std::memcpy(&f, row + static_cast<size_t>(d) * sizeof(float), sizeof f);
    return f;
  }
};

struct F16Row {
  static float at(const uint8_t* row, int32_t d) {
    uint16_t h;
    std::memcpy(&h, row + static_cast<size_t>(d) * sizeof(uint16_t), sizeof h);
    return fp16_to_fp32(h);
  }
};

// One query.
template <typename Row>
void scores(const float* q, const void* k, size_t row_stride, int32_t n_keys, int32_t hd,
            float scale, float* s) {
  const uint8_t* base = static_cast<const uint8_t*>(k);
  for (int32_t j = 0; j < n_keys; ++j) {
    const uint8_t* row = base + static_cast<size_t>(j) * row_stride;
    float dot = 0.0f;
    for (int32_t d = 0; d < hd; ++d) dot += q[d] * Row::at(row, d);
    s[j] = dot * scale;
  }
}

// One query.
template <typename Row>
void wsum(const float* p, const void* v, size_t row_stride, int32_t n_keys, int32_t hd, float* o) {
  const uint8_t* base = static_cast<const uint8_t*>(v);
  for (int32_t d = 0; d < hd; ++d) o[d] = 0.0f;
  for (int32_t j = 0; j < n_keys; ++j) {
    const uint8_t* row = base + static_cast<size_t>(j) * row_stride;
    const float pj = p[j];
    for (int32_t d = 0; d < hd; ++d) o[d] += pj * Row::at(row, d);
  }
}

template <typename Row>
void scores_multi(const float* q, size_t q_stride, int32_t nq, const void* k, size_t row_stride,
                  int32_t n_keys, int32_t hd, float scale, float* s, size_t s_stride) {
  for (int32_t i = 0; i < nq; ++i) {
    scores<Row>(q + static_cast<size_t>(i) * q_stride, k, row_stride, n_keys, hd, scale,
                s + static_cast<size_t>(i) * s_stride);
  }
}

template <typename Row>
void wsum_multi(const float* p, size_t p_stride, int32_t nq, const void* v, size_t row_stride,
                int32_t n_keys, int32_t hd, float* o, size_t o_stride) {
  for (int32_t i = 0; i < nq; ++i) {
    wsum<Row>(p + static_cast<size_t>(i) * p_stride, v, row_stride, n_keys, hd,
              o + static_cast<size_t>(i) * o_stride);
  }
}

}  // namespace

void attn_scores_f32(const float* q, size_t q_stride, int32_t nq, const void* k,
                     size_t row_stride, int32_t n_keys, int32_t hd, float scale, float* s,
                     size_t s_stride) {
  scores_multi<F32Row>(q, q_stride, nq, k, row_stride, n_keys, hd, scale, s, s_stride);
}
void attn_scores_f16(const float* q, size_t q_stride, int32_t nq, const void* k,
                     size_t row_stride, int32_t n_keys, int32_t hd, float scale, float* s,
                     size_t s_stride) {
  scores_multi<F16Row>(q, q_stride, nq, k, row_stride, n_keys, hd, scale, s, s_stride);
}
void attn_wsum_f32(const float* p, size_t p_stride, int32_t nq, const void* v,
                   size_t row_stride, int32_t n_keys, int32_t hd, float* o,
                   size_t o_stride) {
  wsum_multi<F32Row>(p, p_stride, nq, v, row_stride, n_keys, hd, o, o_stride);
}
void attn_wsum_f16(const float* p, size_t p_stride, int32_t nq, const void* v,
                   size_t row_stride, int32_t n_keys, int32_t hd, float* o,
                   size_t o_stride) {
  wsum_multi<F16Row>(p, p_stride, nq, v, row_stride, n_keys, hd, o, o_stride);
}

}  // namespace edgellm::kernels::ref

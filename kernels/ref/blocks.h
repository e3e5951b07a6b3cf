// Packed GGUF/ggml quantization blocks. Layouts are bit-for-bit those of
// ggml-common.h; every struct has 2-byte alignment (fp16 fields) except
// block_q8_K (float d, 4-byte alignment), and no padding.
#pragma once

#include <cstdint>

namespace edgellm::kernels {

constexpr int kQK = 32;    // elements per block of the *_0 / *_1 formats
constexpr int kQK_K = 256; // elements per K-quant super-block

struct block_q4_0 {
  uint16_t d;             // fp16 scale
  uint8_t qs[kQK / 2];    // nibbles: low = element j, high = element j+16
};

struct block_q4_1 {
  uint16_t d;             // fp16 scale
  uint16_t m;             // fp16 min
  uint8_t qs[kQK / 2];
};

struct block_q5_0 {
  uint16_t d;
  uint8_t qh[4];          // 5th bit of each element (little-endian uint32)
  uint8_t qs[kQK / 2];
};

struct block_q5_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};

struct block_q8_0 {
  uint16_t d;
  int8_t qs[kQK];
};

struct block_q8_1 {
  uint16_t d;             // fp16 scale
  uint16_t s;             // fp16 of d * sum(qs)
  int8_t qs[kQK];
};

struct block_q2_K {
  uint8_t scales[kQK_K / 16];  // low nibble scale, high nibble min, per 16
  uint8_t qs[kQK_K / 4];       // 2-bit quants
  uint16_t d;                  // fp16 super-scale of the scales
  uint16_t dmin;               // fp16 super-scale of the mins
};

struct block_q3_K {
  uint8_t hmask[kQK_K / 8];    // high bit of each quant
  uint8_t qs[kQK_K / 4];       // low 2 bits
  uint8_t scales[12];          // 16 scales of 6 bits, packed
  uint16_t d;                  // fp16 super-scale
};

struct block_q4_K {
  uint16_t d;                  // fp16 super-scale of the scales
  uint16_t dmin;               // fp16 super-scale of the mins
  uint8_t scales[12];          // 8 scales + 8 mins of 6 bits, packed
  uint8_t qs[kQK_K / 2];       // 4-bit quants
};

struct block_q5_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qh[kQK_K / 8];       // 5th bit
  uint8_t qs[kQK_K / 2];       // low 4 bits
};

struct block_q6_K {
  uint8_t ql[kQK_K / 2];       // low 4 bits
  uint8_t qh[kQK_K / 4];       // high 2 bits
  int8_t scales[kQK_K / 16];   // 8-bit signed scales
  uint16_t d;                  // fp16 super-scale
};

struct block_q8_K {
  float d;                     // fp32 scale
  int8_t qs[kQK_K];
  int16_t bsums[kQK_K / 16];   // sum of each group of 16 quants
};

static_assert(sizeof(block_q4_0) == 18);
static_assert(sizeof(block_q4_1) == 20);
static_assert(sizeof(block_q5_0) == 22);
static_assert(sizeof(block_q5_1) == 24);
static_assert(sizeof(block_q8_0) == 34);
static_assert(sizeof(block_q8_1) == 36);
static_assert(sizeof(block_q2_K) == 84);
static_assert(sizeof(block_q3_K) == 110);
static_assert(sizeof(block_q4_K) == 144);
static_assert(sizeof(block_q5_K) == 176);
static_assert(sizeof(block_q6_K) == 210);
static_assert(sizeof(block_q8_K) == 292);

// 6-bit scale/min j (0..7) of a Q4_K / Q5_K super-block.
inline void k4_scale_min(int j, const uint8_t* q, uint8_t* sc, uint8_t* mn) {
  if (j < 4) {
    *sc = q[j] & 63;
    *mn = q[j + 4] & 63;
  } else {
    *sc = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    *mn = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// The inverse of k4_scale_min over all j: packs 8 6-bit scales and 8 6-bit
// mins into the 12 bytes of a Q4_K / Q5_K super-block (every bit is used,
// so unpacking and packing again restores the original bytes).
inline void k4_pack_scale_min(const uint8_t sc[8], const uint8_t mn[8], uint8_t q[12]) {
  for (int j = 0; j < 4; ++j) {
    q[j] = static_cast<uint8_t>((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
    q[j + 4] = static_cast<uint8_t>((mn[j] & 63) | ((mn[j + 4] >> 4) << 6));
    q[j + 8] = static_cast<uint8_t>((sc[j + 4] & 0xF) | ((mn[j + 4] & 0xF) << 4));
  }
}

// The 16 signed 6-bit scales of a Q3_K super-block, biased by -32.
inline void q3k_scales(const uint8_t packed[12], int8_t out[16]) {
  for (int j = 0; j < 16; ++j) {
    // Low 4 bits: bytes 0..7, low nibble for j<8, high nibble for j>=8.
    const int lo = j < 8 ? (packed[j] & 0xF) : (packed[j - 8] >> 4);
    // High 2 bits: byte 8 + (j % 4), bit pair j / 4.
    const int hi = (packed[8 + (j % 4)] >> (2 * (j / 4))) & 3;
    out[j] = static_cast<int8_t>((lo | (hi << 4)) - 32);
  }
}

}  // namespace edgellm::kernels

// dequant32(rb, g, v): the 32 weights of group g of the row starting at byte
// rb, for the weight type picked by one TYPE_* define. The formats are the
// GGUF block layouts (docs/kernels.md); the arithmetic follows the CPU
// reference dequantization in kernels/ref.

#if defined(TYPE_F32)
void dequant32(uint rb, uint g, out float v[32]) {
  const uint w0 = (rb >> 2) + g * 32u;
  for (uint i = 0u; i < 32u; ++i) v[i] = uintBitsToFloat(wdata[w0 + i]);
}
#elif defined(TYPE_F16)
void dequant32(uint rb, uint g, out float v[32]) {
  const uint w0 = (rb >> 2) + g * 16u;
  for (uint i = 0u; i < 16u; ++i) {
    const uint h = wdata[w0 + i];
    v[2u * i] = half_to_float(h & 0xFFFFu);
    v[2u * i + 1u] = half_to_float(h >> 16);
  }
}
#elif defined(TYPE_Q8_0)
// block: half d, int8 q[32]; y = d * q
void dequant32(uint rb, uint g, out float v[32]) {
  const uint b = rb + g * 34u;
  const float d = rdf16(b);
  for (uint i = 0u; i < 32u; ++i) v[i] = d * float(rd8s(b + 2u + i));
}
#elif defined(TYPE_Q4_0)
// block: half d, 16 bytes of nibbles; low nibbles are elements 0..15, high 16..31
void dequant32(uint rb, uint g, out float v[32]) {
  const uint b = rb + g * 18u;
  const float d = rdf16(b);
  for (uint j = 0u; j < 16u; ++j) {
    const uint q = rd8(b + 2u + j);
    v[j] = (float(int(q & 15u)) - 8.0) * d;
    v[j + 16u] = (float(int(q >> 4)) - 8.0) * d;
  }
}
#elif defined(TYPE_Q4_K)
// super-block of 256: half d, half dmin, 12 bytes of 6-bit scales/mins,
// 128 bytes of nibbles (64-element chunks: low nibbles, then high)
void dequant32(uint rb, uint g, out float v[32]) {
  const uint b = rb + (g >> 3) * 144u;
  const uint j = g & 7u;
  const float d = rdf16(b);
  const float dmin = rdf16(b + 2u);
  const uint sc0 = b + 4u;
  uint sc, m;
  if (j < 4u) {
    sc = rd8(sc0 + j) & 63u;
    m = rd8(sc0 + j + 4u) & 63u;
  } else {
    sc = (rd8(sc0 + j + 4u) & 15u) | ((rd8(sc0 + j - 4u) >> 6) << 4);
    m = (rd8(sc0 + j + 4u) >> 4) | ((rd8(sc0 + j) >> 6) << 4);
  }
  const float d1 = d * float(sc);
  const float m1 = dmin * float(m);
  const uint qs = b + 16u + 32u * (j >> 1);
  const uint shift = (j & 1u) * 4u;
  for (uint l = 0u; l < 32u; ++l) v[l] = d1 * float((rd8(qs + l) >> shift) & 15u) - m1;
}
#elif defined(TYPE_Q6_K)
// super-block of 256: ql[128] (low 4 bits), qh[64] (high 2 bits),
// int8 scales[16] (one per 16 elements), half d at byte 208
void dequant32(uint rb, uint g, out float v[32]) {
  const uint b = rb + (g >> 3) * 210u;
  const uint j = g & 7u;
  const uint half_ = j >> 2;  // which 128-element half
  const uint quarter = j & 3u;
  const float d = rdf16(b + 208u);
  const uint ql = b + 64u * half_ + (quarter & 1u) * 32u;
  const uint qh = b + 128u + 32u * half_;
  const uint ls = (quarter >> 1) * 4u;
  const uint hs = 2u * quarter;
  const uint sc = b + 192u + 8u * half_ + 2u * quarter;
  for (uint l = 0u; l < 32u; ++l) {
    const int q = int(((rd8(ql + l) >> ls) & 15u) | (((rd8(qh + l) >> hs) & 3u) << 4)) - 32;
    v[l] = d * float(rd8s(sc + l / 16u)) * float(q);
  }
}
#else
#error "one TYPE_* define is required"
#endif

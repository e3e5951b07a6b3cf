// IEEE binary16 <-> float in integer arithmetic, round-to-nearest-even like
// the CPU reference (kernels/ref/fp16.h). Used instead of
// packHalf2x16/unpackHalf2x16, whose lowering aborts LLVM 15's AArch64
// backend in Mesa 22.3's lavapipe ("Cannot select ... truncate"); the
// integer form compiles everywhere and needs no 16-bit feature.

float half_to_float(uint h) {
  const uint s = (h & 0x8000u) << 16;
  const uint e = (h >> 10) & 0x1Fu;
  const uint m = h & 0x3FFu;
  if (e == 0u) {  // zero or subnormal: m * 2^-24
    const float v = float(m) * (1.0 / 16777216.0);
    return s != 0u ? -v : v;
  }
  if (e == 31u) return uintBitsToFloat(s | 0x7F800000u | (m << 13));  // inf, NaN
  return uintBitsToFloat(s | ((e + 112u) << 23) | (m << 13));
}

uint float_to_half(float f) {
  const uint x = floatBitsToUint(f);
  const uint s = (x >> 16) & 0x8000u;
  const uint e = (x >> 23) & 0xFFu;
  uint m = x & 0x7FFFFFu;
  if (e == 255u) return s | 0x7C00u | (m != 0u ? 0x200u : 0u);
  const int ne = int(e) - 112;  // exponent in half bias
  if (ne >= 31) return s | 0x7C00u;
  if (ne <= 0) {  // subnormal half (or zero)
    if (ne < -10) return s;
    m |= 0x800000u;
    const uint shift = uint(14 - ne);
    uint hm = m >> shift;
    const uint rem = m & ((1u << shift) - 1u);
    const uint halfway = 1u << (shift - 1u);
    if (rem > halfway || (rem == halfway && (hm & 1u) != 0u)) hm += 1u;
    return s | hm;
  }
  uint h = s | (uint(ne) << 10) | (m >> 13);
  const uint rem = m & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u) != 0u)) h += 1u;  // may carry into the exponent
  return h;
}

// Byte-level reads of storage buffers. Block-quantized weights are read
// from a uint storage array byte by byte, so no 8/16-bit storage feature is
// needed (Vulkan 1.1 baseline); the including shader declares `wdata`.

uint rd8(uint o) { return (wdata[o >> 2] >> ((o & 3u) * 8u)) & 0xFFu; }

// Sign-extended byte.
int rd8s(uint o) { return int(rd8(o) << 24) >> 24; }

// IEEE half at an even byte offset (half.glsl must be included first).
float rdf16(uint o) { return half_to_float((wdata[o >> 2] >> ((o & 2u) * 8u)) & 0xFFFFu); }

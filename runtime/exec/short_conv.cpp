// The gated short causal convolution block of hybrid models (LFM2).
#include <cstring>

#include "runtime/exec/blocks.h"
#include "runtime/profile/profile.h"

namespace edgellm::blocks {

void short_conv(Session& s, int32_t il, const float* xn, int32_t n, float* out) {
  const TransformerConfig& c = s.model().config;
  const LayerWeights& l = s.model().weights.layers[static_cast<size_t>(il)];
  const Activations& a = s.acts();
  const int32_t d = c.n_embd;
  const int32_t taps = c.conv_kernel;
  const size_t row = 3 * static_cast<size_t>(d);
  // [B | C | x] = in_proj · xn
  matmul(s, l.conv_in, xn, d, n, a.conv, static_cast<int64_t>(row));
  float* state = s.conv_state(c.conv_slot[static_cast<size_t>(il)]);  // oldest input first
  const float* w = reinterpret_cast<const float*>(l.conv_kernel.data);  // [d][taps]
  {
    ProfileScope profile(OpKind::kConv);
    for (int32_t t = 0; t < n; ++t) {
      float* b = a.conv + static_cast<size_t>(t) * row;
      const float* gate_c = b + d;
      const float* x = b + 2 * static_cast<size_t>(d);
      for (int32_t ch = 0; ch < d; ++ch) {
        // Depthwise causal conv over (state, B·x) for channel ch, newest tap last.
        const float bx = b[ch] * x[ch];
        const float* wc = w + static_cast<size_t>(ch) * taps;
        float y = wc[taps - 1] * bx;
        for (int32_t k = 0; k < taps - 1; ++k) y += wc[k] * state[static_cast<size_t>(k) * d + ch];
        for (int32_t k = 0; k + 1 < taps - 1; ++k) {
          state[static_cast<size_t>(k) * d + ch] = state[static_cast<size_t>(k + 1) * d + ch];
        }
        state[static_cast<size_t>(taps - 2) * d + ch] = bx;
        b[ch] = gate_c[ch] * y;  // C · conv, written over B (no longer needed)
      }
    }
  }
  // out = out_proj · (C · conv)
  matmul(s, l.conv_out, a.conv, static_cast<int64_t>(row), n, out, d);
}

}  // namespace edgellm::blocks

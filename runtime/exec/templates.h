// Execution templates: one function per architecture family, composed from
// runtime/exec/blocks.h. Each reads like the model's equations.
#pragma once

#include <cstdint>

#include "runtime/exec/session.h"

namespace edgellm::templates {

// LLaMA family (llama, Mistral, TinyLlama, SmolLM):
//   x = embed(tokens)
//   per layer: x += Wo · attn(rope(Wq·n(x)), rope(Wk·n(x)), Wv·n(x));  n = RMSNorm
//              x += Wdown · (silu(Wgate·n(x)) ⊙ Wup·n(x))
//   logits = Wout · n(x)
// Also Qwen2 (q/k/v biases), Qwen3 (per-head q/k RMSNorm) and Phi-3 (fused
// QKV and gate/up, split at load): the differences live in the weights and
// the shared self-attention block.
void llama_forward(Session& s, const int32_t* tokens, int32_t n, int32_t pos0, bool all_logits);

// Gemma 2/3: embeddings × sqrt(n_embd), pre- and post-norms around attention
// and FFN, GeGLU, sliding-window local layers with their own RoPE base,
// attention and final logit soft-capping where the metadata asks.
void gemma_forward(Session& s, const int32_t* tokens, int32_t n, int32_t pos0, bool all_logits);

// GPT-NeoX: LayerNorm with biases, fused QKV (+bias) split at load, partial
// NeoX RoPE, GELU FFN with biases, parallel residual when the metadata says.
void gptneox_forward(Session& s, const int32_t* tokens, int32_t n, int32_t pos0, bool all_logits);

// LFM2: hybrid of gated short causal convolution layers (rolling state in
// the context's planned memory, kept across decode calls) and GQA attention
// layers with q/k norms; SwiGLU FFN; final norm token_embd_norm; tied head.
void lfm2_forward(Session& s, const int32_t* tokens, int32_t n, int32_t pos0, bool all_logits);

// Which activation buffers the decoder templates above use, and from which
// step to which (steps numbered in runtime/exec/llama.cpp; the layer loop
// repeats steps 1..11, so a buffer dead within one iteration can be shared).
const BufferUse* decoder_buffer_uses(int32_t* n);

}  // namespace edgellm::templates

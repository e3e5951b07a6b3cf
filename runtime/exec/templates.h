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
void llama_forward(Session& s, const int32_t* tokens, int32_t n, int32_t pos0, bool all_logits);
// Which activation buffers llama_forward uses, and from which step to which
// (steps numbered in the order of llama.cpp below; the layer loop repeats
// steps 1..11, so a buffer dead within one iteration can be shared).
const BufferUse* llama_buffer_uses(int32_t* n);

}  // namespace edgellm::templates

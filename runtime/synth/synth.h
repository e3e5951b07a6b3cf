// Synthetic GGUF models: the exact structure of a real model (metadata,
// tensor names, shapes, a SentencePiece vocabulary) with deterministic,
// well-scaled random weights, so tests and demos need no download.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/core/status.h"

namespace edgellm {

// preset: "tiny"; type: "f32" | "f16" | "q8_0" | "q4_0".
Status synthesize_model(const std::string& preset, const std::string& type, uint64_t seed,
                        const std::string& path);

}  // namespace edgellm

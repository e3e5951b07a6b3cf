// Synthetic GGUF models: the exact structure of a real model (metadata keys,
// tensor names and shapes as llama.cpp's converter writes them, a vocabulary
// of the right size and style) with deterministic, well-scaled random weights,
// so tests, demos and benchmarks need no download. Files are streamed one
// tensor at a time (multi-GB presets never sit in memory).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "runtime/core/status.h"

namespace edgellm {

// Progress: (bytes written, total bytes, name of the tensor just written).
using SynthProgress = std::function<void(uint64_t, uint64_t, const std::string&)>;

// preset: one of synth_preset_names(); type: one of quant::target_names().
Status synthesize_model(const std::string& preset, const std::string& type, uint64_t seed,
                        const std::string& path, const SynthProgress& progress = nullptr);

const char* synth_preset_names();

}  // namespace edgellm

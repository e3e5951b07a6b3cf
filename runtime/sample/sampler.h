// Token sampling as a chain of stages over a preallocated candidate list:
// repetition penalty -> top-k -> top-p -> min-p -> temperature -> draw.
// temperature <= 0 makes the chain greedy (argmax, lowest id on ties).
// sample() never allocates.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/core/status.h"

namespace edgellm {

struct SamplerParams {
  float temperature = 0.8f;
  int32_t top_k = 40;          // <= 0: disabled
  float top_p = 0.95f;         // >= 1: disabled; <= 0: the most likely token only
  float min_p = 0.05f;         // <= 0: disabled
  float repeat_penalty = 1.0f; // 1: disabled
  int32_t repeat_last_n = 64;  // how many recent tokens the penalty sees
  uint64_t seed = 0;
};

struct Candidate {
  int32_t id;
  float logit;
  float p;
};

// One stage of the chain. Stages may shrink the candidate list (n) and must
// keep it sorted by descending logit once they sort it.
class SamplerStage {
 public:
  virtual ~SamplerStage() = default;
  virtual const char* name() const = 0;
  // Takes this stage's parameters (called whenever the chain is configured).
  virtual void configure(const SamplerParams& params) = 0;
  // history: most recent tokens, oldest first.
  virtual void apply(Candidate* cands, int32_t* n, const int32_t* history,
                     int32_t n_history) = 0;
};

// The checks Sampler::create and set_params make (kInvalidArgument, the
// message starts with the parameter's name).
Status validate_sampler_params(const SamplerParams& params);

class Sampler {
 public:
  // Validates params (kInvalidArgument names the bad one) and builds the chain.
  static Status create(const SamplerParams& params, int32_t n_vocab,
                       std::unique_ptr<Sampler>* out);

  // Picks the next token from raw logits[n_vocab].
  int32_t sample(const float* logits, const int32_t* history, int32_t n_history);

  // Re-validates and re-configures the chain (and reseeds). Allocation-free
  // when only the seed changed; a different chain is rebuilt once here,
  // never inside sample().
  Status set_params(const SamplerParams& params);

  void reseed(uint64_t seed);
  const SamplerParams& params() const { return params_; }
  // Names of the active stages in order, e.g. "penalty,top_k,top_p,min_p,temp,dist".
  std::string describe() const;

 private:
  Sampler() = default;
  void build(const SamplerParams& params);
  SamplerParams params_;
  int32_t n_vocab_ = 0;
  std::vector<Candidate> cands_;
  std::vector<std::unique_ptr<SamplerStage>> owned_;  // every stage, built once
  std::vector<SamplerStage*> stages_;                 // the active chain, in order
  uint64_t rng_state_[4] = {0, 0, 0, 0};  // xoshiro256**
  double next_uniform();
};

}  // namespace edgellm

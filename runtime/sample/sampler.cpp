// Sampler chain: penalty -> top-k -> top-p -> min-p -> temperature -> draw.
#include "runtime/sample/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace edgellm {
namespace {

// Descending logit; lower id first on equal logits (deterministic order).
bool cand_before(const Candidate& a, const Candidate& b) {
  return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}

void sort_if_needed(Candidate* c, int32_t n) {
  if (!std::is_sorted(c, c + n, cand_before)) std::sort(c, c + n, cand_before);
}

// Fills p with the softmax of the logits; returns nothing. Works unsorted.
void softmax(Candidate* c, int32_t n) {
  float max_l = -std::numeric_limits<float>::infinity();
  for (int32_t i = 0; i < n; ++i) max_l = std::max(max_l, c[i].logit);
  if (!std::isfinite(max_l)) {
    // All -inf (or +inf present): uniform over the maximal ones.
    int32_t k = 0;
    for (int32_t i = 0; i < n; ++i) k += c[i].logit == max_l;
    for (int32_t i = 0; i < n; ++i) c[i].p = c[i].logit == max_l ? 1.0f / static_cast<float>(k) : 0.0f;
    return;
  }
  double sum = 0;
  for (int32_t i = 0; i < n; ++i) {
    c[i].p = std::exp(c[i].logit - max_l);
    sum += c[i].p;
  }
  for (int32_t i = 0; i < n; ++i) c[i].p = static_cast<float>(c[i].p / sum);
}

// Repetition penalty (llama.cpp): each distinct token among the last
// repeat_last_n history entries gets logit/penalty if positive, else
// logit*penalty. Runs first, while cands[i].id == i.
class PenaltyStage final : public SamplerStage {
 public:
  explicit PenaltyStage(int32_t n_vocab) : seen_(static_cast<size_t>(n_vocab), 0) {}
  void configure(const SamplerParams& p) override {
    penalty_ = p.repeat_penalty;
    last_n_ = p.repeat_last_n;
  }
  const char* name() const override { return "penalty"; }
  void apply(Candidate* c, int32_t* n, const int32_t* history, int32_t n_history) override {
    if (history == nullptr || n_history <= 0) return;
    const int32_t count = last_n_ < 0 ? n_history : std::min(last_n_, n_history);
    const int32_t* h = history + (n_history - count);
    const int32_t nv = static_cast<int32_t>(seen_.size());
    for (int32_t i = 0; i < count; ++i) {
      const int32_t t = h[i];
      if (t < 0 || t >= nv || t >= *n || seen_[t]) continue;
      seen_[t] = 1;
      Candidate& cd = c[t];
      cd.logit = cd.logit > 0 ? cd.logit / penalty_ : cd.logit * penalty_;
    }
    for (int32_t i = 0; i < count; ++i) {
      if (h[i] >= 0 && h[i] < nv) seen_[h[i]] = 0;
    }
  }

 private:
  float penalty_ = 1.0f;
  int32_t last_n_ = 0;
  std::vector<uint8_t> seen_;
};

class TopKStage final : public SamplerStage {
 public:
  void configure(const SamplerParams& p) override { k_ = p.top_k; }
  const char* name() const override { return "top_k"; }
  void apply(Candidate* c, int32_t* n, const int32_t*, int32_t) override {
    if (k_ >= *n) {
      sort_if_needed(c, *n);
      return;
    }
    std::partial_sort(c, c + k_, c + *n, cand_before);
    *n = k_;
  }

 private:
  int32_t k_ = 0;
};

class TopPStage final : public SamplerStage {
 public:
  void configure(const SamplerParams& p) override { p_ = p.top_p; }
  const char* name() const override { return "top_p"; }
  void apply(Candidate* c, int32_t* n, const int32_t*, int32_t) override {
    sort_if_needed(c, *n);
    softmax(c, *n);
    double cum = 0;
    int32_t keep = *n;
    for (int32_t i = 0; i < *n; ++i) {
      cum += c[i].p;
      if (cum >= p_) {
        keep = i + 1;
        break;
      }
    }
    *n = std::max<int32_t>(1, keep);
  }

 private:
  float p_ = 1.0f;
};

// Keeps candidates with p >= min_p * p_max, i.e. logit >= max + log(min_p).
class MinPStage final : public SamplerStage {
 public:
  // min_p >= 1 keeps only the tokens tied with the maximum.
  void configure(const SamplerParams& p) override { log_p_ = std::log(std::min(p.min_p, 1.0f)); }
  const char* name() const override { return "min_p"; }
  void apply(Candidate* c, int32_t* n, const int32_t*, int32_t) override {
    float max_l = -std::numeric_limits<float>::infinity();
    for (int32_t i = 0; i < *n; ++i) max_l = std::max(max_l, c[i].logit);
    const float threshold = max_l + log_p_;
    int32_t out = 0;
    for (int32_t i = 0; i < *n; ++i) {
      if (c[i].logit >= threshold) c[out++] = c[i];
    }
    *n = std::max<int32_t>(1, out);
  }

 private:
  float log_p_ = 0.0f;
};

class TempStage final : public SamplerStage {
 public:
  void configure(const SamplerParams& p) override { inv_t_ = 1.0f / p.temperature; }
  const char* name() const override { return "temp"; }
  void apply(Candidate* c, int32_t* n, const int32_t*, int32_t) override {
    for (int32_t i = 0; i < *n; ++i) c[i].logit *= inv_t_;
  }

 private:
  float inv_t_ = 1.0f;
};

uint64_t splitmix64(uint64_t* x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

namespace {

// The header's meanings (edgellm.h): temperature <= 0 greedy, top_k <= 0
// off, top_p >= 1 off (<= 0 keeps only the most likely token), min_p <= 0
// off (>= 1 keeps only the most likely tokens). Only values with no meaning
// are refused; each message starts with the parameter's name.
Status validate(const SamplerParams& p) {
  if (!std::isfinite(p.temperature)) {
    return Errorf(StatusCode::kInvalidArgument, "temperature must be finite (got %g)",
                  static_cast<double>(p.temperature));
  }
  if (!std::isfinite(p.top_p)) {
    return Errorf(StatusCode::kInvalidArgument, "top_p must be finite (got %g)",
                  static_cast<double>(p.top_p));
  }
  if (!std::isfinite(p.min_p)) {
    return Errorf(StatusCode::kInvalidArgument, "min_p must be finite (got %g)",
                  static_cast<double>(p.min_p));
  }
  if (!(p.repeat_penalty > 0) || !std::isfinite(p.repeat_penalty)) {
    return Errorf(StatusCode::kInvalidArgument, "repeat_penalty must be finite and > 0 (got %g)",
                  static_cast<double>(p.repeat_penalty));
  }
  if (p.repeat_last_n < -1) {
    return Errorf(StatusCode::kInvalidArgument,
                  "repeat_last_n must be >= -1 (-1: whole history) (got %d)", p.repeat_last_n);
  }
  return Status::Ok();
}

}  // namespace

Status validate_sampler_params(const SamplerParams& p) { return validate(p); }

namespace {

bool same_chain(const SamplerParams& a, const SamplerParams& b) {
  return a.temperature == b.temperature && a.top_k == b.top_k && a.top_p == b.top_p &&
         a.min_p == b.min_p && a.repeat_penalty == b.repeat_penalty &&
         a.repeat_last_n == b.repeat_last_n;
}

}  // namespace

Status Sampler::create(const SamplerParams& p, int32_t n_vocab, std::unique_ptr<Sampler>* out) {
  if (out == nullptr) return Status(StatusCode::kInvalidArgument, "Sampler::create: out is null");
  out->reset();
  if (n_vocab <= 0) return Errorf(StatusCode::kInvalidArgument, "n_vocab must be > 0 (got %d)", n_vocab);
  EDGELLM_TRY(validate(p));
  std::unique_ptr<Sampler> s(new Sampler());
  s->n_vocab_ = n_vocab;
  s->cands_.resize(static_cast<size_t>(n_vocab));
  s->build(p);
  *out = std::move(s);
  return Status::Ok();
}

Status Sampler::set_params(const SamplerParams& p) {
  EDGELLM_TRY(validate(p));
  if (same_chain(p, params_)) {
    params_ = p;
    reseed(p.seed);
  } else {
    build(p);
  }
  return Status::Ok();
}

void Sampler::build(const SamplerParams& p) {
  // Every stage object exists from create() on; configuring the chain only
  // picks and parameterises them, so it never allocates.
  if (owned_.empty()) {
    owned_.push_back(std::make_unique<PenaltyStage>(n_vocab_));
    owned_.push_back(std::make_unique<TopKStage>());
    owned_.push_back(std::make_unique<TopPStage>());
    owned_.push_back(std::make_unique<MinPStage>());
    owned_.push_back(std::make_unique<TempStage>());
    stages_.reserve(owned_.size());
  }
  SamplerStage* penalty = owned_[0].get();
  SamplerStage* top_k = owned_[1].get();
  SamplerStage* top_p = owned_[2].get();
  SamplerStage* min_p = owned_[3].get();
  SamplerStage* temp = owned_[4].get();
  params_ = p;
  stages_.clear();
  if (p.repeat_penalty != 1.0f && p.repeat_last_n != 0) stages_.push_back(penalty);
  if (p.temperature > 0) {
    if (p.top_k > 0) stages_.push_back(top_k);
    if (p.top_p < 1.0f) stages_.push_back(top_p);
    if (p.min_p > 0.0f) stages_.push_back(min_p);
    stages_.push_back(temp);
  }
  for (SamplerStage* st : stages_) st->configure(p);
  reseed(p.seed);
}

void Sampler::reseed(uint64_t seed) {
  uint64_t x = seed;
  for (uint64_t& w : rng_state_) w = splitmix64(&x);
}

double Sampler::next_uniform() {
  uint64_t* s = rng_state_;
  const uint64_t result = rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return static_cast<double>(result >> 11) * 0x1.0p-53;
}

std::string Sampler::describe() const {
  std::string d;
  for (const SamplerStage* st : stages_) {
    d += st->name();
    d += ',';
  }
  d += params_.temperature > 0 ? "dist" : "greedy";
  return d;
}

int32_t Sampler::sample(const float* logits, const int32_t* history, int32_t n_history) {
  if (logits == nullptr) return -1;
  Candidate* c = cands_.data();
  int32_t n = n_vocab_;
  for (int32_t i = 0; i < n; ++i) {
    float l = logits[i];
    c[i] = {i, std::isnan(l) ? -std::numeric_limits<float>::infinity() : l, 0.0f};
  }
  for (SamplerStage* st : stages_) st->apply(c, &n, history, n_history);

  if (params_.temperature <= 0) {
    int32_t best = 0;  // the earliest maximum has the lowest id (list is in id order)
    for (int32_t i = 1; i < n; ++i) {
      if (c[i].logit > c[best].logit) best = i;
    }
    return c[best].id;
  }

  softmax(c, n);
  double total = 0;
  for (int32_t i = 0; i < n; ++i) total += c[i].p;
  const double u = next_uniform() * total;
  double cum = 0;
  for (int32_t i = 0; i < n; ++i) {
    cum += c[i].p;
    if (u < cum) return c[i].id;
  }
  // Rounding: fall back to the last candidate with nonzero probability.
  for (int32_t i = n - 1; i > 0; --i) {
    if (c[i].p > 0) return c[i].id;
  }
  return c[0].id;
}

}  // namespace edgellm

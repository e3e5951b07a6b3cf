// Sampler chain: greedy, determinism, support restriction by top-k/top-p/
// min-p, temperature vs softmax frequencies, repetition penalty, validation.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <vector>

#include "runtime/sample/sampler.h"

namespace edgellm {
namespace {

std::unique_ptr<Sampler> make_sampler(const SamplerParams& p, int32_t n_vocab) {
  std::unique_ptr<Sampler> s;
  Status st = Sampler::create(p, n_vocab, &s);
  EXPECT_TRUE(st.ok()) << st.message();
  return s;
}

SamplerParams plain(float temperature, uint64_t seed = 1) {
  SamplerParams p;
  p.temperature = temperature;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.repeat_penalty = 1.0f;
  p.seed = seed;
  return p;
}

std::vector<int> histogram(Sampler* s, const std::vector<float>& logits, int draws) {
  std::vector<int> counts(logits.size(), 0);
  for (int i = 0; i < draws; ++i) {
    int32_t id = s->sample(logits.data(), nullptr, 0);
    EXPECT_GE(id, 0);
    EXPECT_LT(id, static_cast<int32_t>(logits.size()));
    if (id >= 0 && id < static_cast<int32_t>(logits.size())) ++counts[id];
  }
  return counts;
}

const std::vector<float> kLogits = {1.0f, 3.0f, 2.5f, -1.0f, 0.0f, 2.9f, 0.5f, -4.0f};

TEST(Sampler, GreedyArgmaxAndTies) {
  auto s = make_sampler(plain(0.0f), 8);
  EXPECT_EQ(s->sample(kLogits.data(), nullptr, 0), 1);
  std::vector<float> ties = {0.0f, 5.0f, 1.0f, 5.0f, 5.0f, -2.0f, 0.0f, 0.0f};
  EXPECT_EQ(s->sample(ties.data(), nullptr, 0), 1);
  EXPECT_EQ(s->describe(), "greedy");
  // Greedy ignores top-k/top-p/min-p entirely.
  SamplerParams p = plain(0.0f);
  p.top_k = 3;
  p.top_p = 0.5f;
  p.min_p = 0.2f;
  auto s2 = make_sampler(p, 8);
  EXPECT_EQ(s2->sample(ties.data(), nullptr, 0), 1);
}

TEST(Sampler, DescribeChain) {
  SamplerParams p;
  p.repeat_penalty = 1.1f;
  auto s = make_sampler(p, 8);
  EXPECT_EQ(s->describe(), "penalty,top_k,top_p,min_p,temp,dist");
}

TEST(Sampler, DeterministicForSeed) {
  SamplerParams p = plain(1.0f, 42);
  auto a = make_sampler(p, 8);
  auto b = make_sampler(p, 8);
  std::vector<int32_t> ra, rb;
  for (int i = 0; i < 200; ++i) {
    ra.push_back(a->sample(kLogits.data(), nullptr, 0));
    rb.push_back(b->sample(kLogits.data(), nullptr, 0));
  }
  EXPECT_EQ(ra, rb);
  a->reseed(42);
  std::vector<int32_t> rc;
  for (int i = 0; i < 200; ++i) rc.push_back(a->sample(kLogits.data(), nullptr, 0));
  EXPECT_EQ(ra, rc);

  auto c = make_sampler(plain(1.0f, 43), 8);
  std::vector<int32_t> rd;
  for (int i = 0; i < 200; ++i) rd.push_back(c->sample(kLogits.data(), nullptr, 0));
  EXPECT_NE(ra, rd);
}

TEST(Sampler, TopKOneIsGreedy) {
  SamplerParams p = plain(1.5f, 7);
  p.top_k = 1;
  auto s = make_sampler(p, 8);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(s->sample(kLogits.data(), nullptr, 0), 1);
}

TEST(Sampler, TopKRestrictsSupport) {
  SamplerParams p = plain(1.0f, 3);
  p.top_k = 3;
  auto s = make_sampler(p, 8);
  auto counts = histogram(s.get(), kLogits, 3000);
  for (int id = 0; id < 8; ++id) {
    if (id == 1 || id == 5 || id == 2) {
      EXPECT_GT(counts[id], 0) << id;
    } else {
      EXPECT_EQ(counts[id], 0) << id;
    }
  }
}

TEST(Sampler, TopPRestrictsSupport) {
  // Probabilities 0.5, 0.3, 0.15, 0.05: top_p 0.75 keeps the first two
  // (cumulative 0.8 >= 0.75), 0.85 keeps three.
  std::vector<float> logits = {std::log(0.15f), std::log(0.5f), std::log(0.05f), std::log(0.3f)};
  SamplerParams p = plain(1.0f, 5);
  p.top_p = 0.75f;
  auto s = make_sampler(p, 4);
  auto counts = histogram(s.get(), logits, 4000);
  EXPECT_EQ(counts[0], 0);
  EXPECT_EQ(counts[2], 0);
  EXPECT_GT(counts[1], counts[3]);
  EXPECT_GT(counts[3], 0);
  // Renormalised over the kept two: 0.5/0.8 = 0.625.
  EXPECT_NEAR(counts[1] / 4000.0, 0.625, 0.03);

  p.top_p = 0.85f;
  auto s2 = make_sampler(p, 4);
  counts = histogram(s2.get(), logits, 4000);
  EXPECT_EQ(counts[2], 0);
  EXPECT_GT(counts[0], 0);

  // A tiny top_p still keeps one candidate.
  p.top_p = 1e-6f;
  auto s3 = make_sampler(p, 4);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(s3->sample(logits.data(), nullptr, 0), 1);
}

TEST(Sampler, MinPRestrictsSupport) {
  // p_max = 0.5; min_p 0.4 keeps p >= 0.2: ids 1 (0.5) and 3 (0.3).
  std::vector<float> logits = {std::log(0.15f), std::log(0.5f), std::log(0.05f), std::log(0.3f)};
  SamplerParams p = plain(1.0f, 9);
  p.min_p = 0.4f;
  auto s = make_sampler(p, 4);
  auto counts = histogram(s.get(), logits, 4000);
  EXPECT_EQ(counts[0], 0);
  EXPECT_EQ(counts[2], 0);
  EXPECT_GT(counts[1], 0);
  EXPECT_GT(counts[3], 0);
  p.min_p = 1.0f;
  auto s2 = make_sampler(p, 4);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(s2->sample(logits.data(), nullptr, 0), 1);
}

void expect_matches_softmax(float temperature, uint64_t seed) {
  const int draws = 40000;
  auto s = make_sampler(plain(temperature, seed), 8);
  auto counts = histogram(s.get(), kLogits, draws);
  double mx = -1e30, sum = 0;
  for (float l : kLogits) mx = std::max(mx, static_cast<double>(l) / temperature);
  std::vector<double> p;
  for (float l : kLogits) {
    p.push_back(std::exp(static_cast<double>(l) / temperature - mx));
    sum += p.back();
  }
  for (size_t i = 0; i < p.size(); ++i) {
    p[i] /= sum;
    // 5 standard deviations of a binomial frequency, plus a small floor.
    double tol = 5 * std::sqrt(p[i] * (1 - p[i]) / draws) + 1e-3;
    EXPECT_NEAR(counts[i] / static_cast<double>(draws), p[i], tol)
        << "T=" << temperature << " id " << i;
  }
}

TEST(Sampler, TemperatureMatchesSoftmax) {
  expect_matches_softmax(1.0f, 11);
  expect_matches_softmax(0.5f, 12);
  expect_matches_softmax(2.0f, 13);
}

TEST(Sampler, TemperatureSharpens) {
  auto cold = make_sampler(plain(0.3f, 21), 8);
  auto hot = make_sampler(plain(3.0f, 21), 8);
  auto c = histogram(cold.get(), kLogits, 5000);
  auto h = histogram(hot.get(), kLogits, 5000);
  EXPECT_GT(c[1], h[1]);
  EXPECT_LT(c[7], h[7] + 1);
  EXPECT_GT(h[7], 0);
}

TEST(Sampler, RepetitionPenalty) {
  SamplerParams p = plain(0.0f);
  p.repeat_penalty = 2.0f;
  p.repeat_last_n = 4;
  auto s = make_sampler(p, 8);
  // id 1 (3.0) penalised to 1.5 -> id 5 (2.9) wins.
  std::vector<int32_t> hist = {1};
  EXPECT_EQ(s->sample(kLogits.data(), hist.data(), 1), 5);
  // Penalised once however often it repeats: 1 and 5 -> 1.5, 1.45; 2 (2.5) wins.
  hist = {1, 5, 1, 1, 5};
  EXPECT_EQ(s->sample(kLogits.data(), hist.data(), 5), 2);
  // Outside the window it does not count.
  hist = {1, 0, 3, 4, 6};
  EXPECT_EQ(s->sample(kLogits.data(), hist.data(), 5), 1);
  // Negative logits are multiplied (pushed further down).
  std::vector<float> neg = {-1.0f, -1.5f, -3.0f};
  auto s3 = make_sampler(p, 3);
  hist = {0};
  EXPECT_EQ(s3->sample(neg.data(), hist.data(), 1), 1);  // -2.0 < -1.5
  // Out-of-range history ids are ignored.
  hist = {-3, 100};
  EXPECT_EQ(s3->sample(neg.data(), hist.data(), 2), 0);

  // Lower frequency under sampling too.
  SamplerParams q = plain(1.0f, 31);
  auto base = make_sampler(q, 8);
  q.repeat_penalty = 1.5f;
  auto pen = make_sampler(q, 8);
  std::vector<int32_t> h1 = {1};
  int nb = 0, np = 0;
  for (int i = 0; i < 4000; ++i) {
    nb += base->sample(kLogits.data(), h1.data(), 1) == 1;
    np += pen->sample(kLogits.data(), h1.data(), 1) == 1;
  }
  EXPECT_LT(np, nb);
}

TEST(Sampler, HandlesInfAndNan) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> logits = {-inf, std::nanf(""), 1.0f, -inf};
  auto s = make_sampler(plain(1.0f, 4), 4);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(s->sample(logits.data(), nullptr, 0), 2);
  auto g = make_sampler(plain(0.0f), 4);
  EXPECT_EQ(g->sample(logits.data(), nullptr, 0), 2);
}

// edgellm.h's meanings: temperature <= 0 greedy, top_p >= 1 off and <= 0
// the most likely token only, min_p <= 0 off and >= 1 the most likely only.
TEST(Sampler, OutOfRangeValuesHaveTheHeadersMeaning) {
  const float logits[4] = {0.5f, 2.0f, 1.5f, 1.0f};
  auto draws = [&](SamplerParams p) {
    std::unique_ptr<Sampler> s;
    EXPECT_TRUE(Sampler::create(p, 4, &s).ok());
    std::set<int32_t> seen;
    for (int i = 0; i < 200 && s; ++i) seen.insert(s->sample(logits, nullptr, 0));
    return seen;
  };
  SamplerParams p;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.temperature = -1.0f;
  EXPECT_EQ(draws(p), std::set<int32_t>{1});  // greedy
  p.temperature = 5.0f;
  EXPECT_EQ(draws(p).size(), 4u);  // hot: every token shows up
  p.top_p = 0.0f;
  EXPECT_EQ(draws(p), std::set<int32_t>{1});
  p.top_p = -3.0f;
  EXPECT_EQ(draws(p), std::set<int32_t>{1});
  p.top_p = 1.5f;
  EXPECT_EQ(draws(p).size(), 4u);  // off
  p.top_p = 1.0f;
  p.min_p = -0.5f;
  EXPECT_EQ(draws(p).size(), 4u);  // off
  p.min_p = 1.0f;
  EXPECT_EQ(draws(p), std::set<int32_t>{1});
  p.min_p = 7.0f;  // unsorted candidates (no top-k): still the maximum, not id 0
  EXPECT_EQ(draws(p), std::set<int32_t>{1});
}

TEST(Sampler, RejectsInvalidParams) {
  std::unique_ptr<Sampler> s;
  auto expect_bad = [&](SamplerParams p, int32_t n_vocab, const char* name) {
    Status st = Sampler::create(p, n_vocab, &s);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << name;
    EXPECT_NE(st.message().find(name), std::string::npos) << st.message();
    EXPECT_EQ(s, nullptr);
  };
  SamplerParams ok;
  EXPECT_TRUE(Sampler::create(ok, 10, &s).ok());
  expect_bad(ok, 0, "n_vocab");
  expect_bad(ok, -5, "n_vocab");
  SamplerParams p = ok;
  p.temperature = std::nanf("");
  expect_bad(p, 10, "temperature");
  p.temperature = std::numeric_limits<float>::infinity();
  expect_bad(p, 10, "temperature");
  p = ok;
  p.top_p = std::nanf("");
  expect_bad(p, 10, "top_p");
  p.top_p = -std::numeric_limits<float>::infinity();
  expect_bad(p, 10, "top_p");
  p = ok;
  p.min_p = std::nanf("");
  expect_bad(p, 10, "min_p");
  p = ok;
  p.repeat_penalty = 0.0f;
  expect_bad(p, 10, "repeat_penalty");
  p.repeat_penalty = -1.0f;
  expect_bad(p, 10, "repeat_penalty");
  p = ok;
  p.repeat_last_n = -2;
  expect_bad(p, 10, "repeat_last_n");
}

}  // namespace
}  // namespace edgellm

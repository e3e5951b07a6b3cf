// Shared helpers for unit tests.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

// The shared reference fixtures: $EDGELLM_FIXTURES, else
// <source dir>/../shared/fixtures. "" when neither exists, so tests can skip
// loudly instead of failing on machines without the fixtures.
inline std::string fixtures_dir() {
  auto is_dir = [](const std::string& p) {
    struct stat st;
    return !p.empty() && stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  };
  if (const char* env = std::getenv("EDGELLM_FIXTURES")) {
    if (is_dir(env)) return env;
  }
#ifdef EDGELLM_SOURCE_DIR
  const std::string dflt = EDGELLM_SOURCE_DIR "/../shared/fixtures";
  if (is_dir(dflt)) return dflt;
#endif
  return "";
}

// n normally distributed floats (mean 0, standard deviation scale),
// reproducible from seed.
inline std::vector<float> gaussian(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, scale);
  std::vector<float> v(n);
  for (float& f : v) f = nd(rng);
  return v;
}

// check_sampling (cli/server/generation): what edgellm_sampling_check
// refuses becomes a 400 whose param is the field the library names; the
// header's meanings (temperature 0 greedy, top_p 0 / 1, min_p 0 / 1) pass.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "cli/server/generation.h"

namespace cli::server {
namespace {

TEST(CheckSampling, HeaderMeaningsPass) {
  for (double v : {0.0, 1.0}) {
    GenerationRequest r;
    r.temperature = v;
    r.top_p = v;
    r.min_p = v;
    r.top_k = 0;
    ApiError err;
    EXPECT_TRUE(check_sampling(r, &err)) << v << ": " << err.message;
  }
}

TEST(CheckSampling, LibraryRefusalIsA400NamingTheField) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    const char* field;
    void (*set)(GenerationRequest*, double);
    double value;
  };
  const Case cases[] = {
      {"temperature", [](GenerationRequest* r, double v) { r->temperature = v; }, nan},
      {"top_p", [](GenerationRequest* r, double v) { r->top_p = v; }, nan},
      {"min_p", [](GenerationRequest* r, double v) { r->min_p = v; }, HUGE_VAL},
      {"repeat_penalty", [](GenerationRequest* r, double v) { r->repeat_penalty = v; }, 0.0},
  };
  for (const Case& c : cases) {
    GenerationRequest r;
    c.set(&r, c.value);
    ApiError err;
    ASSERT_FALSE(check_sampling(r, &err)) << c.field;
    EXPECT_EQ(err.status, 400) << c.field;
    EXPECT_EQ(err.param, c.field) << err.message;
    EXPECT_EQ(err.type, "invalid_request_error");
  }
}

}  // namespace
}  // namespace cli::server

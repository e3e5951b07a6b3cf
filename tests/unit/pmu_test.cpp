// pmu/: event names, the hardware path's error handling (simulated and, on
// machines without a PMU, real), the software fallback and the rusage path.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <thread>

#include "pmu/pmu.h"

namespace edgellm::pmu {
namespace {

volatile double g_sink = 0;
void busy_work() {
  double s = 0;
  for (int i = 0; i < 2000000; ++i) s += i * 0.5;
  g_sink = s;
}

TEST(Pmu, ResolvesNames) {
  EventSpec e;
  std::string err;
  ASSERT_TRUE(resolve_event("cycles", &e, &err));
  EXPECT_TRUE(e.hardware);
  ASSERT_TRUE(resolve_event("task-clock", &e, &err));
  EXPECT_FALSE(e.hardware);
  ASSERT_TRUE(resolve_event("STALL_BACKEND", &e, &err));
  EXPECT_EQ(e.config, 0x24u);
  ASSERT_TRUE(resolve_event("L2D_CACHE_REFILL", &e, &err));
  EXPECT_EQ(e.config, 0x17u);
  ASSERT_TRUE(resolve_event("r1b", &e, &err));
  EXPECT_EQ(e.config, 0x1bu);
  EXPECT_FALSE(resolve_event("bogus", &e, &err));
  EXPECT_NE(err.find("bogus"), std::string::npos);
  std::vector<EventSpec> list;
  ASSERT_TRUE(resolve_events("default", &list, &err));
  EXPECT_EQ(list.size(), 5u);
  ASSERT_TRUE(resolve_events("arm", &list, &err));
  EXPECT_EQ(list[0].name, "CPU_CYCLES");
  EXPECT_FALSE(resolve_events("cycles,nope", &list, &err));
  EXPECT_FALSE(resolve_events(",", &list, &err));
}

TEST(Pmu, SimulatedHardwareFailureFallsBackToSoftwareAndSaysSo) {
  std::vector<EventSpec> ev;
  std::string err;
  ASSERT_TRUE(resolve_events("cycles,instructions", &ev, &err));
  Options o;
  o.simulate_hw_errno = ENOENT;
  std::unique_ptr<Counters> c = Counters::open(ev, o, &err);
  ASSERT_NE(c, nullptr);
  EXPECT_NE(c->source(), Source::kHardware);
  EXPECT_NE(c->fallback_reason().find("cycles"), std::string::npos);
  EXPECT_NE(c->describe_source().find("fallback"), std::string::npos);
  ASSERT_TRUE(c->start());
  busy_work();
  ASSERT_TRUE(c->stop());
  const std::vector<Reading> r = c->read();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].name, "task-clock");
  EXPECT_GT(r[0].value, 0.0);  // nanoseconds of CPU time
}

TEST(Pmu, NoFallbackReportsTheError) {
  std::vector<EventSpec> ev;
  std::string err;
  ASSERT_TRUE(resolve_events("cycles", &ev, &err));
  Options o;
  o.allow_fallback = false;
  o.simulate_hw_errno = EACCES;
  EXPECT_EQ(Counters::open(ev, o, &err), nullptr);
  EXPECT_NE(err.find("perf_event_paranoid"), std::string::npos);
  EXPECT_EQ(Counters::open({}, o, &err), nullptr);
}

TEST(Pmu, RusageWhenEverythingIsRefused) {
  std::vector<EventSpec> ev;
  std::string err;
  ASSERT_TRUE(resolve_events("cycles", &ev, &err));
  Options o;
  o.simulate_all_errno = EPERM;
  std::unique_ptr<Counters> c = Counters::open(ev, o, &err);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->source(), Source::kRusage);
  EXPECT_STREQ(source_name(c->source()), "software (rusage)");
  ASSERT_TRUE(c->start());
  busy_work();
  ASSERT_TRUE(c->stop());
  EXPECT_GT(c->read()[0].value, 0.0);
}

// The real path on this machine: hardware if there is a PMU, else an honest
// fallback; all-threads mode counts a second thread's work.
TEST(Pmu, RealCountersAllThreads) {
  std::vector<EventSpec> ev;
  std::string err;
  ASSERT_TRUE(resolve_events("default", &ev, &err));
  std::atomic<bool> go{false}, done{false};
  std::thread worker([&] {
    while (!go) std::this_thread::yield();
    busy_work();
    done = true;
  });
  Options o;
  o.all_threads = true;
  std::unique_ptr<Counters> c = Counters::open(ev, o, &err);
  ASSERT_NE(c, nullptr) << err;
  EXPECT_GE(c->n_threads(), c->source() == Source::kRusage ? 0 : 2);
  if (c->source() == Source::kHardware) {
    EXPECT_TRUE(c->fallback_reason().empty());
  } else {
    EXPECT_FALSE(c->fallback_reason().empty());
  }
  ASSERT_TRUE(c->start());
  go = true;
  busy_work();
  worker.join();
  ASSERT_TRUE(c->stop());
  const std::vector<Reading> r = c->read();
  ASSERT_FALSE(r.empty());
  EXPECT_GT(r[0].value, 0.0);
  EXPECT_GE(r[0].value, r[0].raw);  // scaling never shrinks a count
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace edgellm::pmu

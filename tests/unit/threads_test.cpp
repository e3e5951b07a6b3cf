// Thread placement: topology reading (hwloc XML of machines the tests do
// not run on, and the live one), core selection, CPU lists, the pool's work
// splitting, pinning failures, and logits that do not depend on the thread
// count.
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "edgellm.h"
#include "runtime/exec/thread_pool.h"
#include "runtime/threads/affinity.h"
#include "runtime/threads/numa.h"
#include "runtime/threads/placement.h"
#include "runtime/threads/topology.h"

namespace edgellm::threads {
namespace {

std::string topo_path(const char* name) {
  return std::string(EDGELLM_SOURCE_DIR) + "/tests/data/topologies/" + name + ".xml";
}

Topology load(const char* name) {
  Topology t;
  Status st = load_xml_topology(topo_path(name).c_str(), &t);
  EXPECT_TRUE(st.ok()) << st.message();
  return t;
}

CpuPlan choose(const Topology& t, int n_threads = 0, const char* cpus = nullptr) {
  CpuRequest req;
  req.n_threads = n_threads;
  if (cpus) {
    Status st = parse_cpu_list(cpus, &req.cpus);
    EXPECT_TRUE(st.ok()) << st.message();
  }
  CpuPlan plan;
  Status st = choose_cpus(t, req, &plan);
  EXPECT_TRUE(st.ok()) << st.message();
  return plan;
}

Status choose_status(const Topology& t, int n_threads, const char* cpus) {
  CpuRequest req;
  req.n_threads = n_threads;
  EDGELLM_TRY(parse_cpu_list(cpus, &req.cpus));
  CpuPlan plan;
  return choose_cpus(t, req, &plan);
}

using V = std::vector<int>;

// ---- topologies shipped with the tests ----

TEST(Topology, RaspberryPi5UsesItsFourA76) {
  const Topology t = load("rpi5");
  ASSERT_EQ(t.cores.size(), 4u);
  EXPECT_EQ(t.kinds.size(), 1u);
  EXPECT_EQ(t.numa_nodes, V({0}));
  const CpuPlan p = choose(t);
  EXPECT_EQ(p.pus, V({0, 1, 2, 3}));
  EXPECT_FALSE(p.heterogeneous);
  EXPECT_EQ(p.numa_node, 0);
  EXPECT_EQ(choose(t, 2).pus, V({0, 1}));
  // More threads than CPUs: the extra ones run unpinned.
  EXPECT_EQ(choose(t, 6).pus, V({0, 1, 2, 3, -1, -1}));
  EXPECT_TRUE(choose(t, 6).heterogeneous);
}

TEST(Topology, Rk3588DefaultsToTheA76NotTheA55) {
  const Topology t = load("rk3588");
  ASSERT_EQ(t.cores.size(), 8u);
  ASSERT_EQ(t.kinds.size(), 2u);
  const CpuCore* a55 = t.core_of_pu(0);
  const CpuCore* a76 = t.core_of_pu(7);
  ASSERT_TRUE(a55 && a76);
  EXPECT_EQ(t.kinds[a76->kind].rank, 0);
  EXPECT_EQ(t.kinds[a55->kind].rank, 1);
  EXPECT_EQ(t.kinds[a76->kind].capacity, 1024);
  EXPECT_EQ(t.kinds[a55->kind].max_mhz, 1800);

  const CpuPlan p = choose(t);
  EXPECT_EQ(p.pus, V({4, 5, 6, 7}));
  EXPECT_FALSE(p.heterogeneous);  // all big: equal static slices

  // --threads: big cores first, then little ones, and then work stealing.
  EXPECT_EQ(choose(t, 2).pus, V({4, 5}));
  const CpuPlan six = choose(t, 6);
  EXPECT_EQ(six.pus, V({4, 5, 6, 7, 0, 1}));
  EXPECT_TRUE(six.heterogeneous);
  EXPECT_EQ(choose(t, 8).pus, V({4, 5, 6, 7, 0, 1, 2, 3}));

  // --cpus overrides the choice.
  const CpuPlan listed = choose(t, 0, "0-3,6");
  EXPECT_EQ(listed.pus, V({0, 1, 2, 3, 6}));
  EXPECT_TRUE(listed.heterogeneous);
  EXPECT_EQ(choose(t, 2, "0-3").pus, V({0, 1}));
  EXPECT_FALSE(choose(t, 0, "0-3").heterogeneous);
}

TEST(Topology, Rk3588KindsRankedByCapacityWhenHwlocCannotRankThem) {
  const Topology t = load("rk3588-no-efficiency");
  ASSERT_EQ(t.kinds.size(), 2u);
  for (const CpuKind& k : t.kinds) EXPECT_EQ(k.efficiency, -1);
  EXPECT_EQ(choose(t).pus, V({4, 5, 6, 7}));
}

TEST(Topology, RestrictedCpusetOnlyOffersAllowedCores) {
  const Topology t = load("rk3588-cpuset-0-5");
  EXPECT_EQ(t.n_pus(), 6);
  EXPECT_EQ(t.core_of_pu(6), nullptr);
  EXPECT_EQ(choose(t).pus, V({4, 5}));  // the two big cores left
  EXPECT_EQ(choose(t, 4).pus, V({4, 5, 0, 1}));
  Status st = choose_status(t, 0, "4-7");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("CPU 6 is not available"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("0-5"), std::string::npos) << st.message();
}

TEST(Topology, TwoSocketNumaServerStaysOnOneNodeOneThreadPerCore) {
  const Topology t = load("arm-server-2s-numa");
  ASSERT_EQ(t.cores.size(), 16u);
  EXPECT_EQ(t.n_pus(), 32);
  EXPECT_EQ(t.numa_nodes, V({0, 1}));
  EXPECT_EQ(t.core_of_pu(16), t.core_of_pu(0));  // SMT siblings share a core
  EXPECT_EQ(t.core_of_pu(9)->numa_node, 1);

  const CpuPlan p = choose(t);
  EXPECT_EQ(p.pus, V({0, 1, 2, 3, 4, 5, 6, 7}));  // node 0, no SMT sibling
  EXPECT_EQ(p.numa_node, 0);
  EXPECT_FALSE(p.heterogeneous);

  const CpuPlan twelve = choose(t, 12);  // node 0 first, then node 1
  EXPECT_EQ(twelve.pus, V({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(twelve.numa_node, -1);
  // Hardware threads only once every core has one.
  EXPECT_EQ(choose(t, 18).pus,
            V({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}));
  const CpuPlan node1 = choose(t, 0, "8-15");
  EXPECT_EQ(node1.numa_node, 1);
}

TEST(Topology, LiveMachine) {
  Topology t;
  Status st = load_live_topology(&t);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_FALSE(t.cores.empty());
  EXPECT_EQ(t.source, "live");

  const CpuPlan p = choose(t);
  ASSERT_GE(p.n_threads(), 1);
  // Exactly the cores of the fastest kind in the preferred node, one PU each,
  // all of them CPUs this process may run on.
  int expected = 0;
  const int node = t.core_of_pu(p.pus[0])->numa_node;
  for (const CpuCore& c : t.cores) {
    if (t.kinds[c.kind].rank == 0 && c.numa_node == node) ++expected;
  }
  EXPECT_EQ(p.n_threads(), expected);
  cpu_set_t mine;
  ASSERT_EQ(sched_getaffinity(0, sizeof mine, &mine), 0);
  for (int pu : p.pus) {
    ASSERT_GE(pu, 0);
    EXPECT_TRUE(CPU_ISSET(pu, &mine)) << "CPU " << pu;
    EXPECT_EQ(t.core_of_pu(pu)->pus.front(), pu);
  }
  std::printf("[threads] live: %s", describe_plan(t, p).c_str());
}

TEST(Topology, BadFiles) {
  Topology t;
  EXPECT_EQ(load_xml_topology("/nonexistent/topology.xml", &t).code(), StatusCode::kIo);
  char path[] = "/tmp/edgellm-topo-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const char junk[] = "<topology version=\"2.0\"><object type=\"Oops\"";
  ASSERT_EQ(write(fd, junk, sizeof junk - 1), static_cast<ssize_t>(sizeof junk - 1));
  close(fd);
  EXPECT_FALSE(load_xml_topology(path, &t).ok());
  unlink(path);
}

// ---- CPU lists ----

TEST(CpuList, Parses) {
  V v;
  ASSERT_TRUE(parse_cpu_list("0-3,6", &v).ok());
  EXPECT_EQ(v, V({0, 1, 2, 3, 6}));
  ASSERT_TRUE(parse_cpu_list("7", &v).ok());
  EXPECT_EQ(v, V({7}));
  ASSERT_TRUE(parse_cpu_list("6,1-2", &v).ok());
  EXPECT_EQ(v, V({1, 2, 6}));
  ASSERT_TRUE(parse_cpu_list("4-4", &v).ok());
  EXPECT_EQ(v, V({4}));
  EXPECT_EQ(format_cpu_list({0, 1, 2, 3, 6}), "0-3,6");
  EXPECT_EQ(format_cpu_list({5, 1, 2}), "1-2,5");
  EXPECT_EQ(format_cpu_list({}), "");
}

TEST(CpuList, RejectsMalformedLists) {
  V v{42};
  for (const char* bad : {"", "a", "1-", "-1", "3-1", "1,,2", "1,", ",1", "1,1", "0-2,1", "1 ,2",
                          " 1", "1-2-3", "99999", "0x3", "1;2"}) {
    Status st = parse_cpu_list(bad, &v);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << "'" << bad << "'";
    EXPECT_FALSE(st.message().empty());
  }
  EXPECT_EQ(v, V({42}));  // untouched on error
  EXPECT_NE(parse_cpu_list("3-1", &v).message().find("reversed"), std::string::npos);
  EXPECT_NE(parse_cpu_list("0-2,1", &v).message().find("CPU 1 is listed twice"), std::string::npos);
  EXPECT_EQ(parse_cpu_list(nullptr, &v).code(), StatusCode::kInvalidArgument);
}

TEST(CpuList, MoreThreadsThanListedCpusIsAnError) {
  const Topology t = load("rk3588");
  Status st = choose_status(t, 5, "0-3");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("5 threads"), std::string::npos) << st.message();
  EXPECT_EQ(choose_status(t, 0, "8").code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edgellm::threads

// ---- the pool ----

namespace edgellm {
namespace {

struct CountTask {
  std::atomic<int> calls[8];
  std::atomic<int> bad{0};
};

void count_task(void* arg, int ti, int nt) {
  auto& t = *static_cast<CountTask*>(arg);
  if (ti < 0 || ti >= nt || nt > 8) {
    t.bad.fetch_add(1);
    return;
  }
  t.calls[ti].fetch_add(1, std::memory_order_relaxed);
}

TEST(ThreadPool, EveryThreadRunsEachTaskOnce) {
  for (int n : {1, 2, 4}) {
    ThreadPool pool(n);
    CountTask t;
    for (auto& c : t.calls) c.store(0);
    constexpr int kRuns = 3000;
    for (int r = 0; r < kRuns; ++r) pool.run(count_task, &t);
    EXPECT_EQ(t.bad.load(), 0);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(t.calls[i].load(), i < n ? kRuns : 0) << i;
  }
}

struct SplitTask {
  ThreadPool* pool;
  int64_t n;
  int64_t grain;
  std::vector<std::atomic<int>>* hits;
  std::atomic<int> misaligned{0};
  std::atomic<int> chunks{0};
};

void split_task(void* arg, int ti, int nt) {
  auto& t = *static_cast<SplitTask*>(arg);
  WorkSplit split(*t.pool, t.n, t.grain, ti, nt);
  for (int64_t b, e; split.next(&b, &e);) {
    t.chunks.fetch_add(1);
    if (b % t.grain != 0 || (e != t.n && e % t.grain != 0) || b >= e) t.misaligned.fetch_add(1);
    for (int64_t i = b; i < e; ++i) (*t.hits)[static_cast<size_t>(i)].fetch_add(1);
  }
}

TEST(ThreadPool, WorkSplitCoversEveryItemOnceOnGrainBoundaries) {
  for (Schedule sched : {Schedule::kStatic, Schedule::kDynamic}) {
    for (int threads : {1, 2, 3, 4}) {
      PoolOptions o;
      o.n_threads = threads;
      o.schedule = sched;
      ThreadPool pool(o);
      EXPECT_EQ(pool.dynamic(), sched == Schedule::kDynamic && threads > 1);
      for (int64_t n : {0, 1, 15, 16, 17, 100, 1000, 4096}) {
        for (int64_t grain : {1, 16}) {
          std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
          for (auto& h : hits) h.store(0);
          SplitTask t{&pool, n, grain, &hits};
          for (int rep = 0; rep < 3; ++rep) pool.run(split_task, &t);
          EXPECT_EQ(t.misaligned.load(), 0) << n << " " << grain;
          for (int64_t i = 0; i < n; ++i) {
            ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 3) << "item " << i << " n " << n;
          }
        }
      }
    }
  }
}

TEST(ThreadPool, AutoScheduleStealsOnlyWhenCoresDiffer) {
  PoolOptions o;
  o.n_threads = 2;
  o.heterogeneous = false;
  EXPECT_FALSE(ThreadPool(o).dynamic());
  o.heterogeneous = true;
  EXPECT_TRUE(ThreadPool(o).dynamic());
}

// ---- pinning ----

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  std::vector<int> out;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return out;
  for (int i = 0; i < CPU_SETSIZE; ++i) {
    if (CPU_ISSET(i, &set)) out.push_back(i);
  }
  return out;
}

// A CPU the system has no way to run on: beyond every configured CPU.
int impossible_cpu() { return static_cast<int>(sysconf(_SC_NPROCESSORS_CONF)) + 3; }

struct AffinityTask {
  std::vector<int> seen[4];  // per thread: its CPU set during the task
};

void affinity_task(void* arg, int ti, int) {
  auto& t = *static_cast<AffinityTask*>(arg);
  cpu_set_t set;
  t.seen[ti].clear();
  if (sched_getaffinity(0, sizeof set, &set) != 0) return;
  for (int i = 0; i < CPU_SETSIZE; ++i) {
    if (CPU_ISSET(i, &set)) t.seen[ti].push_back(i);
  }
}

TEST(Pinning, WorkersAndCallerRunOnTheirCpus) {
  const std::vector<int> cpus = allowed_cpus();
  ASSERT_FALSE(cpus.empty());
  PoolOptions o;
  o.n_threads = 2;
  o.pus = {cpus.front(), cpus.back()};
  ThreadPool pool(o);
  EXPECT_EQ(pool.warning(), "");
  EXPECT_EQ(pool.pinned_workers(), 1);
  AffinityTask t;
  {
    ThreadPool::CallerScope scope(pool);
    pool.run(affinity_task, &t);
  }
  EXPECT_EQ(t.seen[0], std::vector<int>({cpus.front()}));
  EXPECT_EQ(t.seen[1], std::vector<int>({cpus.back()}));
  EXPECT_EQ(allowed_cpus(), cpus);  // the caller got its affinity back
  EXPECT_EQ(pool.warning(), "");
}

TEST(Pinning, RefusedPinDegradesToUnpinnedWithAWarning) {
  const std::vector<int> before = allowed_cpus();
  const int bad = impossible_cpu();
  PoolOptions o;
  o.n_threads = 3;
  o.pus = {bad, bad + 1, -1};
  ThreadPool pool(o);
  EXPECT_EQ(pool.pinned_workers(), 0);
  const std::string w1 = pool.warning();
  EXPECT_NE(w1.find("thread 1: cannot pin to CPU " + std::to_string(bad + 1)), std::string::npos)
      << w1;
  EXPECT_NE(w1.find("running unpinned"), std::string::npos) << w1;
  EXPECT_EQ(w1.find("thread 2"), std::string::npos) << w1;  // never asked to pin
  AffinityTask t;
  CountTask c;
  for (auto& x : c.calls) x.store(0);
  {
    ThreadPool::CallerScope scope(pool);  // refused too: stays as it was
    pool.run(affinity_task, &t);
    pool.run(count_task, &c);
  }
  EXPECT_EQ(t.seen[0], before);
  EXPECT_EQ(t.seen[1], before);  // the worker kept the process's CPUs
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c.calls[i].load(), 1);
  EXPECT_EQ(allowed_cpus(), before);
  EXPECT_NE(pool.warning().find("thread 0 (caller): cannot pin to CPU " + std::to_string(bad)),
            std::string::npos)
      << pool.warning();
}

TEST(Pinning, ScopedAffinityRestores) {
  const std::vector<int> before = allowed_cpus();
  {
    threads::ScopedCpuAffinity a;
    EXPECT_FALSE(a.enter(-1));
    EXPECT_FALSE(a.enter(impossible_cpu()));
    EXPECT_FALSE(a.active());
    ASSERT_TRUE(a.enter(before.back()));
    EXPECT_EQ(allowed_cpus(), std::vector<int>({before.back()}));
  }
  EXPECT_EQ(allowed_cpus(), before);
}

TEST(Numa, SingleNodeCallsAreHarmless) {
  EXPECT_GE(threads::numa::node_count(), 1);
  std::vector<char> buf(1 << 16, 1);
  std::string why;
  if (threads::numa::node_count() == 1) {
    EXPECT_TRUE(threads::numa::bind_memory(buf.data(), buf.size(), 0, &why)) << why;
    EXPECT_TRUE(threads::numa::interleave_memory(buf.data(), buf.size(), &why)) << why;
    EXPECT_TRUE(threads::numa::prefer_node_for_this_thread(0, &why)) << why;
  } else {
    EXPECT_FALSE(threads::numa::bind_memory(buf.data(), buf.size(), 4095, &why));
    EXPECT_FALSE(why.empty());
  }
  EXPECT_EQ(buf[1000], 1);
}

// ---- through the C API ----

class ThreadsApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // One file per process: ctest runs each test of this suite in its own
    // process, in parallel.
    path_ = ::testing::TempDir() + "edgellm-threads-tiny-q8_0-" + std::to_string(getpid()) + ".gguf";
    ASSERT_EQ(edgellm_synthesize_model("tiny", "q8_0", 7, path_.c_str()), EDGELLM_OK)
        << edgellm_last_error();
    ASSERT_EQ(edgellm_model_load(path_.c_str(), nullptr, &model_), EDGELLM_OK)
        << edgellm_last_error();
  }
  static void TearDownTestSuite() {
    edgellm_model_free(model_);
    model_ = nullptr;
    std::remove(path_.c_str());
  }

  // Logits of a 9-token prompt (every position) and of 3 decode steps.
  static std::vector<float> logits(int32_t n_threads, const char* cpus, int32_t pin,
                                   std::string* threads_text = nullptr, int32_t kv_type = -1) {
    std::vector<float> out;
    edgellm_context_params cp;
    edgellm_context_default_params(&cp);
    if (kv_type >= 0) cp.kv_type = kv_type;
    cp.n_ctx = 64;
    cp.n_batch = 16;
    cp.n_threads = n_threads;
    cp.logits_all = 1;
    cp.cpus = cpus;
    cp.pin_threads = pin;
    edgellm_context* ctx = nullptr;
    EXPECT_EQ(edgellm_context_create(model_, &cp, &ctx), EDGELLM_OK) << edgellm_last_error();
    if (!ctx) return out;
    if (threads_text) {
      const size_t n = edgellm_context_threads(ctx, nullptr, 0);
      threads_text->assign(n + 1, '\0');
      edgellm_context_threads(ctx, threads_text->data(), threads_text->size());
      threads_text->resize(n);
    }
    const size_t n_vocab = static_cast<size_t>(edgellm_model_n_vocab(model_));
    const edgellm_token prompt[] = {1, 17, 42, 99, 5, 250, 31, 77, 8};
    EXPECT_EQ(edgellm_evaluate(ctx, prompt, 9, 1), EDGELLM_OK) << edgellm_last_error();
    for (int32_t i = 0; i < 9; ++i) {
      const float* row = edgellm_get_logits(ctx, i);
      if (row) out.insert(out.end(), row, row + n_vocab);
    }
    for (edgellm_token tok : {3, 64, 128}) {
      EXPECT_EQ(edgellm_evaluate(ctx, &tok, 1, 0), EDGELLM_OK) << edgellm_last_error();
      const float* row = edgellm_get_logits(ctx, -1);
      if (row) out.insert(out.end(), row, row + n_vocab);
    }
    edgellm_context_free(ctx);
    return out;
  }

  static std::string path_;
  static edgellm_model* model_;
};

std::string ThreadsApi::path_;
edgellm_model* ThreadsApi::model_ = nullptr;

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST_F(ThreadsApi, LogitsIdenticalFor1And2And4Threads) {
  const std::vector<float> one = logits(1, nullptr, 1);
  ASSERT_EQ(one.size(), 12u * static_cast<size_t>(edgellm_model_n_vocab(model_)));
  for (int32_t n : {2, 4}) {
    std::string text;
    EXPECT_TRUE(same_bits(one, logits(n, nullptr, 1, &text))) << n << " threads: " << text;
    EXPECT_TRUE(same_bits(one, logits(n, nullptr, 0))) << n << " threads, unpinned";
    std::printf("[threads] %d: %s", n, text.c_str());
  }
  EXPECT_TRUE(same_bits(one, logits(0, nullptr, 1))) << "automatic";
}

// Attention groups a different number of query heads per work item for
// different thread counts; every KV cache type (Q8_0 takes the generic
// path) must still give the same bits.
TEST_F(ThreadsApi, LogitsIdenticalAcrossThreadsForEveryKvType) {
  for (int32_t type : {EDGELLM_KV_F32, EDGELLM_KV_F16, EDGELLM_KV_Q8_0}) {
    const std::vector<float> one = logits(1, nullptr, 0, nullptr, type);
    ASSERT_EQ(one.size(), 12u * static_cast<size_t>(edgellm_model_n_vocab(model_))) << type;
    for (int32_t n : {2, 3, 4}) {
      EXPECT_TRUE(same_bits(one, logits(n, nullptr, 0, nullptr, type))) << "kv type " << type << ", " << n << " threads";
    }
  }
}

TEST_F(ThreadsApi, CpuListAndPinning) {
  const std::vector<int> cpus = allowed_cpus();
  std::string list = std::to_string(cpus.front());
  std::string text;
  const std::vector<float> ref = logits(1, nullptr, 0);
  EXPECT_TRUE(same_bits(ref, logits(0, list.c_str(), 1, &text)));
  EXPECT_NE(text.find("threads: 1 pinned to CPUs " + list), std::string::npos) << text;
  EXPECT_EQ(text.find("warning"), std::string::npos) << text;

  // A CPU list naming a CPU this process cannot use fails at creation.
  edgellm_context_params cp;
  edgellm_context_default_params(&cp);
  cp.n_ctx = 32;
  const std::string bad = std::to_string(impossible_cpu());
  cp.cpus = bad.c_str();
  edgellm_context* ctx = nullptr;
  EXPECT_EQ(edgellm_context_create(model_, &cp, &ctx), EDGELLM_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(edgellm_last_error()).find("is not available"), std::string::npos)
      << edgellm_last_error();
  cp.cpus = "1-0";
  EXPECT_EQ(edgellm_context_create(model_, &cp, &ctx), EDGELLM_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(ctx, nullptr);
}

TEST_F(ThreadsApi, DescribeThreads) {
  const std::string xml = std::string(EDGELLM_SOURCE_DIR) + "/tests/data/topologies/rk3588.xml";
  char buf[4096];
  size_t len = 0;
  ASSERT_EQ(edgellm_describe_threads(xml.c_str(), 0, nullptr, buf, sizeof buf, &len), EDGELLM_OK)
      << edgellm_last_error();
  EXPECT_EQ(len, std::strlen(buf));
  EXPECT_NE(std::string(buf).find("threads: 4 on CPUs 4-7"), std::string::npos) << buf;
  ASSERT_EQ(edgellm_describe_threads(xml.c_str(), 6, nullptr, buf, sizeof buf, &len), EDGELLM_OK);
  EXPECT_NE(std::string(buf).find("work stealing"), std::string::npos) << buf;
  EXPECT_EQ(edgellm_describe_threads(xml.c_str(), 0, "0-9", buf, sizeof buf, &len),
            EDGELLM_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(edgellm_describe_threads("/nonexistent.xml", 0, nullptr, buf, sizeof buf, &len),
            EDGELLM_ERR_IO);
  ASSERT_EQ(edgellm_describe_threads(nullptr, 0, nullptr, buf, sizeof buf, &len), EDGELLM_OK);
  EXPECT_NE(std::string(buf).find("topology: live"), std::string::npos) << buf;
  char small[8];
  ASSERT_EQ(edgellm_describe_threads(nullptr, 0, nullptr, small, sizeof small, &len), EDGELLM_OK);
  EXPECT_EQ(std::strlen(small), 7u);
  EXPECT_GT(len, 7u);
}

}  // namespace
}  // namespace edgellm

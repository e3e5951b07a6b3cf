#include "runtime/exec/thread_pool.h"

#include <chrono>
#include <cstdio>

#include "runtime/threads/numa.h"

namespace edgellm {
namespace {

// How long an idle worker spins before it sleeps, and how long the caller
// spins on the join before it starts yielding its core.
constexpr std::chrono::microseconds kWorkerSpin{300};
constexpr int kJoinSpinIterations = 4096;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield" ::: "memory");
#endif
}

}  // namespace

ThreadPool::ThreadPool(int n_threads) {
  PoolOptions o;
  o.n_threads = n_threads;
  o.pin = false;
  o.schedule = Schedule::kStatic;
  start(o);
}

ThreadPool::ThreadPool(const PoolOptions& options) { start(options); }

void ThreadPool::start(const PoolOptions& o) {
  n_threads_ = o.n_threads < 1 ? 1 : o.n_threads;
  dynamic_ = n_threads_ > 1 && (o.schedule == Schedule::kDynamic ||
                                (o.schedule == Schedule::kAuto && o.heterogeneous));
  numa_node_ = o.numa_node;
  worker_pus_.assign(static_cast<size_t>(n_threads_), -1);
  if (o.pin) {
    for (size_t i = 0; i < worker_pus_.size() && i < o.pus.size(); ++i) worker_pus_[i] = o.pus[i];
  }
  caller_pu_ = worker_pus_[0];
  // More threads than CPUs to run on: a spinning thread would only take the
  // CPU from one with work, so idle threads sleep at once and the join yields.
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
    oversubscribed_ = n_threads_ > CPU_COUNT(&allowed);
  }
  pin_errors_.assign(static_cast<size_t>(n_threads_), std::string());

  bool any_worker_pin = false;
  for (int i = 1; i < n_threads_; ++i) any_worker_pin |= worker_pus_[static_cast<size_t>(i)] >= 0;
  if (any_worker_pin) {
    Status st = threads::CpuBinder::create(&binder_);
    if (!st.ok()) {
      for (int i = 1; i < n_threads_; ++i) {
        if (worker_pus_[static_cast<size_t>(i)] >= 0) pin_errors_[static_cast<size_t>(i)] = st.message();
      }
      binder_.reset();
    }
  }

  threads_.reserve(static_cast<size_t>(n_threads_ - 1));
  for (int i = 1; i < n_threads_; ++i) threads_.emplace_back(&ThreadPool::worker, this, i);
  // Wait until every worker has tried to pin itself, so warning() is final.
  std::unique_lock<std::mutex> lock(mu_);
  started_cv_.wait(lock, [&] { return started_ == n_threads_ - 1; });
  for (int i = 1; i < n_threads_; ++i) {
    if (worker_pus_[static_cast<size_t>(i)] >= 0 && pin_errors_[static_cast<size_t>(i)].empty()) {
      ++pinned_workers_;
    }
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true);
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

std::string ThreadPool::warning() const {
  std::string w;
  for (int i = 1; i < n_threads_; ++i) {
    const std::string& e = pin_errors_[static_cast<size_t>(i)];
    if (e.empty()) continue;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%sthread %d: cannot pin to CPU %d (", w.empty() ? "" : "; ", i,
                  worker_pus_[static_cast<size_t>(i)]);
    w += buf;
    w += e + "), running unpinned";
  }
  if (caller_pin_failed_.load(std::memory_order_relaxed)) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%sthread 0 (caller): cannot pin to CPU %d, running unpinned",
                  w.empty() ? "" : "; ", caller_pu_);
    w += buf;
  }
  return w;
}

ThreadPool::CallerScope::CallerScope(ThreadPool& pool) : pool_(pool) {
  if (pool_.caller_pu_ < 0) return;
  if (!affinity_.enter(pool_.caller_pu_)) {
    pool_.caller_pin_failed_.store(true, std::memory_order_relaxed);
  }
}

ThreadPool::CallerScope::~CallerScope() { affinity_.leave(); }

void ThreadPool::run(TaskFn fn, void* arg) {
  if (n_threads_ == 1) {
    fn(arg, 0, 1);
    return;
  }
  fn_ = fn;
  arg_ = arg;
  next_chunk_.store(0, std::memory_order_relaxed);
  pending_.store(n_threads_ - 1, std::memory_order_relaxed);
  // seq_cst pairs with the sleepers_ increment in worker(): either this
  // thread sees the sleeper or the sleeper sees the new generation.
  generation_.fetch_add(1, std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) {
    { std::lock_guard<std::mutex> lock(mu_); }
    wake_.notify_all();
  }
  fn(arg, 0, n_threads_);
  for (int spin = 0; pending_.load(std::memory_order_acquire) != 0; ++spin) {
    if (spin < kJoinSpinIterations && !oversubscribed_) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
}

void ThreadPool::worker(int index) {
  const int pu = worker_pus_[static_cast<size_t>(index)];
  std::string why;
  if (pu >= 0 && binder_ && !binder_->bind_this_thread(pu, &why)) {
    pin_errors_[static_cast<size_t>(index)] = why.empty() ? "refused" : why;
  }
  if (numa_node_ >= 0) threads::numa::prefer_node_for_this_thread(numa_node_, nullptr);
  // No run() can start before every worker has reported in, so this is the
  // generation before the first task.
  uint64_t seen = generation_.load(std::memory_order_acquire);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++started_;
  }
  started_cv_.notify_all();

  for (;;) {
    uint64_t gen = generation_.load(std::memory_order_acquire);
    if (gen == seen && !oversubscribed_) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int spin = 1; gen == seen; ++spin) {
        cpu_relax();
        gen = generation_.load(std::memory_order_acquire);
        if ((spin & 255) == 0) {
          if (std::chrono::steady_clock::now() - t0 > kWorkerSpin) break;
          std::this_thread::yield();  // lets a preempted thread finish on a busy machine
          gen = generation_.load(std::memory_order_acquire);
        }
      }
    }
    if (gen == seen) {
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_seq_cst) != seen; });
      }
      sleepers_.fetch_sub(1, std::memory_order_relaxed);
      gen = generation_.load(std::memory_order_acquire);
    }
    seen = gen;
    if (stop_.load(std::memory_order_acquire)) return;
    fn_(arg_, index, n_threads_);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace edgellm

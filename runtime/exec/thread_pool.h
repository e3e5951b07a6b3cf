// A fork-join pool created once with the context: run() hands one task to
// every thread (the caller is thread 0) and returns when all are done.
//
//  - Placement: each worker pins itself to its CPU when it starts (hwloc);
//    the caller is pinned to thread 0's CPU inside a CallerScope (e.g. one
//    evaluate call) and gets its own affinity back afterwards. A refused pin
//    leaves that thread unpinned and adds to warning(); it is never an error.
//  - Dispatch and join: workers spin (with the CPU's pause/yield hint) for a
//    short while after each task and then sleep on a condition variable, so
//    consecutive ops of a decode step wake them in well under a microsecond
//    while an idle context costs no CPU. No thread is created and nothing is
//    allocated per run().
//  - Work splitting (WorkSplit): equal static slices on identical cores;
//    chunks claimed from an atomic counter (work stealing) when the cores
//    differ, so a slower core never holds the barrier. Boundaries are
//    multiples of the caller's grain in both modes, and every item is
//    computed by exactly one thread, so results are bit-identical whatever
//    the number of threads or the schedule.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/threads/affinity.h"

namespace edgellm {

using TaskFn = void (*)(void* arg, int thread_index, int n_threads);

enum class Schedule : int {
  kAuto = 0,     // dynamic when the threads run on different kinds of core
  kStatic = 1,   // one equal slice per thread
  kDynamic = 2,  // chunks from a shared counter
};

struct PoolOptions {
  int n_threads = 1;
  std::vector<int> pus;        // per thread: OS CPU to pin to (-1 or absent: unpinned)
  bool pin = true;             // false: never pin
  bool heterogeneous = false;  // threads on different kinds of core (see Schedule::kAuto)
  Schedule schedule = Schedule::kAuto;
  int numa_node = -1;          // >= 0: workers allocate from this node first
};

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads);  // unpinned, static slices
  explicit ThreadPool(const PoolOptions& options);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }
  bool dynamic() const { return dynamic_; }
  // Threads actually pinned (the caller counts when its CPU is set and its
  // last CallerScope pinned it).
  int pinned_workers() const { return pinned_workers_; }
  // "" or a description of every pinning that the system refused.
  std::string warning() const;

  // Runs fn(arg, i, size()) on every thread i; returns when all are done.
  void run(TaskFn fn, void* arg);

  // Pins the calling thread to thread 0's CPU for the scope's lifetime.
  class CallerScope {
   public:
    explicit CallerScope(ThreadPool& pool);
    ~CallerScope();
    CallerScope(const CallerScope&) = delete;
    CallerScope& operator=(const CallerScope&) = delete;

   private:
    ThreadPool& pool_;
    threads::ScopedCpuAffinity affinity_;
  };

  // Shared chunk counter of the current run() (see WorkSplit).
  std::atomic<int64_t>& chunk_counter() { return next_chunk_; }

 private:
  void start(const PoolOptions& options);
  void worker(int index);

  int n_threads_ = 1;
  bool dynamic_ = false;
  bool oversubscribed_ = false;  // more threads than allowed CPUs: no spinning
  int caller_pu_ = -1;
  int numa_node_ = -1;
  std::vector<std::thread> threads_;
  std::unique_ptr<threads::CpuBinder> binder_;
  std::vector<int> worker_pus_;
  std::vector<std::string> pin_errors_;  // per thread, written before start-up completes
  int pinned_workers_ = 0;
  std::atomic<bool> caller_pin_failed_{false};

  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable started_cv_;
  int started_ = 0;
  std::atomic<int> sleepers_{0};

  alignas(64) std::atomic<uint64_t> generation_{0};
  alignas(64) std::atomic<int> pending_{0};
  alignas(64) std::atomic<int64_t> next_chunk_{0};
  std::atomic<bool> stop_{false};
  TaskFn fn_ = nullptr;
  void* arg_ = nullptr;
};

// Splits [0, n) into the chunk of thread `ti` of `nt` (contiguous, balanced).
inline void split_range(int64_t n, int ti, int nt, int64_t* begin, int64_t* end) {
  *begin = n * ti / nt;
  *end = n * (ti + 1) / nt;
}

// Hands out ranges of [0, n) to the threads of one run() (use one WorkSplit
// per run): with a static schedule thread ti gets one slice, with a dynamic
// one each next() claims the next chunk. Every boundary except n itself is a
// multiple of `grain`, so a kernel working on blocks of rows sees the same
// blocks whatever the split.
//
//   WorkSplit split(pool, rows, 16, ti, nt);
//   for (int64_t b, e; split.next(&b, &e);) compute(b, e);
class WorkSplit {
 public:
  WorkSplit(ThreadPool& pool, int64_t n, int64_t grain, int ti, int nt)
      : counter_(pool.dynamic() && nt > 1 ? &pool.chunk_counter() : nullptr),
        n_(n < 0 ? 0 : n),
        grain_(grain < 1 ? 1 : grain),
        ti_(ti),
        nt_(nt < 1 ? 1 : nt) {
    if (counter_) {
      // About four chunks per thread, rounded up to whole grains.
      const int64_t per = (n_ + 4 * nt_ - 1) / (4 * nt_);
      chunk_ = (per + grain_ - 1) / grain_ * grain_;
      if (chunk_ < grain_) chunk_ = grain_;
    }
  }

  bool next(int64_t* begin, int64_t* end) {
    if (counter_) {
      const int64_t b = counter_->fetch_add(chunk_, std::memory_order_relaxed);
      if (b >= n_) return false;
      *begin = b;
      *end = b + chunk_ < n_ ? b + chunk_ : n_;
      return true;
    }
    if (done_) return false;
    done_ = true;
    const int64_t units = (n_ + grain_ - 1) / grain_;
    int64_t ub, ue;
    split_range(units, ti_, nt_, &ub, &ue);
    *begin = ub * grain_ < n_ ? ub * grain_ : n_;
    *end = ue * grain_ < n_ ? ue * grain_ : n_;
    return *begin < *end;
  }

 private:
  std::atomic<int64_t>* counter_;
  int64_t n_;
  int64_t grain_;
  int64_t chunk_ = 0;
  int ti_;
  int nt_;
  bool done_ = false;
};

}  // namespace edgellm

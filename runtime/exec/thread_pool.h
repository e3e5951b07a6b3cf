// A fork-join pool created once with the context: run() hands one task to
// every thread (the caller is thread 0) and returns when all are done.
// Workers spin briefly, then sleep on a condition variable, so a decode step
// costs no thread creation and no allocation.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace edgellm {

using TaskFn = void (*)(void* arg, int thread_index, int n_threads);

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }
  void run(TaskFn fn, void* arg);

 private:
  void worker(int index);

  int n_threads_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
  TaskFn fn_ = nullptr;
  void* arg_ = nullptr;
};

// Splits [0, n) into the chunk of thread `ti` of `nt` (contiguous, balanced).
inline void split_range(int64_t n, int ti, int nt, int64_t* begin, int64_t* end) {
  *begin = n * ti / nt;
  *end = n * (ti + 1) / nt;
}

}  // namespace edgellm

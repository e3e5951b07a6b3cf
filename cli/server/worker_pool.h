// The HTTP server's threads: cpp-httplib hands every accepted connection to
// a TaskQueue, and a connection keeps its thread until it closes. A fixed
// pool lets slow connections starve new ones (they wait in the queue behind
// clients that send a byte a second), so this pool starts a thread for each
// connection that finds none idle, up to `max_threads`; threads idle for a
// while end, down to `warm`. A connection that finds the pool full is not
// queued: `overflow` runs it at once on the accepting thread (the HTTP gate
// answers it with a 503 without reading).
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

namespace cli::server {

class WorkerPool final : public httplib::TaskQueue {
 public:
  using Job = std::function<void()>;
  WorkerPool(size_t max_threads, size_t warm, std::function<void(Job)> overflow,
             std::chrono::milliseconds idle_end = std::chrono::seconds(10));
  ~WorkerPool() override;

  void enqueue(Job fn) override;
  void shutdown() override;
  size_t threads() const;

 private:
  void work(std::list<std::thread>::iterator self);
  void join_finished();

  const size_t max_threads_, warm_;
  const std::function<void(Job)> overflow_;
  const std::chrono::milliseconds idle_end_;
  mutable std::mutex mu_;
  std::condition_variable wake_, retired_;
  std::deque<Job> jobs_;
  std::list<std::thread> threads_;    // running
  std::vector<std::thread> finished_;  // ended, to be joined
  size_t idle_ = 0;
  bool shutdown_ = false;
};

}  // namespace cli::server

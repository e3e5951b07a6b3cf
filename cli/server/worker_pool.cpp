#include "cli/server/worker_pool.h"

namespace cli::server {

WorkerPool::WorkerPool(size_t max_threads, size_t warm, std::function<void(Job)> overflow,
                       std::chrono::milliseconds idle_end)
    : max_threads_(max_threads < 1 ? 1 : max_threads), warm_(warm), overflow_(std::move(overflow)),
      idle_end_(idle_end) {}

WorkerPool::~WorkerPool() { shutdown(); }

void WorkerPool::enqueue(Job fn) {
  join_finished();
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!shutdown_) {
      if (idle_ > jobs_.size()) {
        jobs_.push_back(std::move(fn));
        wake_.notify_one();
        return;
      }
      if (threads_.size() < max_threads_) {
        jobs_.push_back(std::move(fn));
        // The new thread takes the lock first thing, after its iterator is known.
        threads_.emplace_back();
        const auto self = std::prev(threads_.end());
        *self = std::thread([this, self] { work(self); });
        return;
      }
    }
  }
  overflow_(std::move(fn));
}

void WorkerPool::work(std::list<std::thread>::iterator self) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (jobs_.empty() && !shutdown_) {
      ++idle_;
      const bool woken = wake_.wait_for(lock, idle_end_, [this] { return !jobs_.empty() || shutdown_; });
      --idle_;
      if (!woken && threads_.size() > warm_) break;
      continue;
    }
    if (jobs_.empty()) break;  // shutting down, nothing left
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    job = nullptr;  // whatever it holds goes before the lock is taken again
    lock.lock();
  }
  finished_.push_back(std::move(*self));
  threads_.erase(self);
  retired_.notify_all();
}

void WorkerPool::join_finished() {
  std::vector<std::thread> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done.swap(finished_);
  }
  for (std::thread& t : done) t.join();
}

void WorkerPool::shutdown() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    shutdown_ = true;
    wake_.notify_all();
    retired_.wait(lock, [this] { return threads_.empty(); });
  }
  join_finished();
}

size_t WorkerPool::threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return threads_.size();
}

}  // namespace cli::server

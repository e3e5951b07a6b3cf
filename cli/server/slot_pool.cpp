#include "cli/server/slot_pool.h"

#include <chrono>

namespace cli::server {

SlotLease::SlotLease(SlotLease&& other) noexcept : pool_(other.pool_), slot_(other.slot_) {
  other.pool_ = nullptr;
  other.slot_ = -1;
}

SlotLease& SlotLease::operator=(SlotLease&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = other.pool_;
    slot_ = other.slot_;
    other.pool_ = nullptr;
    other.slot_ = -1;
  }
  return *this;
}

void SlotLease::release() {
  if (!pool_) return;
  SlotPool* pool = pool_;
  pool_ = nullptr;
  pool->give_back(slot_);
  slot_ = -1;
}

edgellm_context* SlotLease::context() const { return pool_ ? pool_->contexts_[static_cast<size_t>(slot_)] : nullptr; }

SlotPool::SlotPool(std::vector<edgellm_context*> contexts, size_t max_queue)
    : contexts_(std::move(contexts)), max_queue_(max_queue) {
  for (size_t i = contexts_.size(); i > 0; --i) free_.push_back(static_cast<int>(i - 1));
}

SlotPool::Outcome SlotPool::acquire(const std::function<bool()>& cancelled, SlotLease* out) {
  std::unique_lock<std::mutex> lock(mu_);
  if (shutting_down_) return Outcome::kShuttingDown;
  if (!free_.empty() && queue_.empty()) {
    *out = SlotLease(this, free_.back());
    free_.pop_back();
    return Outcome::kAcquired;
  }
  if (queue_.size() >= max_queue_) return Outcome::kQueueFull;
  Waiter me;
  const auto pos = queue_.insert(queue_.end(), &me);
  // Wake up now and then to notice a client that has gone.
  constexpr auto kPoll = std::chrono::milliseconds(100);
  while (me.slot < 0 && !shutting_down_) {
    if (me.cv.wait_for(lock, kPoll) == std::cv_status::timeout && me.slot < 0 && cancelled && cancelled()) break;
  }
  if (me.slot >= 0) {
    *out = SlotLease(this, me.slot);  // handed over by give_back, which dequeued us
    return Outcome::kAcquired;
  }
  queue_.erase(pos);
  return shutting_down_ ? Outcome::kShuttingDown : Outcome::kCancelled;
}

void SlotPool::give_back(int slot) {
  // The next request starts from an empty KV cache.
  edgellm_context_reset(contexts_[static_cast<size_t>(slot)]);
  std::lock_guard<std::mutex> lock(mu_);
  if (!queue_.empty() && !shutting_down_) {
    Waiter* next = queue_.front();
    queue_.pop_front();
    next->slot = slot;
    next->cv.notify_one();
    return;
  }
  free_.push_back(slot);
}

void SlotPool::shut_down() {
  std::lock_guard<std::mutex> lock(mu_);
  shutting_down_ = true;
  stopping_ = true;
  for (Waiter* w : queue_) w->cv.notify_one();
}

bool SlotPool::shutting_down() const { return stopping_.load(std::memory_order_relaxed); }

SlotPool::Counts SlotPool::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  Counts c;
  c.slots = contexts_.size();
  c.busy = contexts_.size() - free_.size();
  c.waiting = queue_.size();
  c.max_queue = max_queue_;
  return c;
}

}  // namespace cli::server

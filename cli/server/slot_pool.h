// The server's contexts ("slots"), all created at start so their memory is
// known up front, and a bounded FIFO queue of requests waiting for one.
// A request takes a free slot, or waits in the queue while it has room, or is
// refused (the server answers 503). A waiting request whose client has gone
// leaves the queue. Each slot is used by one request at a time; the model is
// shared read-only.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <vector>

#include "edgellm.h"

namespace cli::server {

class SlotPool;

// A slot held by one request; returned (its KV cache reset) on destruction.
class SlotLease {
 public:
  SlotLease() = default;
  SlotLease(SlotLease&& other) noexcept;
  SlotLease& operator=(SlotLease&& other) noexcept;
  SlotLease(const SlotLease&) = delete;
  SlotLease& operator=(const SlotLease&) = delete;
  ~SlotLease() { release(); }

  void release();
  bool held() const { return pool_ != nullptr; }
  int index() const { return slot_; }
  edgellm_context* context() const;

 private:
  friend class SlotPool;
  SlotLease(SlotPool* pool, int slot) : pool_(pool), slot_(slot) {}
  SlotPool* pool_ = nullptr;
  int slot_ = -1;
};

class SlotPool {
 public:
  SlotPool(std::vector<edgellm_context*> contexts, size_t max_queue);
  SlotPool(const SlotPool&) = delete;
  SlotPool& operator=(const SlotPool&) = delete;

  enum class Outcome { kAcquired, kQueueFull, kCancelled, kShuttingDown };
  // Takes a slot, waiting in the queue if needed; cancelled() is polled
  // while waiting (e.g. the client hung up).
  Outcome acquire(const std::function<bool()>& cancelled, SlotLease* out);

  // Refuses new requests and wakes every waiter; running ones see
  // shutting_down() and stop.
  void shut_down();
  bool shutting_down() const;

  struct Counts {
    size_t slots = 0, busy = 0, waiting = 0, max_queue = 0;
  };
  Counts counts() const;

 private:
  friend class SlotLease;
  struct Waiter {
    int slot = -1;  // set when a slot is handed over
    std::condition_variable cv;
  };
  void give_back(int slot);

  std::vector<edgellm_context*> contexts_;
  const size_t max_queue_;
  mutable std::mutex mu_;
  std::vector<int> free_;      // idle slots
  std::list<Waiter*> queue_;   // FIFO
  bool shutting_down_ = false;
  std::atomic<bool> stopping_{false};  // shutting_down_, read per token without the lock
};

}  // namespace cli::server

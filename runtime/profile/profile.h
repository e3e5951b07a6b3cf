// Profile mode: time (and, through a caller-supplied reader, hardware or
// software counters) per op kind — matmul by weight type, attention, norms,
// RoPE, ... — accumulated into a fixed table owned by the context, so the
// hot path never allocates. Ops are timed on the thread that drives the
// graph, around the whole parallel op (its work split and barrier
// included); only leaf ops are instrumented, so times add up without
// double counting.
//
// A context activates its Profile for the duration of an evaluate call
// (Profile::Activation); ops open a ProfileScope, which is a null check
// when no profile is active on this thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "kernels/dtype.h"

namespace edgellm {

enum class OpKind : uint8_t {
  kEmbed, kNorm, kMatmul, kRope, kAttention, kKvStore, kActivation, kAdd, kConv, kOutput,
  kSample, kCount
};
const char* op_kind_name(OpKind k);  // "matmul", "attention", ...

// Reads the current counter values into values[0 .. max); returns how many.
using CounterReader = size_t (*)(double* values, size_t max, void* user);

class Profile {
 public:
  static constexpr size_t kMaxCounters = 8;
  static constexpr size_t kTypes = 64;  // DType values are < kTypes

  struct Entry {
    uint64_t calls = 0;
    double ns = 0;
    double counters[kMaxCounters] = {};
  };

  void set_counter_reader(CounterReader reader, void* user) {
    reader_ = reader;
    user_ = user;
  }
  void reset();
  // Entry of op kind k with weight type t (DType::F32 for ops without one).
  const Entry& entry(OpKind k, DType t) const { return table_[index(k, t)]; }
  size_t n_counters() const { return n_counters_; }

  // Makes this profile the active one of the calling thread while it lives.
  class Activation {
   public:
    explicit Activation(Profile* p);
    ~Activation();
    Activation(const Activation&) = delete;
    Activation& operator=(const Activation&) = delete;

   private:
    Profile* prev_;
  };

  static Profile* active();  // of the calling thread, or null

 private:
  friend class ProfileScope;
  static size_t index(OpKind k, DType t) {
    return static_cast<size_t>(k) * kTypes + (static_cast<size_t>(t) % kTypes);
  }
  size_t read(double* values) const;

  Entry table_[static_cast<size_t>(OpKind::kCount) * kTypes];
  CounterReader reader_ = nullptr;
  void* user_ = nullptr;
  size_t n_counters_ = 0;
};

class ProfileScope {
 public:
  explicit ProfileScope(OpKind k, DType t = DType::F32);
  ~ProfileScope();
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

 private:
  Profile* p_;
  size_t slot_ = 0;
  std::chrono::steady_clock::time_point t0_;
  double c0_[Profile::kMaxCounters];
};

}  // namespace edgellm

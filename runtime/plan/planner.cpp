#include "runtime/plan/planner.h"

#include <algorithm>
#include <numeric>

namespace edgellm::plan {
namespace {

size_t align_up(size_t x, size_t a) { return (x + a - 1) & ~(a - 1); }

bool lifetimes_overlap(const BufferSpec& a, const BufferSpec& b) {
  return a.first <= b.last && b.first <= a.last;
}

// Places buffers in the given order, each at the lowest offset where it does
// not collide with an already placed buffer whose lifetime overlaps its own
// (first-fit in the gaps, as TFLite Micro's greedy planner does).
Plan place_in_order(const std::vector<BufferSpec>& specs, const std::vector<size_t>& order,
                    size_t align) {
  Plan p;
  p.offsets.assign(specs.size(), 0);
  std::vector<size_t> placed;
  std::vector<std::pair<size_t, size_t>> busy;  // [begin, end) of conflicting buffers
  for (size_t idx : order) {
    const BufferSpec& s = specs[idx];
    const size_t size = align_up(s.bytes, align);
    busy.clear();
    for (size_t other : placed) {
      if (lifetimes_overlap(s, specs[other])) {
        busy.emplace_back(p.offsets[other], p.offsets[other] + align_up(specs[other].bytes, align));
      }
    }
    std::sort(busy.begin(), busy.end());
    size_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + size <= begin) break;  // fits in the gap before this buffer
      offset = std::max(offset, end);
    }
    p.offsets[idx] = offset;
    p.total = std::max(p.total, offset + size);
    placed.push_back(idx);
  }
  return p;
}

size_t live_peak(const std::vector<BufferSpec>& specs, size_t align) {
  int32_t last_step = 0;
  for (const BufferSpec& s : specs) last_step = std::max(last_step, s.last);
  size_t peak = 0;
  for (int32_t t = 0; t <= last_step; ++t) {
    size_t live = 0;
    for (const BufferSpec& s : specs) {
      if (s.first <= t && t <= s.last) live += align_up(s.bytes, align);
    }
    peak = std::max(peak, live);
  }
  return peak;
}

}  // namespace

Plan plan_buffers(const std::vector<BufferSpec>& specs, size_t align) {
  std::vector<size_t> by_size(specs.size());
  std::iota(by_size.begin(), by_size.end(), 0);
  std::stable_sort(by_size.begin(), by_size.end(),
                   [&](size_t a, size_t b) { return specs[a].bytes > specs[b].bytes; });
  std::vector<size_t> by_lifetime = by_size;  // longest-lived first, then larger
  std::stable_sort(by_lifetime.begin(), by_lifetime.end(), [&](size_t a, size_t b) {
    return specs[a].last - specs[a].first > specs[b].last - specs[b].first;
  });
  std::vector<size_t> by_first(specs.size());
  std::iota(by_first.begin(), by_first.end(), 0);
  std::stable_sort(by_first.begin(), by_first.end(),
                   [&](size_t a, size_t b) { return specs[a].first < specs[b].first; });

  const std::pair<const char*, const std::vector<size_t>*> strategies[] = {
      {"greedy-by-size", &by_size},
      {"greedy-by-lifetime", &by_lifetime},
      {"greedy-by-first-use", &by_first},
  };
  Plan best;
  bool have = false;
  for (const auto& [name, order] : strategies) {
    Plan p = place_in_order(specs, *order, align);
    p.strategy = name;
    if (!have || p.total < best.total) {
      best = std::move(p);
      have = true;
    }
  }
  best.lower_bound = live_peak(specs, align);
  return best;
}

bool plan_is_valid(const std::vector<BufferSpec>& specs, const Plan& plan) {
  if (plan.offsets.size() != specs.size()) return false;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (plan.offsets[i] + specs[i].bytes > plan.total) return false;
    for (size_t j = i + 1; j < specs.size(); ++j) {
      if (!lifetimes_overlap(specs[i], specs[j])) continue;
      const size_t a0 = plan.offsets[i], a1 = a0 + specs[i].bytes;
      const size_t b0 = plan.offsets[j], b1 = b0 + specs[j].bytes;
      if (specs[i].bytes > 0 && specs[j].bytes > 0 && a0 < b1 && b0 < a1) return false;
    }
  }
  return true;
}

}  // namespace edgellm::plan

#include "runtime/threads/affinity.h"

#include <hwloc.h>

#include <cerrno>
#include <cstring>

namespace edgellm::threads {

struct CpuBinder::Impl {
  hwloc_topology_t topo = nullptr;
  hwloc_bitmap_t set = nullptr;
};

Status CpuBinder::create(std::unique_ptr<CpuBinder>* out) {
  std::unique_ptr<CpuBinder> b(new CpuBinder());
  b->impl_ = new Impl();
  if (hwloc_topology_init(&b->impl_->topo) != 0) {
    b->impl_->topo = nullptr;
    return Errorf(StatusCode::kInternal, "hwloc: cannot initialise a topology");
  }
  hwloc_topology_set_io_types_filter(b->impl_->topo, HWLOC_TYPE_FILTER_KEEP_NONE);
  hwloc_topology_set_cache_types_filter(b->impl_->topo, HWLOC_TYPE_FILTER_KEEP_NONE);
  if (hwloc_topology_load(b->impl_->topo) != 0) {
    return Errorf(StatusCode::kInternal, "hwloc: cannot load this machine's topology");
  }
  b->impl_->set = hwloc_bitmap_alloc();
  if (!b->impl_->set) return Errorf(StatusCode::kOutOfMemory, "hwloc: cannot allocate a bitmap");
  *out = std::move(b);
  return Status::Ok();
}

CpuBinder::~CpuBinder() {
  if (!impl_) return;
  if (impl_->set) hwloc_bitmap_free(impl_->set);
  if (impl_->topo) hwloc_topology_destroy(impl_->topo);
  delete impl_;
}

bool CpuBinder::bind_this_thread(int pu, std::string* why) {
  if (pu < 0) {
    if (why) *why = "no CPU assigned";
    return false;
  }
  if (hwloc_bitmap_only(impl_->set, static_cast<unsigned>(pu)) != 0) {
    if (why) *why = "cannot build the CPU set";
    return false;
  }
  if (hwloc_set_cpubind(impl_->topo, impl_->set, HWLOC_CPUBIND_THREAD) != 0) {
    if (why) *why = std::strerror(errno);
    return false;
  }
  return true;
}

bool ScopedCpuAffinity::enter(int pu) {
  leave();
  if (pu < 0 || pu >= CPU_SETSIZE) return false;
  if (sched_getaffinity(0, sizeof saved_, &saved_) != 0) return false;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(pu, &one);
  if (sched_setaffinity(0, sizeof one, &one) != 0) return false;
  active_ = true;
  return true;
}

void ScopedCpuAffinity::leave() {
  if (!active_) return;
  sched_setaffinity(0, sizeof saved_, &saved_);
  active_ = false;
}

}  // namespace edgellm::threads

#include "pmu/pmu.h"

#include <dirent.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace edgellm::pmu {
namespace {

struct Named {
  const char* name;
  uint32_t type;
  uint64_t config;
};

constexpr Named kGeneric[] = {
    {"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES},
    {"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS},
    {"cache-references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES},
    {"cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES},
    {"branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS},
    {"branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES},
    {"stalled-cycles-frontend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND},
    {"stalled-cycles-backend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_BACKEND},
    {"task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK},
    {"page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS},
    {"context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES},
    {"cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS},
};

// ARM PMUv3 common architectural/microarchitectural event numbers.
constexpr Named kArm[] = {
    {"L1D_CACHE_REFILL", PERF_TYPE_RAW, 0x03}, {"L1D_CACHE", PERF_TYPE_RAW, 0x04},
    {"INST_RETIRED", PERF_TYPE_RAW, 0x08},     {"BR_MIS_PRED", PERF_TYPE_RAW, 0x10},
    {"CPU_CYCLES", PERF_TYPE_RAW, 0x11},       {"MEM_ACCESS", PERF_TYPE_RAW, 0x13},
    {"L2D_CACHE", PERF_TYPE_RAW, 0x16},        {"L2D_CACHE_REFILL", PERF_TYPE_RAW, 0x17},
    {"BUS_ACCESS", PERF_TYPE_RAW, 0x19},       {"STALL_FRONTEND", PERF_TYPE_RAW, 0x23},
    {"STALL_BACKEND", PERF_TYPE_RAW, 0x24},
};

long perf_open(perf_event_attr* attr, pid_t tid, int group_fd) {
  return syscall(SYS_perf_event_open, attr, tid, -1, group_fd, PERF_FLAG_FD_CLOEXEC);
}

std::vector<pid_t> process_threads() {
  std::vector<pid_t> tids;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] >= '0' && e->d_name[0] <= '9') tids.push_back(static_cast<pid_t>(std::atoi(e->d_name)));
    }
    closedir(d);
  }
  std::sort(tids.begin(), tids.end());
  return tids;
}

void rusage_now(double v[3]) {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  v[0] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
  v[1] = static_cast<double>(ru.ru_minflt + ru.ru_majflt);
  v[2] = static_cast<double>(ru.ru_nvcsw + ru.ru_nivcsw);
}

}  // namespace

const char* source_name(Source s) {
  switch (s) {
    case Source::kHardware: return "hardware";
    case Source::kSoftware: return "software";
    case Source::kRusage: return "software (rusage)";
  }
  return "?";
}

bool resolve_event(const std::string& name, EventSpec* out, std::string* error) {
  for (const Named& n : kGeneric) {
    if (name == n.name) {
      *out = {n.name, n.type, n.config, n.type != PERF_TYPE_SOFTWARE};
      return true;
    }
  }
  for (const Named& n : kArm) {
    if (name == n.name) {
      *out = {n.name, n.type, n.config, true};
      return true;
    }
  }
  if (name.size() > 1 && name[0] == 'r') {
    char* end = nullptr;
    const unsigned long long code = std::strtoull(name.c_str() + 1, &end, 16);
    if (*end == '\0') {
      *out = {name, PERF_TYPE_RAW, code, true};
      return true;
    }
  }
  if (error) *error = "unknown event '" + name + "'";
  return false;
}

std::vector<std::string> software_event_names() { return {"task-clock", "page-faults", "context-switches"}; }

bool resolve_events(const std::string& list, std::vector<EventSpec>* out, std::string* error) {
  std::string expanded = list;
  if (list == "default" || list.empty()) {
    expanded = "cycles,instructions,cache-references,cache-misses,branch-misses";
  } else if (list == "arm") {
    expanded = "CPU_CYCLES,INST_RETIRED,L1D_CACHE_REFILL,L2D_CACHE_REFILL,MEM_ACCESS,STALL_BACKEND";
  } else if (list == "software") {
    expanded = "task-clock,page-faults,context-switches";
  }
  out->clear();
  size_t pos = 0;
  while (pos <= expanded.size()) {
    const size_t comma = std::min(expanded.find(',', pos), expanded.size());
    const std::string name = expanded.substr(pos, comma - pos);
    if (!name.empty()) {
      EventSpec e;
      if (!resolve_event(name, &e, error)) return false;
      out->push_back(e);
    }
    pos = comma + 1;
  }
  if (out->empty()) {
    if (error) *error = "no events given";
    return false;
  }
  return true;
}

Counters::~Counters() { close_all(); }

void Counters::close_all() {
  for (Group& g : groups_) {
    for (int fd : g.fds) close(fd);
  }
  groups_.clear();
}

bool Counters::open_groups(const std::vector<EventSpec>& events, const Options& opts,
                           std::string* error) {
  close_all();
  std::vector<pid_t> tids = opts.all_threads ? process_threads() : std::vector<pid_t>{0};
  if (tids.empty()) tids.push_back(0);
  for (pid_t tid : tids) {
    Group g;
    g.tid = tid;
    for (const EventSpec& e : events) {
      perf_event_attr attr{};
      attr.size = sizeof attr;
      attr.type = e.type;
      attr.config = e.config;
      attr.disabled = g.fds.empty() ? 1 : 0;  // the leader gates the group
      // Hardware events count user space only (allowed at
      // perf_event_paranoid 2); software events such as context-switches
      // happen in the kernel, so they try kernel mode first.
      attr.exclude_kernel = e.hardware ? 1 : 0;
      attr.exclude_hv = 1;
      attr.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED |
                         PERF_FORMAT_TOTAL_TIME_RUNNING;
      long fd = -1;
      int err = 0;
      if (opts.simulate_all_errno) {
        err = opts.simulate_all_errno;
      } else if (e.hardware && opts.simulate_hw_errno) {
        err = opts.simulate_hw_errno;
      } else {
        fd = perf_open(&attr, tid, g.fds.empty() ? -1 : g.fds[0]);
        if (fd < 0 && (errno == EACCES || errno == EPERM) && !attr.exclude_kernel) {
          attr.exclude_kernel = 1;
          fd = perf_open(&attr, tid, g.fds.empty() ? -1 : g.fds[0]);
        }
        if (fd < 0) err = errno;
      }
      if (fd < 0) {
        // A thread that exited meanwhile is skipped, not an error.
        if (err == ESRCH && tid != 0) break;
        if (error) {
          *error = e.name + ": perf_event_open: " + std::strerror(err);
          if (err == EACCES || err == EPERM) error->append(" (see /proc/sys/kernel/perf_event_paranoid)");
        }
        for (int f : g.fds) close(f);
        close_all();
        return false;
      }
      g.fds.push_back(static_cast<int>(fd));
    }
    if (g.fds.size() == events.size()) groups_.push_back(std::move(g));
    else for (int f : g.fds) close(f);
  }
  return !groups_.empty();
}

std::unique_ptr<Counters> Counters::open(const std::vector<EventSpec>& events, const Options& opts,
                                         std::string* error) {
  if (events.empty()) {
    if (error) *error = "no events given";
    return nullptr;
  }
  std::unique_ptr<Counters> c(new Counters());
  std::string why;
  if (c->open_groups(events, opts, &why)) {
    c->events_ = events;
    const bool any_hw = std::any_of(events.begin(), events.end(), [](const EventSpec& e) { return e.hardware; });
    c->source_ = any_hw ? Source::kHardware : Source::kSoftware;
    return c;
  }
  if (!opts.allow_fallback) {
    if (error) *error = why;
    return nullptr;
  }
  std::vector<EventSpec> sw;
  for (const std::string& n : software_event_names()) {
    EventSpec e;
    resolve_event(n, &e, nullptr);
    sw.push_back(e);
  }
  c->events_ = sw;
  std::string why_sw;
  if (c->open_groups(sw, opts, &why_sw)) {
    c->source_ = Source::kSoftware;
    c->reason_ = why;
    return c;
  }
  // Even software events are refused: process-wide getrusage().
  c->source_ = Source::kRusage;
  c->reason_ = why == why_sw ? why : why + "; " + why_sw;
  return c;
}

bool Counters::start() {
  if (source_ == Source::kRusage) {
    rusage_now(ru_start_);
    std::fill(ru_acc_, ru_acc_ + 3, 0.0);
    return true;
  }
  bool ok = true;
  for (const Group& g : groups_) {
    ok &= ioctl(g.fds[0], PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP) == 0;
    ok &= ioctl(g.fds[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP) == 0;
  }
  return ok;
}

bool Counters::stop() {
  if (source_ == Source::kRusage) {
    double now[3];
    rusage_now(now);
    for (int i = 0; i < 3; ++i) ru_acc_[i] += now[i] - ru_start_[i];
    return true;
  }
  bool ok = true;
  for (const Group& g : groups_) ok &= ioctl(g.fds[0], PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP) == 0;
  return ok;
}

std::vector<Reading> Counters::read() const {
  std::vector<Reading> out;
  for (const EventSpec& e : events_) out.push_back({e.name, 0, 0, 1});
  if (source_ == Source::kRusage) {
    for (size_t i = 0; i < out.size() && i < 3; ++i) out[i].value = out[i].raw = ru_acc_[i];
    return out;
  }
  for (const Group& g : groups_) {
    // nr, time_enabled, time_running, values[nr]
    std::vector<uint64_t> buf(3 + events_.size(), 0);
    const ssize_t n = ::read(g.fds[0], buf.data(), buf.size() * sizeof(uint64_t));
    if (n < static_cast<ssize_t>(3 * sizeof(uint64_t))) continue;
    const double enabled = static_cast<double>(buf[1]), running = static_cast<double>(buf[2]);
    const double ratio = enabled > 0 ? running / enabled : 0.0;
    for (size_t i = 0; i < events_.size() && i < buf[0]; ++i) {
      const double raw = static_cast<double>(buf[3 + i]);
      out[i].raw += raw;
      out[i].value += running > 0 ? raw * enabled / running : 0.0;
      out[i].running_ratio = std::min(out[i].running_ratio, ratio);
    }
  }
  return out;
}

size_t Counters::read_now(double* out, size_t max) const {
  constexpr size_t kMax = 16;
  const size_t n = std::min({events_.size(), max, kMax});
  std::fill(out, out + n, 0.0);
  if (source_ == Source::kRusage) {
    double now[3];
    rusage_now(now);
    for (size_t i = 0; i < n && i < 3; ++i) out[i] = ru_acc_[i] + now[i] - ru_start_[i];
    return n;
  }
  for (const Group& g : groups_) {
    uint64_t buf[3 + kMax] = {};  // nr, time_enabled, time_running, values[nr]
    const size_t want = (3 + std::min(events_.size(), kMax)) * sizeof(uint64_t);
    const ssize_t got = ::read(g.fds[0], buf, events_.size() <= kMax ? want : sizeof buf);
    if (got < static_cast<ssize_t>(3 * sizeof(uint64_t))) continue;
    const double enabled = static_cast<double>(buf[1]), running = static_cast<double>(buf[2]);
    for (size_t i = 0; i < n && i < buf[0]; ++i) {
      const double raw = static_cast<double>(buf[3 + i]);
      out[i] += running > 0 ? raw * enabled / running : 0.0;
    }
  }
  return n;
}

std::string Counters::describe_source() const {
  std::string s = source_name(source_);
  if (!reason_.empty()) s += " (fallback: " + reason_ + ")";
  return s;
}

}  // namespace edgellm::pmu

#include "cli/server/slot_threads.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "edgellm.h"

namespace cli::server {
namespace {

// "0-3,6" -> {0,1,2,3,6}
bool parse_cpu_list(const std::string& text, std::vector<int>* out) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(pos, end - pos);
    char* rest = nullptr;
    const long first = std::strtol(item.c_str(), &rest, 10);
    long last = first;
    if (rest == item.c_str()) return false;
    if (*rest == '-') {
      const char* from = rest + 1;
      last = std::strtol(from, &rest, 10);
      if (rest == from) return false;
    }
    if (*rest != '\0' || first < 0 || last < first || last > 4095) return false;
    for (long c = first; c <= last; ++c) out->push_back(static_cast<int>(c));
    pos = end + 1;
  }
  return !out->empty();
}

std::string format_cpu_list(const std::vector<int>& cpus) {
  std::string s;
  for (size_t i = 0; i < cpus.size();) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!s.empty()) s += ',';
    s += std::to_string(cpus[i]);
    if (j > i) s += '-' + std::to_string(cpus[j]);
    i = j + 1;
  }
  return s;
}

// The CPUs the library picks for one context on this machine, from the
// line "threads: N on CPUs LIST, ..." of edgellm_describe_threads; empty if
// it cannot say (then nothing is pinned).
std::vector<int> automatic_cpus() {
  size_t len = 0;
  if (edgellm_describe_threads(nullptr, 0, nullptr, nullptr, 0, &len) != EDGELLM_OK) return {};
  std::string text(len + 1, '\0');
  if (edgellm_describe_threads(nullptr, 0, nullptr, text.data(), text.size(), &len) != EDGELLM_OK) return {};
  const std::string key = " on CPUs ";
  const size_t line = text.find("threads: ");
  const size_t at = line == std::string::npos ? line : text.find(key, line);
  if (at == std::string::npos) return {};
  std::string list = text.substr(at + key.size());
  list = list.substr(0, list.find_first_of(" \n"));
  if (!list.empty() && list.back() == ',') list.pop_back();
  std::vector<int> cpus;
  if (text.find("unpinned", at) < text.find('\n', at) || !parse_cpu_list(list, &cpus)) return {};
  return cpus;
}

}  // namespace

bool plan_slot_threads(int32_t n_threads, const std::string& cpus, bool pin, int n_slots,
                       std::vector<SlotThreads>* out, std::string* note) {
  out->assign(static_cast<size_t>(n_slots), SlotThreads{n_threads, cpus, pin});
  std::vector<int> pool;
  if (!cpus.empty() && !parse_cpu_list(cpus, &pool)) return false;
  if (n_slots <= 1) return true;  // one context: exactly as `edgellm run`
  if (cpus.empty()) pool = automatic_cpus();
  const size_t n_cpus = pool.empty() ? std::max(1u, std::thread::hardware_concurrency()) : pool.size();
  const size_t per = n_threads > 0 ? static_cast<size_t>(n_threads)
                                   : std::max<size_t>(1, n_cpus / static_cast<size_t>(n_slots));
  const bool split = !pool.empty() && per * static_cast<size_t>(n_slots) <= pool.size();
  for (size_t i = 0; i < out->size(); ++i) {
    SlotThreads& t = (*out)[i];
    t.n_threads = static_cast<int32_t>(per);
    if (split) {
      t.cpus = format_cpu_list(std::vector<int>(pool.begin() + static_cast<std::ptrdiff_t>(i * per),
                                                pool.begin() + static_cast<std::ptrdiff_t>((i + 1) * per)));
    } else {
      t.cpus.clear();
      t.pin = false;
    }
  }
  if (!split) {
    *note = std::to_string(n_slots) + " slots x " + std::to_string(per) + " threads do not fit " +
            std::to_string(n_cpus) + " CPUs apart: threads are not pinned (the OS shares the cores)";
  }
  return true;
}

}  // namespace cli::server

// The files mapped by File::open, looked up from a SIGBUS handler: a model
// file truncated or replaced on disk while mapped makes the next read of a
// vanished page raise SIGBUS. The handler names the file and exits with a
// one-line message instead of dying with no explanation. Everything the
// handler touches is a fixed table of lock-free slots (async-signal-safe).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>

#include "runtime/gguf/gguf.h"

namespace edgellm::gguf {
namespace {

constexpr size_t kSlots = 64;
constexpr size_t kPathBytes = 512;

struct Slot {
  std::atomic<uintptr_t> base{0};  // 0: free; kClaimed: being filled
  size_t size = 0;
  char path[kPathBytes] = {};
};
constexpr uintptr_t kClaimed = 1;
Slot g_slots[kSlots];

void put(const char* s) {
  const size_t n = std::strlen(s);
  ssize_t rc = ::write(STDERR_FILENO, s, n);
  (void)rc;
}

void put_number(uint64_t v) {
  char buf[24];
  size_t i = sizeof buf;
  buf[--i] = '\0';
  do {
    buf[--i] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0 && i > 0);
  put(buf + i);
}

void on_sigbus(int sig, siginfo_t* info, void*) {
  const auto addr = reinterpret_cast<uintptr_t>(info != nullptr ? info->si_addr : nullptr);
  for (Slot& s : g_slots) {
    const uintptr_t base = s.base.load(std::memory_order_acquire);
    if (base <= kClaimed || addr < base || addr - base >= s.size) continue;
    put("edgellm: fatal: the model file ");
    put(s.path);
    put(" was truncated or changed on disk while in use (SIGBUS reading byte ");
    put_number(addr - base);
    put(" of its mapping); the weights can no longer be read, stopping. Restart the process; "
        "--no-mmap reads the model into memory so later changes to the file cannot stop it.\n");
    _exit(128 + SIGBUS);
  }
  // Not a model mapping: the default action (a core dump) on return, when
  // the faulting access runs again.
  signal(sig, SIG_DFL);
}

}  // namespace

void register_mapping(const void* base, size_t size, const std::string& path) {
  for (Slot& s : g_slots) {
    uintptr_t expected = 0;
    if (!s.base.compare_exchange_strong(expected, kClaimed, std::memory_order_acquire)) continue;
    s.size = size;
    const size_t n = path.size() < kPathBytes - 1 ? path.size() : kPathBytes - 1;
    std::memcpy(s.path, path.data(), n);
    s.path[n] = '\0';
    s.base.store(reinterpret_cast<uintptr_t>(base), std::memory_order_release);
    return;
  }
  // More than kSlots mapped files at once: the extra ones go unnamed.
}

void unregister_mapping(const void* base) {
  const auto b = reinterpret_cast<uintptr_t>(base);
  for (Slot& s : g_slots) {
    uintptr_t expected = b;
    if (s.base.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) return;
  }
}

bool install_sigbus_handler() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sigbus;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  return sigaction(SIGBUS, &sa, nullptr) == 0;
}

}  // namespace edgellm::gguf

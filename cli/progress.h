// A one-line progress bar on stderr, drawn only when stderr is a terminal.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace cli {

class ProgressBar {
 public:
  explicit ProgressBar(const char* label) : label_(label), tty_(isatty(STDERR_FILENO) == 1) {}
  ~ProgressBar() { finish(); }

  // C API progress callback; user is the ProgressBar.
  static void callback(uint64_t done, uint64_t total, const char* what, void* user) {
    static_cast<ProgressBar*>(user)->update(done, total, what);
  }

  void update(uint64_t done, uint64_t total, const char* what) {
    if (!tty_ || total == 0) return;
    const int width = 30;
    const int filled = static_cast<int>(width * done / total);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(width, '.');
    std::string name = what ? what : "";
    if (name.size() > 32) name = name.substr(0, 29) + "...";
    std::fprintf(stderr, "\r%s [%s] %3d%% %8.1f/%.1f MiB  %-32s", label_, bar.c_str(),
                 static_cast<int>(100 * done / total), done / 1048576.0, total / 1048576.0,
                 name.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }

  void finish() {
    if (drawn_) std::fputc('\n', stderr);
    drawn_ = false;
  }

 private:
  const char* label_;
  bool tty_;
  bool drawn_ = false;
};

}  // namespace cli

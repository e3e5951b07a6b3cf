// Minimal command-line option parsing for the edgellm CLI.
#pragma once

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace cli {

class Args {
 public:
  Args(int argc, char** argv, int first) {
    for (int i = first; i < argc; ++i) items_.emplace_back(argv[i]);
    used_.assign(items_.size(), false);
  }

  // "--name VALUE" or "-n VALUE"; returns false if absent. Sets error_ when
  // the value is missing.
  bool value(const char* long_name, const char* short_name, std::string* out) {
    for (size_t i = 0; i < items_.size(); ++i) {
      if (used_[i]) continue;
      if (items_[i] == long_name || (short_name && items_[i] == short_name)) {
        used_[i] = true;
        if (i + 1 >= items_.size()) {
          error_ = std::string("option ") + long_name + " needs a value";
          return false;
        }
        used_[i + 1] = true;
        *out = items_[i + 1];
        return true;
      }
    }
    return false;
  }
  bool flag(const char* long_name) {
    for (size_t i = 0; i < items_.size(); ++i) {
      if (!used_[i] && items_[i] == long_name) {
        used_[i] = true;
        return true;
      }
    }
    return false;
  }
  bool number(const char* long_name, const char* short_name, double* out) {
    std::string v;
    if (!value(long_name, short_name, &v)) return false;
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0') {
      error_ = std::string("option ") + long_name + ": '" + v + "' is not a number";
      return false;
    }
    *out = d;
    return true;
  }
  // Next unused argument (read options first); false when none is left.
  bool positional(std::string* out) {
    for (size_t i = 0; i < items_.size(); ++i) {
      if (!used_[i]) {
        used_[i] = true;
        *out = items_[i];
        return true;
      }
    }
    return false;
  }
  // Call after all options were read: reports the first unknown argument.
  bool finish() {
    for (size_t i = 0; i < items_.size() && error_.empty(); ++i) {
      if (!used_[i]) error_ = "unknown argument '" + items_[i] + "'";
    }
    return error_.empty();
  }
  const std::string& error() const { return error_; }

 private:
  std::vector<std::string> items_;
  std::vector<bool> used_;
  std::string error_;
};

}  // namespace cli

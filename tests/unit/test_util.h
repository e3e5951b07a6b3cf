// Shared helpers for unit tests.
#pragma once

#include <sys/stat.h>

#include <cstdlib>
#include <string>

// The shared reference fixtures: $EDGELLM_FIXTURES, else
// <source dir>/../shared/fixtures. "" when neither exists, so tests can skip
// loudly instead of failing on machines without the fixtures.
inline std::string fixtures_dir() {
  auto is_dir = [](const std::string& p) {
    struct stat st;
    return !p.empty() && stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  };
  if (const char* env = std::getenv("EDGELLM_FIXTURES")) {
    if (is_dir(env)) return env;
  }
#ifdef EDGELLM_SOURCE_DIR
  const std::string dflt = EDGELLM_SOURCE_DIR "/../shared/fixtures";
  if (is_dir(dflt)) return dflt;
#endif
  return "";
}

// Whether a Vulkan device exists for the Vulkan tests; says so loudly on
// stderr when not (a build without Vulkan, or no driver at all).
#pragma once

#include <cstdio>
#include <string>

#include "edgellm.h"

inline bool vulkan_device_present(const char* what) {
  char text[4096];
  edgellm_vulkan_devices(text, sizeof text);
  if (std::string(text).rfind("vulkan device ", 0) == 0) return true;
  std::fprintf(stderr, "\n*** NO VULKAN DEVICE: Vulkan %s skipped (%s) ***\n\n", what, text);
  return false;
}

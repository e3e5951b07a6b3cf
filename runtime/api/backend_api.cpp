// C API: which backend a model runs on, and the Vulkan devices present.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "edgellm.h"
#include "runtime/api/error.h"
#include "runtime/api/handles.h"
#include "runtime/vulkan/backend.h"

using edgellm::api::copy_out;

extern "C" size_t edgellm_model_backend(const edgellm_model* m, char* buf, size_t size) {
  if (!m || !m->model) return copy_out("", buf, size);
  const edgellm::Model& model = *m->model;
  std::string text = model.gpu ? "vulkan: " + model.gpu->device_name() : "cpu";
  if (!model.backend_note.empty()) text += "\n" + model.backend_note;
  return copy_out(text, buf, size);
}

extern "C" size_t edgellm_vulkan_devices(char* buf, size_t size) {
  if (!edgellm::vulkan::built()) {
    return copy_out("vulkan: not in this build (needs libvulkan-dev and glslang-tools)\n", buf,
                     size);
  }
  std::vector<edgellm::vulkan::DeviceInfo> devices;
  const edgellm::Status st = edgellm::vulkan::list_devices(&devices);
  if (!st.ok()) return copy_out(st.message() + "\n", buf, size);
  if (devices.empty()) return copy_out("vulkan: no device (no Vulkan driver installed)\n", buf, size);
  std::string text;
  for (const auto& d : devices) {
    char line[512];
    std::snprintf(line, sizeof line,
                  "vulkan device %d: %s (%s%s, Vulkan %s), %.0f MiB device-local, "
                  "maxStorageBufferRange %u, workgroup <= %u, subgroup %u, fp16 %s, 16-bit "
                  "storage %s\n",
                  d.index, d.name.c_str(), d.type.c_str(),
                  d.is_cpu ? ": used only when named or when --backend vulkan finds nothing else" : "",
                  d.api_version.c_str(), static_cast<double>(d.device_local_bytes) / (1 << 20),
                  d.max_storage_buffer_range, d.max_workgroup_invocations, d.subgroup_size,
                  d.fp16_arith ? "yes" : "no", d.storage_16bit ? "yes" : "no");
    text += line;
  }
  return copy_out(text, buf, size);
}

// One Vulkan device: instance, physical-device choice, a compute queue,
// memory arenas (one allocation carved into aligned buffers), pipelines
// built from the embedded SPIR-V, and synchronous submission. Every Vulkan
// call's failure becomes a Status naming the call and the VkResult.
#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/core/status.h"
#include "runtime/vulkan/backend.h"

namespace edgellm::vulkan {

const char* result_name(VkResult r);
Status vk_error(const char* what, VkResult r);

#define EDGELLM_VK(call)                                                    \
  do {                                                                      \
    const VkResult edgellm_vk_r_ = (call);                                  \
    if (edgellm_vk_r_ != VK_SUCCESS) return ::edgellm::vulkan::vk_error(#call, edgellm_vk_r_); \
  } while (0)

// A range of a buffer, as bound to a shader.
struct BufferRange {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceSize offset = 0;
  VkDeviceSize range = 0;
};

// Buffers placed in one memory allocation at aligned offsets.
struct MemoryArena {
  VkDeviceMemory memory = VK_NULL_HANDLE;
  std::vector<VkBuffer> buffers;
  std::vector<VkDeviceSize> sizes;
  VkDeviceSize bytes = 0;
  void* mapped = nullptr;  // host-visible arenas stay mapped
  std::vector<VkDeviceSize> offsets;
  bool coherent = true;
};

struct Pipeline {
  VkPipeline pipeline = VK_NULL_HANDLE;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  uint32_t n_bindings = 0;
  uint32_t push_bytes = 0;
};

class Device {
 public:
  static Status create(const DeviceRequest& req, std::shared_ptr<Device>* out);
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  VkDevice device() const { return device_; }
  const DeviceInfo& info() const { return info_; }
  const VkPhysicalDeviceLimits& limits() const { return props_.limits; }
  // Workgroup size of every shader: a power of two within the device's
  // limits (EDGELLM_VULKAN_WG overrides it for tests).
  uint32_t workgroup() const { return wg_; }
  // Matmuls one invocation per row (no barriers) instead of one workgroup
  // per row: for CPU implementations, or EDGELLM_VULKAN_MATMUL=rows|wg.
  bool rowwise_matmul() const { return rowwise_; }
  // Largest range one descriptor may bind (maxStorageBufferRange, or
  // EDGELLM_VULKAN_MAX_RANGE for tests of the split paths).
  VkDeviceSize max_range() const { return max_range_; }
  // Largest single allocation this backend makes.
  VkDeviceSize max_allocation() const { return max_alloc_; }

  // One allocation holding buffers of the given sizes. host: host-visible
  // (mapped); otherwise device-local, host-visible too when the device has
  // such memory (unified memory on SBCs and phones).
  Status create_arena(const std::vector<VkDeviceSize>& sizes, bool host, MemoryArena* out);
  void destroy_arena(MemoryArena* a);
  bool arena_is_mapped(const MemoryArena& a) const { return a.mapped != nullptr; }
  Status flush(const MemoryArena& a);

  // Copies host bytes into a device buffer through a staging buffer (for
  // memory the host cannot map).
  Status upload(VkBuffer dst, VkDeviceSize offset, const void* src, size_t bytes);

  // The pipeline of an embedded shader with n storage-buffer bindings and
  // push constants of push_bytes; built on first use, then cached.
  Status pipeline(const char* shader, uint32_t n_bindings, uint32_t push_bytes, const Pipeline** out);

  Status allocate_command_buffer(VkCommandBuffer* out);
  void free_command_buffer(VkCommandBuffer cb);
  // Submits and waits for completion.
  Status submit(VkCommandBuffer cb);

  // Serializes use of the device by several contexts on different threads
  // (the server's parallel slots): the queue, the command pool and the
  // pipeline cache are externally synchronized objects. Held by a session
  // for a whole forward pass (record, submit, wait) and while it frees its
  // command buffers.
  std::mutex& mutex() { return mutex_; }

 private:
  Device() = default;
  Status init(const DeviceRequest& req);
  Status find_memory(uint32_t type_bits, bool host, uint32_t* out, bool* coherent) const;

  VkInstance instance_ = VK_NULL_HANDLE;
  VkPhysicalDevice phys_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t queue_family_ = 0;
  VkCommandPool cmd_pool_ = VK_NULL_HANDLE;
  VkFence fence_ = VK_NULL_HANDLE;
  VkPipelineCache cache_ = VK_NULL_HANDLE;
  VkPhysicalDeviceProperties props_{};
  VkPhysicalDeviceMemoryProperties mem_{};
  DeviceInfo info_;
  uint32_t wg_ = 64;
  bool rowwise_ = false;
  VkDeviceSize max_range_ = 0;
  VkDeviceSize max_alloc_ = 0;
  std::map<std::string, std::unique_ptr<Pipeline>> pipelines_;
  std::mutex mutex_;
};

// Rounds n up to a multiple of a (a power of two or any positive value).
inline VkDeviceSize round_up(VkDeviceSize n, VkDeviceSize a) { return (n + a - 1) / a * a; }

}  // namespace edgellm::vulkan

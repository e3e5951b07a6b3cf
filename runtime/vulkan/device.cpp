#include "runtime/vulkan/device.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "runtime/vulkan/shaders.h"

namespace edgellm::vulkan {

const char* result_name(VkResult r) {
  switch (r) {
    case VK_SUCCESS: return "VK_SUCCESS";
    case VK_NOT_READY: return "VK_NOT_READY";
    case VK_TIMEOUT: return "VK_TIMEOUT";
    case VK_INCOMPLETE: return "VK_INCOMPLETE";
    case VK_ERROR_OUT_OF_HOST_MEMORY: return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
    case VK_ERROR_MEMORY_MAP_FAILED: return "VK_ERROR_MEMORY_MAP_FAILED";
    case VK_ERROR_LAYER_NOT_PRESENT: return "VK_ERROR_LAYER_NOT_PRESENT";
    case VK_ERROR_EXTENSION_NOT_PRESENT: return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case VK_ERROR_FEATURE_NOT_PRESENT: return "VK_ERROR_FEATURE_NOT_PRESENT";
    case VK_ERROR_INCOMPATIBLE_DRIVER: return "VK_ERROR_INCOMPATIBLE_DRIVER";
    case VK_ERROR_TOO_MANY_OBJECTS: return "VK_ERROR_TOO_MANY_OBJECTS";
    case VK_ERROR_FORMAT_NOT_SUPPORTED: return "VK_ERROR_FORMAT_NOT_SUPPORTED";
    case VK_ERROR_FRAGMENTED_POOL: return "VK_ERROR_FRAGMENTED_POOL";
    case VK_ERROR_OUT_OF_POOL_MEMORY: return "VK_ERROR_OUT_OF_POOL_MEMORY";
    default: return "VkResult error";
  }
}

Status vk_error(const char* what, VkResult r) {
  const StatusCode code = (r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY)
                              ? StatusCode::kOutOfMemory
                              : StatusCode::kInternal;
  return Errorf(code, "vulkan: %s failed: %s (%d)", what, result_name(r), static_cast<int>(r));
}

namespace {

const char* type_name(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
    default: return "other";
  }
}

std::string version_text(uint32_t v) {
  return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) +
         "." + std::to_string(VK_API_VERSION_PATCH(v));
}

Status create_instance(VkInstance* out) {
  uint32_t loader = VK_API_VERSION_1_0;
  if (vkEnumerateInstanceVersion(&loader) != VK_SUCCESS) loader = VK_API_VERSION_1_0;
  if (loader < VK_API_VERSION_1_1) {
    return Errorf(StatusCode::kUnsupported,
                  "vulkan: the Vulkan loader supports only version %s; edgellm needs 1.1",
                  version_text(loader).c_str());
  }
  VkApplicationInfo app{};
  app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
  app.pApplicationName = "edgellm";
  app.pEngineName = "edgellm";
  app.apiVersion = VK_API_VERSION_1_1;
  VkInstanceCreateInfo ci{};
  ci.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
  ci.pApplicationInfo = &app;
  const VkResult r = vkCreateInstance(&ci, nullptr, out);
  if (r == VK_ERROR_INCOMPATIBLE_DRIVER) {
    return Errorf(StatusCode::kUnsupported, "vulkan: no Vulkan driver (ICD) is installed");
  }
  EDGELLM_VK(r);
  return Status::Ok();
}

DeviceInfo describe(VkPhysicalDevice pd, int32_t index) {
  VkPhysicalDeviceSubgroupProperties sub{};
  sub.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES;
  VkPhysicalDeviceProperties2 p2{};
  p2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
  p2.pNext = &sub;
  vkGetPhysicalDeviceProperties2(pd, &p2);
  const VkPhysicalDeviceProperties& p = p2.properties;
  VkPhysicalDeviceShaderFloat16Int8Features f16{};
  f16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES;
  VkPhysicalDevice16BitStorageFeatures s16{};
  s16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
  s16.pNext = &f16;
  VkPhysicalDeviceFeatures2 feat{};
  feat.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
  if (p.apiVersion < VK_API_VERSION_1_2) s16.pNext = nullptr;  // that struct is core in 1.2
  feat.pNext = &s16;
  vkGetPhysicalDeviceFeatures2(pd, &feat);
  VkPhysicalDeviceMemoryProperties mem;
  vkGetPhysicalDeviceMemoryProperties(pd, &mem);
  DeviceInfo d;
  d.index = index;
  d.name = p.deviceName;
  d.type = type_name(p.deviceType);
  d.api_version = version_text(p.apiVersion);
  d.is_cpu = p.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
  for (uint32_t i = 0; i < mem.memoryHeapCount; ++i) {
    if (mem.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) {
      d.device_local_bytes += mem.memoryHeaps[i].size;
    }
  }
  d.max_storage_buffer_range = p.limits.maxStorageBufferRange;
  d.max_workgroup_invocations = p.limits.maxComputeWorkGroupInvocations;
  d.subgroup_size = sub.subgroupSize;
  d.fp16_arith = f16.shaderFloat16 == VK_TRUE;
  d.storage_16bit = s16.storageBuffer16BitAccess == VK_TRUE;
  return d;
}

// Lower is better: discrete, integrated, virtual, other, CPU.
int rank(const DeviceInfo& d) {
  if (d.type == "discrete") return 0;
  if (d.type == "integrated") return 1;
  if (d.type == "virtual") return 2;
  if (d.is_cpu) return 4;
  return 3;
}

Status enumerate(VkInstance inst, std::vector<VkPhysicalDevice>* out) {
  uint32_t n = 0;
  EDGELLM_VK(vkEnumeratePhysicalDevices(inst, &n, nullptr));
  out->resize(n);
  if (n > 0) EDGELLM_VK(vkEnumeratePhysicalDevices(inst, &n, out->data()));
  out->resize(n);
  return Status::Ok();
}

uint32_t env_u32(const char* name, uint32_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const unsigned long x = std::strtoul(v, &end, 10);
  return (end && *end == '\0' && x > 0) ? static_cast<uint32_t>(x) : fallback;
}

}  // namespace

bool built() { return true; }

Status list_devices(std::vector<DeviceInfo>* out) {
  out->clear();
  VkInstance inst = VK_NULL_HANDLE;
  Status st = create_instance(&inst);
  if (!st.ok()) return st.code() == StatusCode::kUnsupported ? Status::Ok() : st;
  std::vector<VkPhysicalDevice> pds;
  st = enumerate(inst, &pds);
  for (size_t i = 0; st.ok() && i < pds.size(); ++i) {
    out->push_back(describe(pds[i], static_cast<int32_t>(i)));
  }
  vkDestroyInstance(inst, nullptr);
  return st;
}

Status Device::create(const DeviceRequest& req, std::shared_ptr<Device>* out) {
  std::shared_ptr<Device> d(new Device());
  EDGELLM_TRY(d->init(req));
  *out = std::move(d);
  return Status::Ok();
}

Status Device::init(const DeviceRequest& req) {
  EDGELLM_TRY(create_instance(&instance_));
  std::vector<VkPhysicalDevice> pds;
  EDGELLM_TRY(enumerate(instance_, &pds));
  if (pds.empty()) return Errorf(StatusCode::kUnsupported, "vulkan: no Vulkan device found");
  std::vector<DeviceInfo> infos;
  for (size_t i = 0; i < pds.size(); ++i) infos.push_back(describe(pds[i], static_cast<int32_t>(i)));

  int32_t chosen = -1;
  const char* env = std::getenv("EDGELLM_VULKAN_DEVICE");
  if (req.index >= 0) {
    if (req.index >= static_cast<int32_t>(pds.size())) {
      return Errorf(StatusCode::kInvalidArgument, "vulkan: device %d requested but only %zu exist",
                    req.index, pds.size());
    }
    chosen = req.index;
  } else if (env && *env) {
    char* end = nullptr;
    const long idx = std::strtol(env, &end, 10);
    if (end && *end == '\0') {
      if (idx < 0 || idx >= static_cast<long>(pds.size())) {
        return Errorf(StatusCode::kInvalidArgument,
                      "vulkan: EDGELLM_VULKAN_DEVICE=%s but devices are 0..%zu", env,
                      pds.size() - 1);
      }
      chosen = static_cast<int32_t>(idx);
    } else {
      for (const DeviceInfo& d : infos) {
        if (d.name.find(env) != std::string::npos) {
          chosen = d.index;
          break;
        }
      }
      if (chosen < 0) {
        return Errorf(StatusCode::kInvalidArgument,
                      "vulkan: EDGELLM_VULKAN_DEVICE=%s matches no device name", env);
      }
    }
  } else {
    for (const DeviceInfo& d : infos) {
      if (d.is_cpu && !req.allow_cpu) continue;
      if (chosen < 0 || rank(d) < rank(infos[static_cast<size_t>(chosen)])) chosen = d.index;
    }
    if (chosen < 0) {
      return Errorf(StatusCode::kUnsupported,
                    "vulkan: only CPU implementations found (%s); name one with "
                    "EDGELLM_VULKAN_DEVICE to use it anyway",
                    infos[0].name.c_str());
    }
  }
  phys_ = pds[static_cast<size_t>(chosen)];
  info_ = infos[static_cast<size_t>(chosen)];
  vkGetPhysicalDeviceProperties(phys_, &props_);
  vkGetPhysicalDeviceMemoryProperties(phys_, &mem_);
  if (props_.apiVersion < VK_API_VERSION_1_1) {
    return Errorf(StatusCode::kUnsupported, "vulkan: %s supports Vulkan %s; edgellm needs 1.1",
                  info_.name.c_str(), info_.api_version.c_str());
  }

  uint32_t nq = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(phys_, &nq, nullptr);
  std::vector<VkQueueFamilyProperties> qf(nq);
  vkGetPhysicalDeviceQueueFamilyProperties(phys_, &nq, qf.data());
  bool found = false;
  for (uint32_t i = 0; i < nq && !found; ++i) {  // prefer a compute-only queue family
    if ((qf[i].queueFlags & VK_QUEUE_COMPUTE_BIT) && !(qf[i].queueFlags & VK_QUEUE_GRAPHICS_BIT)) {
      queue_family_ = i;
      found = true;
    }
  }
  for (uint32_t i = 0; i < nq && !found; ++i) {
    if (qf[i].queueFlags & VK_QUEUE_COMPUTE_BIT) {
      queue_family_ = i;
      found = true;
    }
  }
  if (!found) {
    return Errorf(StatusCode::kUnsupported, "vulkan: %s has no compute queue", info_.name.c_str());
  }
  const float prio = 1.0f;
  VkDeviceQueueCreateInfo qci{};
  qci.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
  qci.queueFamilyIndex = queue_family_;
  qci.queueCount = 1;
  qci.pQueuePriorities = &prio;
  VkDeviceCreateInfo dci{};
  dci.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
  dci.queueCreateInfoCount = 1;
  dci.pQueueCreateInfos = &qci;
  EDGELLM_VK(vkCreateDevice(phys_, &dci, nullptr, &device_));
  vkGetDeviceQueue(device_, queue_family_, 0, &queue_);

  VkCommandPoolCreateInfo pci{};
  pci.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
  pci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pci.queueFamilyIndex = queue_family_;
  EDGELLM_VK(vkCreateCommandPool(device_, &pci, nullptr, &cmd_pool_));
  VkFenceCreateInfo fci{};
  fci.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
  EDGELLM_VK(vkCreateFence(device_, &fci, nullptr, &fence_));
  VkPipelineCacheCreateInfo cci{};
  cci.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO;
  EDGELLM_VK(vkCreatePipelineCache(device_, &cci, nullptr, &cache_));

  // Workgroup: 64 invocations, or the subgroup size when that is larger
  // (Adreno runs 64/128-wide waves), within the device's limits.
  const VkPhysicalDeviceLimits& lim = props_.limits;
  uint32_t wg = std::max<uint32_t>(64, info_.subgroup_size);
  wg = env_u32("EDGELLM_VULKAN_WG", wg);
  const uint32_t cap = std::min(lim.maxComputeWorkGroupSize[0], lim.maxComputeWorkGroupInvocations);
  while (wg > cap) wg /= 2;
  // Shared memory per workgroup: matmul's tile of 8 floats per invocation,
  // attention's query (256 floats) plus two floats per invocation.
  while (wg > 16 && std::max<uint32_t>(32 * wg, 1024 + 8 * wg) > lim.maxComputeSharedMemorySize) wg /= 2;
  uint32_t pow2 = 16;
  while (pow2 * 2 <= wg) pow2 *= 2;
  if (pow2 > cap) {
    return Errorf(StatusCode::kUnsupported,
                  "vulkan: %s allows only %u invocations per workgroup; edgellm needs 16",
                  info_.name.c_str(), cap);
  }
  wg_ = pow2;
  // CPU implementations (lavapipe) pay for every workgroup barrier (the
  // workgroup's SIMD rows switch at each): their matmuls run one row per
  // invocation instead, 3.4x faster per decode step on lavapipe here.
  rowwise_ = info_.is_cpu;
  if (const char* m = std::getenv("EDGELLM_VULKAN_MATMUL"); m && *m) {
    rowwise_ = std::strcmp(m, "rows") == 0;
  }
  max_range_ = env_u32("EDGELLM_VULKAN_MAX_RANGE", lim.maxStorageBufferRange);
  max_range_ = std::min<VkDeviceSize>(max_range_, lim.maxStorageBufferRange) / 256 * 256;
  VkPhysicalDeviceMaintenance3Properties m3{};
  m3.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES;
  VkPhysicalDeviceProperties2 p2{};
  p2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
  p2.pNext = &m3;
  vkGetPhysicalDeviceProperties2(phys_, &p2);
  max_alloc_ = std::min<VkDeviceSize>(m3.maxMemoryAllocationSize > 0 ? m3.maxMemoryAllocationSize
                                                                      : (VkDeviceSize{1} << 30),
                                      VkDeviceSize{1} << 30);
  return Status::Ok();
}

Device::~Device() {
  if (device_ != VK_NULL_HANDLE) {
    vkDeviceWaitIdle(device_);
    for (auto& [name, p] : pipelines_) {
      vkDestroyPipeline(device_, p->pipeline, nullptr);
      vkDestroyPipelineLayout(device_, p->layout, nullptr);
      vkDestroyDescriptorSetLayout(device_, p->set_layout, nullptr);
    }
    if (cache_ != VK_NULL_HANDLE) vkDestroyPipelineCache(device_, cache_, nullptr);
    if (fence_ != VK_NULL_HANDLE) vkDestroyFence(device_, fence_, nullptr);
    if (cmd_pool_ != VK_NULL_HANDLE) vkDestroyCommandPool(device_, cmd_pool_, nullptr);
    vkDestroyDevice(device_, nullptr);
  }
  if (instance_ != VK_NULL_HANDLE) vkDestroyInstance(instance_, nullptr);
}

Status Device::find_memory(uint32_t type_bits, bool host, uint32_t* out, bool* coherent) const {
  const VkMemoryPropertyFlags dl = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
  const VkMemoryPropertyFlags hv = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
  const VkMemoryPropertyFlags hc = VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  const VkMemoryPropertyFlags cached = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
  // (required, excluded) flags in order of preference. Host buffers (the
  // logits are read back every step): cached if possible, never a
  // device-local BAR window. Device buffers: on unified memory (integrated
  // GPUs, CPU implementations) the host-visible device-local type, written
  // directly; on a discrete GPU plain device-local memory, since its
  // host-visible device-local type is often a 256 MiB BAR heap.
  struct Want {
    VkMemoryPropertyFlags need, avoid;
  };
  const bool unified = info_.type == "integrated" || info_.is_cpu;
  const Want host_list[] = {{hv | hc | cached, dl}, {hv | hc, dl}, {hv | cached, dl}, {hv, 0}};
  const Want uma_list[] = {{dl | hv | hc, 0}, {dl | hv, 0}, {dl, 0}, {0, 0}};
  const Want dgpu_list[] = {{dl, hv}, {dl, 0}, {0, 0}, {0, 0}};
  const Want* list = host ? host_list : unified ? uma_list : dgpu_list;
  for (size_t k = 0; k < 4; ++k) {
    for (uint32_t i = 0; i < mem_.memoryTypeCount; ++i) {
      if (!(type_bits & (1u << i))) continue;
      const VkMemoryPropertyFlags f = mem_.memoryTypes[i].propertyFlags;
      if ((f & list[k].need) == list[k].need && (f & list[k].avoid) == 0) {
        *out = i;
        *coherent = (f & hc) != 0;
        return Status::Ok();
      }
    }
  }
  return Errorf(StatusCode::kUnsupported, "vulkan: %s has no %s memory type for these buffers",
                info_.name.c_str(), host ? "host-visible" : "device");
}

Status Device::create_arena(const std::vector<VkDeviceSize>& sizes, bool host, MemoryArena* out) {
  MemoryArena& a = *out;
  uint32_t type_bits = ~0u;
  VkDeviceSize offset = 0;
  for (VkDeviceSize size : sizes) {
    VkBufferCreateInfo bci{};
    bci.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    bci.size = std::max<VkDeviceSize>(size, 16);
    bci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT |
                VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
    bci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkBuffer b = VK_NULL_HANDLE;
    EDGELLM_VK(vkCreateBuffer(device_, &bci, nullptr, &b));
    a.buffers.push_back(b);
    a.sizes.push_back(size);
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(device_, b, &req);
    type_bits &= req.memoryTypeBits;
    const VkDeviceSize align =
        std::max<VkDeviceSize>({req.alignment, limits().minStorageBufferOffsetAlignment,
                                limits().nonCoherentAtomSize, 64});
    offset = round_up(offset, align);
    a.offsets.push_back(offset);
    offset += req.size;
  }
  a.bytes = round_up(std::max<VkDeviceSize>(offset, 64), limits().nonCoherentAtomSize);
  uint32_t type = 0;
  EDGELLM_TRY(find_memory(type_bits, host, &type, &a.coherent));
  VkMemoryAllocateInfo mai{};
  mai.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
  mai.allocationSize = a.bytes;
  mai.memoryTypeIndex = type;
  EDGELLM_VK(vkAllocateMemory(device_, &mai, nullptr, &a.memory));
  for (size_t i = 0; i < a.buffers.size(); ++i) {
    EDGELLM_VK(vkBindBufferMemory(device_, a.buffers[i], a.memory, a.offsets[i]));
  }
  if (mem_.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) {
    EDGELLM_VK(vkMapMemory(device_, a.memory, 0, VK_WHOLE_SIZE, 0, &a.mapped));
  }
  return Status::Ok();
}

void Device::destroy_arena(MemoryArena* a) {
  for (VkBuffer b : a->buffers) vkDestroyBuffer(device_, b, nullptr);
  if (a->memory != VK_NULL_HANDLE) {
    if (a->mapped) vkUnmapMemory(device_, a->memory);
    vkFreeMemory(device_, a->memory, nullptr);
  }
  *a = MemoryArena();
}

Status Device::flush(const MemoryArena& a) {
  if (!a.mapped || a.coherent) return Status::Ok();
  VkMappedMemoryRange r{};
  r.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE;
  r.memory = a.memory;
  r.size = VK_WHOLE_SIZE;
  EDGELLM_VK(vkFlushMappedMemoryRanges(device_, 1, &r));
  return Status::Ok();
}

Status Device::upload(VkBuffer dst, VkDeviceSize offset, const void* src, size_t bytes) {
  const VkDeviceSize chunk = std::min<VkDeviceSize>(VkDeviceSize{64} << 20, round_up(bytes, 256));
  MemoryArena staging;
  Status st = create_arena({chunk}, /*host=*/true, &staging);
  VkCommandBuffer cb = VK_NULL_HANDLE;
  if (st.ok()) st = allocate_command_buffer(&cb);
  for (size_t done = 0; st.ok() && done < bytes;) {
    const size_t n = std::min<size_t>(chunk, bytes - done);
    std::memcpy(staging.mapped, static_cast<const uint8_t*>(src) + done, n);
    st = flush(staging);
    if (!st.ok()) break;
    VkCommandBufferBeginInfo bi{};
    bi.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    vkResetCommandBuffer(cb, 0);
    const VkResult begin = vkBeginCommandBuffer(cb, &bi);
    if (begin != VK_SUCCESS) {
      st = vk_error("vkBeginCommandBuffer", begin);
      break;
    }
    VkBufferCopy copy{0, offset + done, n};
    vkCmdCopyBuffer(cb, staging.buffers[0], dst, 1, &copy);
    // The copy's writes become visible to every later shader read.
    VkMemoryBarrier mb{};
    mb.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    mb.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    mb.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
    vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0,
                         1, &mb, 0, nullptr, 0, nullptr);
    const VkResult r = vkEndCommandBuffer(cb);
    st = r == VK_SUCCESS ? submit(cb) : vk_error("vkEndCommandBuffer", r);
    done += n;
  }
  if (cb != VK_NULL_HANDLE) free_command_buffer(cb);
  destroy_arena(&staging);
  return st;
}

Status Device::pipeline(const char* shader, uint32_t n_bindings, uint32_t push_bytes,
                        const Pipeline** out) {
  auto it = pipelines_.find(shader);
  if (it != pipelines_.end()) {
    *out = it->second.get();
    return Status::Ok();
  }
  const ShaderBlob* blob = find_shader(shader);
  if (!blob) return Errorf(StatusCode::kInternal, "vulkan: no embedded shader named %s", shader);
  auto p = std::make_unique<Pipeline>();
  p->n_bindings = n_bindings;
  p->push_bytes = push_bytes;
  std::vector<VkDescriptorSetLayoutBinding> binds(n_bindings);
  for (uint32_t i = 0; i < n_bindings; ++i) {
    binds[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  }
  VkDescriptorSetLayoutCreateInfo dl{};
  dl.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
  dl.bindingCount = n_bindings;
  dl.pBindings = binds.data();
  EDGELLM_VK(vkCreateDescriptorSetLayout(device_, &dl, nullptr, &p->set_layout));
  VkPushConstantRange pr{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes};
  VkPipelineLayoutCreateInfo pl{};
  pl.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
  pl.setLayoutCount = 1;
  pl.pSetLayouts = &p->set_layout;
  pl.pushConstantRangeCount = push_bytes ? 1 : 0;
  pl.pPushConstantRanges = &pr;
  EDGELLM_VK(vkCreatePipelineLayout(device_, &pl, nullptr, &p->layout));
  std::vector<uint32_t> code(blob->size / 4);
  std::memcpy(code.data(), blob->code, blob->size);
  VkShaderModuleCreateInfo sm{};
  sm.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
  sm.codeSize = blob->size;
  sm.pCode = code.data();
  VkShaderModule module = VK_NULL_HANDLE;
  EDGELLM_VK(vkCreateShaderModule(device_, &sm, nullptr, &module));
  const VkSpecializationMapEntry entry{0, 0, sizeof(uint32_t)};
  VkSpecializationInfo spec{1, &entry, sizeof(uint32_t), &wg_};
  VkComputePipelineCreateInfo cp{};
  cp.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
  cp.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  cp.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  cp.stage.module = module;
  cp.stage.pName = "main";
  cp.stage.pSpecializationInfo = &spec;
  cp.layout = p->layout;
  const VkResult r = vkCreateComputePipelines(device_, cache_, 1, &cp, nullptr, &p->pipeline);
  vkDestroyShaderModule(device_, module, nullptr);
  if (r != VK_SUCCESS) return vk_error(shader, r);
  *out = p.get();
  pipelines_.emplace(shader, std::move(p));
  return Status::Ok();
}

Status Device::allocate_command_buffer(VkCommandBuffer* out) {
  VkCommandBufferAllocateInfo ai{};
  ai.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
  ai.commandPool = cmd_pool_;
  ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  ai.commandBufferCount = 1;
  EDGELLM_VK(vkAllocateCommandBuffers(device_, &ai, out));
  return Status::Ok();
}

void Device::free_command_buffer(VkCommandBuffer cb) {
  vkFreeCommandBuffers(device_, cmd_pool_, 1, &cb);
}

Status Device::submit(VkCommandBuffer cb) {
  VkSubmitInfo si{};
  si.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cb;
  EDGELLM_VK(vkQueueSubmit(queue_, 1, &si, fence_));
  const VkResult r = vkWaitForFences(device_, 1, &fence_, VK_TRUE, UINT64_MAX);
  vkResetFences(device_, 1, &fence_);
  if (r != VK_SUCCESS) return vk_error("vkWaitForFences", r);
  return Status::Ok();
}

}  // namespace edgellm::vulkan

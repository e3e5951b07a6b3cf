// The concrete GpuModel: the device and every weight tensor uploaded to it,
// looked up by the tensor's host address (a tied output shares the
// embedding's upload).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/model/weights.h"
#include "runtime/vulkan/backend.h"
#include "runtime/vulkan/device.h"
#include "runtime/vulkan/ops.h"

namespace edgellm::vulkan {

class DeviceModel final : public GpuModel {
 public:
  ~DeviceModel() override;
  const std::string& device_name() const override { return device->info().name; }
  size_t weight_bytes() const override { return bytes; }
  // The uploaded tensor of a present weight (null for an absent one).
  const GpuTensor* find(const Weight& w) const;

  std::shared_ptr<Device> device;
  std::vector<MemoryArena> arenas;
  std::map<const uint8_t*, GpuTensor> tensors;
  size_t bytes = 0;
};

}  // namespace edgellm::vulkan

// The Vulkan backend in a build without Vulkan (cmake/shaders.cmake links
// this file instead of the others when libvulkan-dev or glslang-tools is
// missing, or with -DEDGELLM_VULKAN=OFF): every request fails clearly.
#include "runtime/vulkan/backend.h"

namespace edgellm::vulkan {
namespace {
Status absent() {
  return Errorf(StatusCode::kUnsupported,
                "vulkan: this build of edgellm has no Vulkan backend (configure with "
                "libvulkan-dev and glslang-tools installed)");
}
}  // namespace

bool built() { return false; }
Status list_devices(std::vector<DeviceInfo>* out) {
  out->clear();
  return Status::Ok();
}
Status offload_model(const Model&, const DeviceRequest&, std::unique_ptr<GpuModel>*) { return absent(); }
Status plan_session(const Model&, const SessionShape&, SessionPlan*) { return absent(); }
Status create_session(const Model&, const SessionShape&, std::unique_ptr<GpuSession>*) {
  return absent();
}

}  // namespace edgellm::vulkan

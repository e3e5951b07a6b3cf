// C API: synthetic model files.
#include "edgellm.h"
#include "runtime/api/error.h"
#include "runtime/synth/synth.h"

using edgellm::api::fail;
using edgellm::api::guarded;

extern "C" edgellm_status edgellm_synthesize_model(const char* preset, const char* type,
                                                   uint64_t seed, const char* path) {
  return guarded([&]() -> edgellm_status {
    if (!preset || !type || !path) {
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "synthesize_model: preset, type and path must not be NULL");
    }
    edgellm::Status st = edgellm::synthesize_model(preset, type, seed, path);
    return st.ok() ? EDGELLM_OK : fail(st);
  });
}

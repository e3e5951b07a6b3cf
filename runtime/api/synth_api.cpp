// C API: synthetic model files and the quantizer.
#include "edgellm.h"
#include "runtime/api/error.h"
#include "runtime/quantize/quantize.h"
#include "runtime/synth/synth.h"

using edgellm::api::fail;
using edgellm::api::guarded;

extern "C" edgellm_status edgellm_synthesize_model_ex(const char* preset, const char* type,
                                                      uint64_t seed, const char* path,
                                                      edgellm_progress_fn progress, void* user) {
  return guarded([&]() -> edgellm_status {
    if (!preset || !type || !path) {
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "synthesize_model: preset, type and path must not be NULL");
    }
    edgellm::SynthProgress cb;
    if (progress) {
      cb = [progress, user](uint64_t done, uint64_t total, const std::string& what) {
        progress(done, total, what.c_str(), user);
      };
    }
    edgellm::Status st = edgellm::synthesize_model(preset, type, seed, path, cb);
    return st.ok() ? EDGELLM_OK : fail(st);
  });
}

extern "C" edgellm_status edgellm_synthesize_model(const char* preset, const char* type,
                                                   uint64_t seed, const char* path) {
  return edgellm_synthesize_model_ex(preset, type, seed, path, nullptr, nullptr);
}

extern "C" edgellm_status edgellm_quantize_model(const char* in_path, const char* out_path,
                                                 const char* type, int32_t n_threads,
                                                 edgellm_progress_fn progress, void* user) {
  return guarded([&]() -> edgellm_status {
    if (!in_path || !out_path || !type) {
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "quantize_model: paths and type must not be NULL");
    }
    edgellm::quant::Progress cb;
    if (progress) {
      cb = [progress, user](uint64_t done, uint64_t total, const std::string& what) {
        progress(done, total, what.c_str(), user);
      };
    }
    edgellm::Status st = edgellm::quant::quantize_file(in_path, out_path, type, n_threads, cb, nullptr);
    return st.ok() ? EDGELLM_OK : fail(st);
  });
}

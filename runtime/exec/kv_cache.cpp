#include "runtime/exec/kv_cache.h"

namespace edgellm {

const char* kv_type_name(KvType t) {
  switch (t) {
    case KvType::kF16: return "f16";
    case KvType::kF32: return "f32";
    case KvType::kQ8_0: return "q8_0";
  }
  return "?";
}

DType kv_dtype(KvType t) {
  switch (t) {
    case KvType::kF16: return DType::F16;
    case KvType::kF32: return DType::F32;
    case KvType::kQ8_0: return DType::Q8_0;
  }
  return DType::F16;
}

bool kv_cache_bytes(KvType type, int32_t n_layer, int32_t n_ctx, int32_t kv_dim, int32_t v_dim,
                    int32_t head_dim, size_t* k_bytes, size_t* v_bytes) {
  const DType dt = kv_dtype(type);
  size_t head = 0, k_row = 0, v_row = 0;
  if (!dtype_row_bytes(dt, head_dim, &head) || !dtype_row_bytes(dt, kv_dim, &k_row) ||
      !dtype_row_bytes(dt, v_dim, &v_row)) {
    return false;
  }
  const size_t cells = static_cast<size_t>(n_layer) * static_cast<size_t>(n_ctx);
  *k_bytes = cells * k_row;
  *v_bytes = cells * v_row;
  return true;
}

}  // namespace edgellm

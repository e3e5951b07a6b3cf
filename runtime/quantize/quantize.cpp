#include "runtime/quantize/quantize.h"

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstring>
#include <memory>
#include <thread>

#include "kernels/kernels.h"
#include "runtime/gguf/gguf.h"

namespace edgellm::quant {
namespace {

// llama_ftype numbers (general.file_type).
constexpr Target kTargets[] = {
    {"f32", DType::F32, 0, Mix::kPlain},      {"f16", DType::F16, 1, Mix::kPlain},
    {"bf16", DType::BF16, 32, Mix::kPlain},   {"q8_0", DType::Q8_0, 7, Mix::kLlama},
    {"q4_0", DType::Q4_0, 2, Mix::kLlama},    {"q4_1", DType::Q4_1, 3, Mix::kLlama},
    {"q5_0", DType::Q5_0, 8, Mix::kLlama},    {"q5_1", DType::Q5_1, 9, Mix::kLlama},
    {"q2_k", DType::Q2_K, 10, Mix::kLlama},   {"q3_k", DType::Q3_K, 11, Mix::kPlain},
    {"q3_k_m", DType::Q3_K, 12, Mix::kLlama}, {"q4_k", DType::Q4_K, 14, Mix::kPlain},
    {"q4_k_m", DType::Q4_K, 15, Mix::kLlama}, {"q5_k", DType::Q5_K, 16, Mix::kPlain},
    {"q5_k_m", DType::Q5_K, 17, Mix::kLlama}, {"q6_k", DType::Q6_K, 18, Mix::kLlama},
};
constexpr uint32_t kFtypeQ2_K = 10, kFtypeQ3_K_M = 12, kFtypeQ4_K_M = 15, kFtypeQ5_K_M = 17;

bool contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// llama.cpp's use_more_bits: the first and last eighth of the layers and
// every third layer in between get more bits.
bool use_more_bits(int i_layer, int n_layers) {
  return i_layer < n_layers / 8 || i_layer >= 7 * n_layers / 8 ||
         (i_layer - n_layers / 8) % 3 == 2;
}

bool is_k_type(DType t) {
  return t == DType::Q2_K || t == DType::Q3_K || t == DType::Q4_K || t == DType::Q5_K ||
         t == DType::Q6_K;
}

// Row lengths that do not fit the chosen type fall back as in llama.cpp
// (Q2_K/Q3_K go to Q4_0 here, where llama.cpp uses IQ4_NL, which edgellm
// does not implement), then to F16.
DType fit_row(DType t, int64_t ne0) {
  if (is_k_type(t) && ne0 % 256 != 0) {
    switch (t) {
      case DType::Q4_K: t = DType::Q5_0; break;
      case DType::Q5_K: t = DType::Q5_1; break;
      case DType::Q6_K: t = DType::Q8_0; break;
      default: t = DType::Q4_0; break;
    }
  }
  if (ne0 % dtype_info(t)->block_size != 0) t = DType::F16;
  return t;
}

// Re-encodes a parsed metadata value as its GGUF payload (without key/type).
void encode_value(const gguf::Value& v, gguf::ValueType type, std::vector<uint8_t>* out) {
  auto put = [out](const void* p, size_t n) {
    const size_t old = out->size();
    out->resize(old + n);
    std::memcpy(out->data() + old, p, n);
  };
  using VT = gguf::ValueType;
  switch (type) {
    case VT::U8: case VT::BOOL: { const uint8_t x = static_cast<uint8_t>(v.u64); put(&x, 1); break; }
    case VT::I8: { const int8_t x = static_cast<int8_t>(v.i64); put(&x, 1); break; }
    case VT::U16: { const uint16_t x = static_cast<uint16_t>(v.u64); put(&x, 2); break; }
    case VT::I16: { const int16_t x = static_cast<int16_t>(v.i64); put(&x, 2); break; }
    case VT::U32: { const uint32_t x = static_cast<uint32_t>(v.u64); put(&x, 4); break; }
    case VT::I32: { const int32_t x = static_cast<int32_t>(v.i64); put(&x, 4); break; }
    case VT::U64: { const uint64_t x = v.u64; put(&x, 8); break; }
    case VT::I64: { const int64_t x = v.i64; put(&x, 8); break; }
    case VT::F32: { const float x = static_cast<float>(v.f64); put(&x, 4); break; }
    case VT::F64: { const double x = v.f64; put(&x, 8); break; }
    case VT::STRING: {
      const uint64_t n = v.str.size();
      put(&n, 8);
      put(v.str.data(), v.str.size());
      break;
    }
    case VT::ARRAY: {
      const uint32_t et = static_cast<uint32_t>(v.array_type);
      const uint64_t n = v.array.size();
      put(&et, 4);
      put(&n, 8);
      for (const gguf::Value& e : v.array) encode_value(e, v.array_type, out);
      break;
    }
  }
}

}  // namespace

Status add_lazy(gguf::Writer& w, std::deque<Fill>* fills, const std::string& name, DType type,
                const std::vector<int64_t>& ne, Fill fill) {
  fills->push_back(std::move(fill));
  return w.add_tensor_lazy(
      name, type, ne,
      [](void* ctx, uint8_t* dst, size_t n) { return (*static_cast<Fill*>(ctx))(dst, n); },
      &fills->back());
}

Status parse_target(const std::string& name, Target* out) {
  std::string lower = name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const Target& t : kTargets) {
    if (lower == t.name) {
      *out = t;
      return Status::Ok();
    }
  }
  return Errorf(StatusCode::kInvalidArgument, "unknown type '%s' (supported: %s)", name.c_str(),
                target_names());
}

const char* target_names() {
  return "f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q2_k, q3_k, q3_k_m, q4_k, q4_k_m, q5_k, "
         "q5_k_m, q6_k";
}

bool is_quantizable(const std::string& name, int n_dims) {
  if (!ends_with(name, "weight") || n_dims < 2) return false;
  for (const char* skip : {"_norm.weight", "ffn_gate_inp.weight", "ssm_conv1d.weight",
                           "shortconv.conv.weight", "attn_rel_b.weight"}) {
    if (contains(name, skip)) return false;
  }
  return name != "position_embd.weight" && name != "token_types.weight";
}

TypeChooser::TypeChooser(const Target& target, const std::vector<std::string>& names, int n_gqa)
    : target_(target), n_gqa_(n_gqa) {
  for (const std::string& n : names) {
    if (n == "output.weight") has_output_ = true;
    if (contains(n, "attn_v.weight") || contains(n, "attn_qkv.weight")) ++n_attn_v_;
    if (contains(n, "ffn_down")) ++n_ffn_down_;
  }
}

DType TypeChooser::choose(const std::string& name, int n_dims, const int64_t* ne, DType src_type) {
  if (!is_quantizable(name, n_dims)) return src_type;
  DType t = target_.base;
  if (target_.mix == Mix::kLlama) {
    const uint32_t ft = target_.file_type;
    if (name == "output.weight" || (!has_output_ && name == "token_embd.weight")) {
      if (ne[0] % 256 != 0) t = DType::Q8_0;
      else if (t != DType::Q8_0) t = DType::Q6_K;
    } else if (contains(name, "attn_v.weight")) {
      if (ft == kFtypeQ2_K) t = n_gqa_ >= 4 ? DType::Q4_K : DType::Q3_K;
      else if (ft == kFtypeQ3_K_M) t = i_attn_v_ < 2 ? DType::Q5_K : DType::Q4_K;
      else if ((ft == kFtypeQ4_K_M || ft == kFtypeQ5_K_M) && use_more_bits(i_attn_v_, n_attn_v_))
        t = DType::Q6_K;
      ++i_attn_v_;
    } else if (contains(name, "attn_qkv.weight")) {
      if (ft == kFtypeQ3_K_M) t = DType::Q4_K;
      else if (ft == kFtypeQ4_K_M) t = DType::Q5_K;
      else if (ft == kFtypeQ5_K_M) t = DType::Q6_K;
      ++i_attn_v_;
    } else if (contains(name, "ffn_down")) {
      const int i = i_ffn_down_, n = n_ffn_down_;
      if (ft == kFtypeQ2_K) t = DType::Q3_K;
      else if (ft == kFtypeQ3_K_M) t = i < n / 16 ? DType::Q5_K : DType::Q4_K;
      else if ((ft == kFtypeQ4_K_M || ft == kFtypeQ5_K_M) && use_more_bits(i, n)) t = DType::Q6_K;
      ++i_ffn_down_;
    } else if (contains(name, "attn_output.weight")) {
      if (ft == kFtypeQ2_K) t = DType::Q3_K;
      else if (ft == kFtypeQ3_K_M) t = DType::Q4_K;
    }
  }
  return fit_row(t, ne[0]);
}

void parallel_rows(int64_t nrows, int n_threads, const std::function<void(int64_t, int64_t)>& fn) {
  if (n_threads <= 0) n_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  n_threads = static_cast<int>(std::min<int64_t>(n_threads, nrows));
  if (n_threads <= 1) {
    fn(0, nrows);
    return;
  }
  std::vector<std::thread> workers;
  const int64_t chunk = (nrows + n_threads - 1) / n_threads;
  int64_t next = chunk;  // this thread takes [0, chunk)
  try {
    for (; next < nrows; next += chunk) {
      const int64_t b = next, e = std::min(nrows, next + chunk);
      workers.emplace_back([&fn, b, e] { fn(b, e); });
    }
  } catch (...) {
    // Could not start a thread: do the remaining rows here.
    fn(next, nrows);
  }
  fn(0, std::min(nrows, chunk));
  for (std::thread& t : workers) t.join();
}

Status quantize_rows(DType type, const float* src, int64_t ne0, int64_t nrows, void* dst,
                     int n_threads) {
  const kernels::TypeTraits* tt = kernels::ref_traits(type);
  size_t row_bytes = 0;
  if (!tt || !tt->from_float || !dtype_row_bytes(type, ne0, &row_bytes)) {
    return Errorf(StatusCode::kUnsupported, "cannot quantize rows of %" PRId64 " to %s", ne0,
                  dtype_name(type));
  }
  uint8_t* out = static_cast<uint8_t*>(dst);
  parallel_rows(nrows, n_threads, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) tt->from_float(src + r * ne0, out + r * row_bytes, ne0);
  });
  return Status::Ok();
}

Status rows_to_float(DType type, const void* src, int64_t n, float* dst) {
  if (type != DType::F32 && type != DType::F16 && type != DType::BF16) {
    return Errorf(StatusCode::kUnsupported,
                  "source tensors must be F32, F16 or BF16 to quantize (found %s; requantizing "
                  "is not supported)", dtype_name(type));
  }
  kernels::ref_traits(type)->to_float(src, dst, n);
  return Status::Ok();
}

Status quantize_file(const std::string& in_path, const std::string& out_path,
                     const std::string& target_name, int n_threads, const Progress& progress,
                     FileStats* stats) {
  Target target{};
  EDGELLM_TRY(parse_target(target_name, &target));
  std::unique_ptr<gguf::File> in;
  EDGELLM_TRY(gguf::File::open(in_path, &in));
  if (in_path == out_path) {
    return Errorf(StatusCode::kInvalidArgument, "quantize: output must differ from input");
  }
  FileStats st;
  st.bytes_in = in->file_size();

  std::string arch = "llama";
  if (in->find("general.architecture")) EDGELLM_TRY(in->get_string("general.architecture", &arch));
  int n_gqa = 1;
  {
    uint32_t nh = 0, nkv = 0;
    const gguf::Value* h = in->find(arch + ".attention.head_count");
    const gguf::Value* kv = in->find(arch + ".attention.head_count_kv");
    if (h && h->is_integer()) nh = static_cast<uint32_t>(h->u64);
    if (kv && kv->is_integer()) nkv = static_cast<uint32_t>(kv->u64);
    if (nh > 0 && nkv > 0) n_gqa = static_cast<int>(nh / nkv);
  }

  gguf::Writer w(in->alignment());
  for (const auto& [key, value] : in->metadata()) {
    if (key == "general.alignment" || key == "general.file_type" ||
        key == "general.quantization_version") {
      continue;
    }
    std::vector<uint8_t> payload;
    encode_value(value, value.type, &payload);
    w.add_raw(key, value.type, payload);
  }
  w.add_u32("general.quantization_version", 2);
  w.add_u32("general.file_type", target.file_type);

  std::vector<std::string> names;
  for (const gguf::TensorInfo& t : in->tensors()) names.push_back(t.name);
  TypeChooser chooser(target, names, n_gqa);
  std::deque<Fill> fills;
  for (const gguf::TensorInfo& ti : in->tensors()) {
    const DType to = chooser.choose(ti.name, static_cast<int>(ti.n_dims), ti.ne, ti.type);
    std::vector<int64_t> ne(ti.ne, ti.ne + ti.n_dims);
    ++st.n_tensors;
    const gguf::TensorInfo* src = &ti;
    if (to == ti.type) {
      EDGELLM_TRY(add_lazy(w, &fills, ti.name, to, ne, [src](uint8_t* dst, size_t n) {
        std::memcpy(dst, src->data, n);
        return Status::Ok();
      }));
      continue;
    }
    ++st.n_quantized;
    EDGELLM_TRY(add_lazy(w, &fills, ti.name, to, ne, [src, to, n_threads](uint8_t* dst, size_t) {
      // Converts a slab of rows at a time so the float copy stays small.
      const int64_t ne0 = src->ne[0], nrows = src->n_rows();
      size_t in_row = 0, out_row = 0;
      if (!dtype_row_bytes(src->type, ne0, &in_row) || !dtype_row_bytes(to, ne0, &out_row)) {
        return Errorf(StatusCode::kInternal, "quantize: bad row size for '%s'", src->name.c_str());
      }
      const int64_t slab = std::max<int64_t>(1, (int64_t{16} << 20) / ne0);
      std::vector<float> f(static_cast<size_t>(std::min(slab, nrows) * ne0));
      for (int64_t r = 0; r < nrows; r += slab) {
        const int64_t n = std::min(slab, nrows - r);
        EDGELLM_TRY(rows_to_float(src->type, src->data + r * in_row, n * ne0, f.data()));
        EDGELLM_TRY(quantize_rows(to, f.data(), ne0, n, dst + r * out_row, n_threads));
      }
      return Status::Ok();
    }));
  }
  if (progress) {
    w.set_progress(
        [](void* ctx, uint64_t done, uint64_t total, const char* name) {
          (*static_cast<decltype(&progress)>(ctx))(done, total, name);
        },
        const_cast<void*>(static_cast<const void*>(&progress)));
  }
  EDGELLM_TRY(w.write(out_path));
  std::unique_ptr<gguf::File> check;
  EDGELLM_TRY(gguf::File::open(out_path, &check));
  st.bytes_out = check->file_size();
  if (stats) *stats = st;
  return Status::Ok();
}

}  // namespace edgellm::quant

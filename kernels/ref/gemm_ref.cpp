#include "kernels/ref/gemm_ref.h"

#include "kernels/ref/matmul.h"
#include "kernels/ref/ref_kernels.h"

namespace edgellm::kernels {
namespace {

template <DType T>
void gemm_ref(const GemmArgs& a) {
  matmul_ref(*ref_traits(T), a.w, a.row_end, a.k, a.x, a.x_row_bytes, a.n_tokens, a.y,
             a.y_stride, a.row_begin, a.row_end);
}

using namespace ref;

constexpr MatmulKernel kRef[] = {
    {DType::F32, Isa::Ref, "f32.f32 ref vec_dot", DType::F32, f32_from_float, gemm_ref<DType::F32>},
    {DType::F16, Isa::Ref, "f16.f16 ref vec_dot", DType::F16, f16_from_float, gemm_ref<DType::F16>},
    {DType::BF16, Isa::Ref, "bf16.bf16 ref vec_dot", DType::BF16, bf16_from_float,
     gemm_ref<DType::BF16>},
    {DType::Q4_0, Isa::Ref, "q4_0.q8_0 ref vec_dot", DType::Q8_0, q8_0_from_float,
     gemm_ref<DType::Q4_0>},
    {DType::Q4_1, Isa::Ref, "q4_1.q8_1 ref vec_dot", DType::Q8_1, q8_1_from_float,
     gemm_ref<DType::Q4_1>},
    {DType::Q5_0, Isa::Ref, "q5_0.q8_0 ref vec_dot", DType::Q8_0, q8_0_from_float,
     gemm_ref<DType::Q5_0>},
    {DType::Q5_1, Isa::Ref, "q5_1.q8_1 ref vec_dot", DType::Q8_1, q8_1_from_float,
     gemm_ref<DType::Q5_1>},
    {DType::Q8_0, Isa::Ref, "q8_0.q8_0 ref vec_dot", DType::Q8_0, q8_0_from_float,
     gemm_ref<DType::Q8_0>},
    {DType::Q2_K, Isa::Ref, "q2_K.q8_K ref vec_dot", DType::Q8_K, q8_K_from_float,
     gemm_ref<DType::Q2_K>},
    {DType::Q3_K, Isa::Ref, "q3_K.q8_K ref vec_dot", DType::Q8_K, q8_K_from_float,
     gemm_ref<DType::Q3_K>},
    {DType::Q4_K, Isa::Ref, "q4_K.q8_K ref vec_dot", DType::Q8_K, q8_K_from_float,
     gemm_ref<DType::Q4_K>},
    {DType::Q5_K, Isa::Ref, "q5_K.q8_K ref vec_dot", DType::Q8_K, q8_K_from_float,
     gemm_ref<DType::Q5_K>},
    {DType::Q6_K, Isa::Ref, "q6_K.q8_K ref vec_dot", DType::Q8_K, q8_K_from_float,
     gemm_ref<DType::Q6_K>},
};

}  // namespace

const MatmulKernel* ref_matmul_kernel(DType t) {
  for (const MatmulKernel& k : kRef) {
    if (k.type == t) return &k;
  }
  return nullptr;
}

}  // namespace edgellm::kernels

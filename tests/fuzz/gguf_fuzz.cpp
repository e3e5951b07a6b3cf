// libFuzzer target for the GGUF parser: any byte string must either parse or
// yield a Status, never read outside the input or crash. On success every
// value and tensor byte is touched so ASan checks the pointers handed out.
//
// Seeds: write a few valid files (e.g. with gguf::Writer, or copies of the
// shared fixture models) into a scratch directory and pass it as the corpus.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "runtime/gguf/gguf.h"

namespace {

uint64_t touch_value(const edgellm::gguf::Value& v) {
  uint64_t h = v.u64 + static_cast<uint64_t>(v.i64) + v.str.size();
  if (!v.str.empty()) h += static_cast<uint8_t>(v.str.front()) + static_cast<uint8_t>(v.str.back());
  for (const edgellm::gguf::Value& e : v.array) h += touch_value(e);
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::unique_ptr<edgellm::gguf::File> f;
  edgellm::Status s = edgellm::gguf::File::parse_memory(data, size, "fuzz.gguf", &f);
  if (!s.ok()) return 0;
  volatile uint64_t sink = 0;
  for (const auto& kv : f->metadata()) sink = sink + touch_value(kv.second);
  for (const edgellm::gguf::TensorInfo& t : f->tensors()) {
    if (t.n_bytes > 0) sink = sink + t.data[0] + t.data[t.n_bytes - 1];
    if (f->tensor(t.name) == nullptr) __builtin_trap();  // index must agree with the table
  }
  uint32_t u32 = 0;
  std::string str;
  (void)f->get_u32("general.alignment", &u32);
  (void)f->get_string("general.architecture", &str);
  return 0;
}

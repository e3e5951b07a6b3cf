// GGUF reader on hand-built malformed files (each must give the right
// StatusCode and a message naming the file and the problem), and truncation
// and bit-flip sweeps.

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "runtime/gguf/gguf.h"
#include "tests/unit/gguf_test_util.h"
#include "tests/unit/test_util.h"

namespace edgellm::gguf {
namespace {

using namespace testutil;

// ---------------------------------------------------------------------------
// Malformed files

TEST(GgufMalformed, HeaderErrors) {
  expect_error({}, StatusCode::kFormat, "truncated");
  expect_error({'G', 'G'}, StatusCode::kFormat, "truncated");
  expect_error({'G', 'G', 'M', 'L', 3, 0, 0, 0}, StatusCode::kFormat, "bad magic");
  Bytes v1;
  v1.header(0, 0, 1);
  expect_error(v1.b, StatusCode::kUnsupported, "unsupported GGUF version 1");
  Bytes v4;
  v4.header(0, 0, 4);
  expect_error(v4.b, StatusCode::kUnsupported, "version 4");
  Bytes be;
  be.header(0, 0, 0x03000000u);
  expect_error(be.b, StatusCode::kUnsupported, "big-endian");
  Bytes short_counts;
  short_counts.header(0, 0);
  short_counts.b.resize(20);
  expect_error(short_counts.b, StatusCode::kFormat, "truncated file: metadata count");
}

TEST(GgufMalformed, HugeCounts) {
  Bytes t;
  t.header(uint64_t{1} << 60, 0).zeros(64);
  expect_error(t.b, StatusCode::kFormat, "tensor count 1152921504606846976");
  Bytes k;
  k.header(0, ~uint64_t{0}).zeros(64);
  expect_error(k.b, StatusCode::kFormat, "metadata count");
  Bytes a;  // array of 2^60 u64
  a.header(0, 1).str("arr").u32(9).u32(10).u64(uint64_t{1} << 60).zeros(64);
  expect_error(a.b, StatusCode::kFormat, "'arr' array count 1152921504606846976");
  Bytes as;  // array of strings: 2^60 * 8 bytes minimum
  as.header(0, 1).str("arr").u32(9).u32(8).u64(uint64_t{1} << 60).zeros(64);
  expect_error(as.b, StatusCode::kFormat, "array count");
  Bytes aa;  // 9 elements of nested arrays need >= 108 bytes; only 100 left
  aa.header(0, 1).str("arr").u32(9).u32(9).u64(9).zeros(100);
  expect_error(aa.b, StatusCode::kFormat, "array count 9");
}

TEST(GgufMalformed, HugeStringLengths) {
  Bytes key;
  key.header(0, 1).u64(uint64_t{1} << 62).zeros(32);
  expect_error(key.b, StatusCode::kFormat, "metadata key at offset 24 has length 4611686018427387904");
  Bytes val;
  val.header(0, 1).str("k").u32(8).u64(~uint64_t{0}).zeros(16);
  expect_error(val.b, StatusCode::kFormat, "string value at offset");
  Bytes elem;
  elem.header(0, 1).str("k").u32(9).u32(8).u64(1).u64(1000).zeros(16);
  expect_error(elem.b, StatusCode::kFormat, "has length 1000");
  Bytes name;
  name.header(1, 0).u64(uint64_t{1} << 40).zeros(64);
  expect_error(name.b, StatusCode::kFormat, "tensor name at offset 24 has length");
}

TEST(GgufMalformed, NestingDepthLimited) {
  auto nested = [](int depth) {
    Bytes b;
    b.header(0, 1).str("deep").u32(9);
    for (int i = 0; i < depth - 1; ++i) b.u32(9).u64(1);
    b.u32(4).u64(1).u32(42);
    return b.b;
  };
  std::unique_ptr<File> f;
  const auto ok = nested(8);
  Status s = parse(ok, &f);
  ASSERT_TRUE(s.ok()) << s.message();
  expect_error(nested(9), StatusCode::kFormat, "'deep' nests arrays deeper than 8");
  // Far deeper than any stack could take if recursion were unbounded.
  expect_error(nested(100000), StatusCode::kFormat, "nests arrays deeper");
}

TEST(GgufMalformed, InvalidValueTypes) {
  Bytes v;
  v.header(0, 1).str("k").u32(13).u32(0);
  expect_error(v.b, StatusCode::kFormat, "'k' has invalid value type 13");
  Bytes a;
  a.header(0, 1).str("k").u32(9).u32(0xFFFFFFFFu).u64(0);
  expect_error(a.b, StatusCode::kFormat, "'k' has invalid array element type 4294967295");
  Bytes b;
  b.header(0, 1).str("flag").u32(7).u8(2);
  expect_error(b.b, StatusCode::kFormat, "'flag' has bool value 2");
}

TEST(GgufMalformed, DuplicateKeyAndTensor) {
  Writer w;
  w.add_u32("dup", 1);
  w.add_string("dup", "x");
  expect_error(w.to_bytes(), StatusCode::kFormat, "duplicate metadata key 'dup'");

  Bytes t;
  t.header(2, 0).tensor("w", {8}, 0, 0).tensor("w", {8}, 0, 32).pad().zeros(64);
  expect_error(t.b, StatusCode::kFormat, "duplicate tensor name 'w'");
}

TEST(GgufMalformed, BadAlignment) {
  Bytes wrong_type;
  wrong_type.header(0, 1).str("general.alignment").u32(10).u64(64);
  expect_error(wrong_type.b, StatusCode::kFormat, "general.alignment has type UINT64, expected UINT32");
  for (uint32_t a : {0u, 3u, 48u}) {
    Bytes b;
    b.header(0, 1).kv_u32("general.alignment", a);
    expect_error(b.b, StatusCode::kFormat,
                 "general.alignment " + std::to_string(a) + " is not a nonzero power of two");
  }
}

TEST(GgufMalformed, TensorShapeErrors) {
  auto one = [](std::vector<uint64_t> ne, uint32_t type) {
    Bytes b;
    b.header(1, 0).tensor("blk.0.attn_q.weight", ne, type, 0).pad().zeros(256);
    return b.b;
  };
  expect_error(one({}, 0), StatusCode::kFormat, "'blk.0.attn_q.weight' has 0 dimensions (must be 1..4)");
  expect_error(one({1, 1, 1, 1, 1}, 0), StatusCode::kFormat, "has 5 dimensions");
  expect_error(one({8, 0}, 0), StatusCode::kFormat, "dimension 1 is 0");
  expect_error(one({~uint64_t{0}}, 0), StatusCode::kFormat, "dimension 0 is -1");
  expect_error(one({uint64_t{1} << 32, uint64_t{1} << 32}, 0), StatusCode::kFormat,
               "element count overflows");
  expect_error(one({33}, 2), StatusCode::kFormat,
               "row length 33 is not a multiple of the Q4_0 block size 32");
  // Row bytes fit, rows fit, but their product overflows size_t.
  expect_error(one({uint64_t{1} << 40, uint64_t{1} << 22}, 0), StatusCode::kFormat,
               "byte size overflows");
  expect_error(one({32}, 39), StatusCode::kUnsupported, "'blk.0.attn_q.weight' has unknown type id 39");
  expect_error(one({32}, 4), StatusCode::kUnsupported, "unknown type id 4");  // removed Q4_2
}

TEST(GgufMalformed, TensorDataErrors) {
  {
    Bytes b;
    b.header(1, 0).tensor("blk.0.attn_q.weight", {16384}, 0, 1024).pad().zeros(40000);
    const size_t size = b.b.size();
    expect_error(b.b, StatusCode::kFormat,
                 "tensor 'blk.0.attn_q.weight' data [offset 1024, 65536 bytes] extends past end of "
                 "file (" + std::to_string(size) + " bytes)");
  }
  {
    Bytes b;  // offset itself beyond the end; also checks no overflow in offset + size
    b.header(1, 0).tensor("t", {8}, 0, ~uint64_t{0} - 31).pad().zeros(64);
    expect_error(b.b, StatusCode::kFormat, "extends past end of file");
  }
  {
    Bytes b;
    b.header(1, 0).tensor("t", {8}, 0, 16).pad().zeros(64);
    expect_error(b.b, StatusCode::kFormat, "'t' offset 16 is not a multiple of the alignment 32");
  }
  {
    Bytes b;  // 64-aligned file: offset 32 is misaligned there
    b.header(1, 1).kv_u32("general.alignment", 64).tensor("t", {8}, 0, 32).pad(64).zeros(128);
    expect_error(b.b, StatusCode::kFormat, "not a multiple of the alignment 64");
  }
  {
    Bytes b;  // tensor table ends exactly at EOF: no room for padding or data
    b.header(1, 0).tensor("t", {8}, 0, 0);
    expect_error(b.b, StatusCode::kFormat, "starts past end of file");
  }
}

// ---------------------------------------------------------------------------
// Sweeps

std::vector<uint8_t> sample_file() {
  Writer w;
  w.add_string("general.architecture", "llama");
  w.add_u32("llama.block_count", 2);
  w.add_f32("llama.rope.freq_base", 10000.0f);
  w.add_bool("tokenizer.ggml.add_bos_token", true);
  w.add_array_string("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "hello"});
  w.add_array_i32("tokenizer.ggml.token_type", {2, 3, 3, 1});
  Bytes nested;
  nested.u32(9).u64(1).u32(8).u64(1).str("x");
  w.add_raw("test.nested", ValueType::ARRAY, nested.b);
  const auto a = pattern(32 * 4, 1);
  const auto q = pattern(18 * 2, 2);
  EXPECT_TRUE(w.add_tensor("a", DType::F32, {32}, a.data(), a.size()).ok());
  EXPECT_TRUE(w.add_tensor("q", DType::Q4_0, {32, 2}, q.data(), q.size()).ok());
  return w.to_bytes();
}

TEST(GgufSweep, EveryTruncationFailsCleanly) {
  const std::vector<uint8_t> full = sample_file();
  std::unique_ptr<File> f;
  ASSERT_TRUE(parse(full, &f).ok());
  // Bytes after the last tensor's data are padding; cutting those is legal.
  size_t data_end = 0;
  for (const TensorInfo& t : f->tensors()) {
    data_end = std::max(data_end, f->data_offset() + t.offset + t.n_bytes);
  }
  ASSERT_GT(data_end, 0u);
  for (size_t n = 0; n < data_end; ++n) {
    // A fresh heap copy of exactly n bytes so ASan flags any overread.
    std::vector<uint8_t> prefix(full.begin(), full.begin() + n);
    std::unique_ptr<File> g;
    Status s = File::parse_memory(prefix.data(), prefix.size(), kName, &g);
    ASSERT_FALSE(s.ok()) << "prefix " << n << " parsed";
    EXPECT_EQ(s.code(), StatusCode::kFormat) << "prefix " << n << ": " << s.message();
    EXPECT_EQ(s.message().rfind(std::string(kName) + ": ", 0), 0u) << s.message();
  }
}

TEST(GgufSweep, BitFlipsNeverCrash) {
  const std::vector<uint8_t> full = sample_file();
  size_t n_ok = 0, n_fail = 0;
  uint64_t sink = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> m = full;
      m[i] ^= static_cast<uint8_t>(1u << bit);
      std::unique_ptr<File> f;
      Status s = parse(m, &f);
      if (s.ok()) {
        ++n_ok;
        sink += touch_everything(*f);
      } else {
        ++n_fail;
        EXPECT_EQ(s.message().rfind(std::string(kName) + ": ", 0), 0u) << s.message();
        EXPECT_NE(s.code(), StatusCode::kOk);
      }
    }
  }
  EXPECT_GT(n_fail, 0u);
  EXPECT_GT(n_ok, 0u);  // flips inside tensor data and padding are harmless
  (void)sink;
}

}  // namespace
}  // namespace edgellm::gguf

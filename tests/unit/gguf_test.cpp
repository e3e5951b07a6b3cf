// GGUF reader/writer: round trips, hand-built malformed files (each must
// give the right StatusCode and a message naming the file and the problem),
// truncation and bit-flip sweeps, and the shared fixture models.

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
#include "tests/unit/test_util.h"

namespace edgellm::gguf {
namespace {

constexpr const char* kName = "model.gguf";

// Little-endian byte builder for hand-made (often malformed) files.
struct Bytes {
  std::vector<uint8_t> b;
  template <typename T>
  Bytes& put(T v) {
    uint64_t x = 0;
    std::memcpy(&x, &v, sizeof(T));
    for (size_t i = 0; i < sizeof(T); ++i) b.push_back(static_cast<uint8_t>(x >> (8 * i)));
    return *this;
  }
  Bytes& u8(uint8_t v) { return put(v); }
  Bytes& u32(uint32_t v) { return put(v); }
  Bytes& u64(uint64_t v) { return put(v); }
  Bytes& str(const std::string& s) {
    u64(s.size());
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    b.insert(b.end(), {'G', 'G', 'U', 'F'});
    return u32(version).u64(n_tensors).u64(n_kv);
  }
  Bytes& kv_u32(const std::string& key, uint32_t v) { return str(key).u32(4).u32(v); }
  Bytes& tensor(const std::string& name, std::vector<uint64_t> ne, uint32_t type, uint64_t offset) {
    str(name).u32(static_cast<uint32_t>(ne.size()));
    for (uint64_t d : ne) u64(d);
    return u32(type).u64(offset);
  }
  Bytes& pad(size_t align = 32) {
    while (b.size() % align) b.push_back(0);
    return *this;
  }
  Bytes& zeros(size_t n) {
    b.insert(b.end(), n, 0);
    return *this;
  }
};

Status parse(const std::vector<uint8_t>& bytes, std::unique_ptr<File>* f) {
  return File::parse_memory(bytes.data(), bytes.size(), kName, f);
}

// Expects failure with `code`, message starting with the file name and
// containing `phrase`.
void expect_error(const std::vector<uint8_t>& bytes, StatusCode code, const std::string& phrase) {
  std::unique_ptr<File> f;
  Status s = parse(bytes, &f);
  ASSERT_FALSE(s.ok()) << "expected failure containing '" << phrase << "'";
  EXPECT_EQ(s.code(), code) << s.message();
  EXPECT_EQ(s.message().rfind(std::string(kName) + ": ", 0), 0u) << s.message();
  EXPECT_NE(s.message().find(phrase), std::string::npos) << s.message();
  EXPECT_EQ(f, nullptr);
}

// Reads every metadata value and every tensor byte, so ASan sees any
// pointer the parser handed out that is not inside the buffer.
uint64_t touch_everything(const File& f) {
  uint64_t h = 0;
  for (const auto& [k, v] : f.metadata()) {
    h += k.size() + v.str.size() + v.array.size();
    for (char c : v.str) h += static_cast<uint8_t>(c);
  }
  for (const TensorInfo& t : f.tensors()) {
    if (t.n_bytes > 0) h += t.data[0] + t.data[t.n_bytes - 1];
  }
  return h;
}

std::string temp_path(const std::string& leaf) {
  return testing::TempDir() + "gguf_test_" + std::to_string(getpid()) + "_" + leaf;
}

// ---------------------------------------------------------------------------
// Round trips

TEST(GgufWriter, MetadataRoundTripEveryType) {
  Writer w;
  w.add_u8("t.u8", 200);
  w.add_i8("t.i8", -100);
  w.add_u16("t.u16", 60000);
  w.add_i16("t.i16", -30000);
  w.add_u32("t.u32", 4000000000u);
  w.add_i32("t.i32", -2000000000);
  w.add_u64("t.u64", 0xFFFFFFFFFFFFFFFFull);
  w.add_i64("t.i64", INT64_MIN);
  w.add_f32("t.f32", 1.5f);
  w.add_f64("t.f64", -2.25e100);
  w.add_bool("t.true", true);
  w.add_bool("t.false", false);
  w.add_string("t.str", "hello \xe2\x9c\x93");
  w.add_string("t.empty", "");
  w.add_array_string("t.astr", {"a", "", "ccc"});
  w.add_array_f32("t.af32", {0.5f, -1.0f});
  w.add_array_i32("t.ai32", {1, -2, 3});
  w.add_array_i32("t.aempty", {});
  // Nested: array of 2 arrays of u16: [[7, 8], []].
  Bytes nested;
  nested.u32(static_cast<uint32_t>(ValueType::ARRAY)).u64(2);
  nested.u32(static_cast<uint32_t>(ValueType::U16)).u64(2).put<uint16_t>(7).put<uint16_t>(8);
  nested.u32(static_cast<uint32_t>(ValueType::U16)).u64(0);
  w.add_raw("t.nested", ValueType::ARRAY, nested.b);

  const std::vector<uint8_t> bytes = w.to_bytes();
  std::unique_ptr<File> f;
  Status s = parse(bytes, &f);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(f->version(), 3u);
  EXPECT_EQ(f->alignment(), 32u);
  EXPECT_EQ(f->metadata().size(), 19u);
  EXPECT_EQ(f->metadata()[0].first, "t.u8");  // file order kept
  EXPECT_TRUE(f->tensors().empty());

  EXPECT_EQ(f->find("t.u8")->type, ValueType::U8);
  EXPECT_EQ(f->find("t.u8")->u64, 200u);
  EXPECT_EQ(f->find("t.i8")->i64, -100);
  EXPECT_EQ(f->find("t.u16")->u64, 60000u);
  EXPECT_EQ(f->find("t.i16")->i64, -30000);
  EXPECT_EQ(f->find("t.u32")->u64, 4000000000u);
  EXPECT_EQ(f->find("t.i32")->i64, -2000000000);
  EXPECT_EQ(f->find("t.u64")->u64, 0xFFFFFFFFFFFFFFFFull);
  EXPECT_EQ(f->find("t.i64")->i64, INT64_MIN);
  EXPECT_EQ(f->find("t.f32")->type, ValueType::F32);
  EXPECT_EQ(f->find("t.f32")->f64, 1.5);
  EXPECT_EQ(f->find("t.f64")->f64, -2.25e100);
  EXPECT_EQ(f->find("t.str")->str, "hello \xe2\x9c\x93");
  EXPECT_EQ(f->find("t.empty")->str, "");
  for (const char* k : {"t.u8", "t.i8", "t.u16", "t.i16", "t.u32", "t.i32", "t.u64", "t.i64"}) {
    EXPECT_TRUE(f->find(k)->is_integer()) << k;
  }
  EXPECT_FALSE(f->find("t.true")->is_integer());
  EXPECT_TRUE(f->find("t.f64")->is_float());

  bool b = false;
  ASSERT_TRUE(f->get_bool("t.true", &b).ok());
  EXPECT_TRUE(b);
  ASSERT_TRUE(f->get_bool("t.false", &b).ok());
  EXPECT_FALSE(b);

  const Value* astr = f->find("t.astr");
  ASSERT_EQ(astr->type, ValueType::ARRAY);
  EXPECT_EQ(astr->array_type, ValueType::STRING);
  ASSERT_EQ(astr->array.size(), 3u);
  EXPECT_EQ(astr->array[0].str, "a");
  EXPECT_EQ(astr->array[1].str, "");
  EXPECT_EQ(astr->array[2].str, "ccc");
  const Value* af = f->find("t.af32");
  ASSERT_EQ(af->array.size(), 2u);
  EXPECT_EQ(af->array[1].f64, -1.0);
  const Value* ai = f->find("t.ai32");
  ASSERT_EQ(ai->array.size(), 3u);
  EXPECT_EQ(ai->array_type, ValueType::I32);
  EXPECT_EQ(ai->array[1].i64, -2);
  EXPECT_TRUE(f->find("t.aempty")->array.empty());

  const Value* n = f->find("t.nested");
  ASSERT_EQ(n->array_type, ValueType::ARRAY);
  ASSERT_EQ(n->array.size(), 2u);
  ASSERT_EQ(n->array[0].array.size(), 2u);
  EXPECT_EQ(n->array[0].array_type, ValueType::U16);
  EXPECT_EQ(n->array[0].array[1].u64, 8u);
  EXPECT_TRUE(n->array[1].array.empty());

  EXPECT_EQ(f->find("missing"), nullptr);
}

TEST(GgufWriter, ValueTypeNames) {
  EXPECT_STREQ(value_type_name(ValueType::U32), "UINT32");
  EXPECT_STREQ(value_type_name(ValueType::STRING), "STRING");
  EXPECT_STREQ(value_type_name(ValueType::F64), "FLOAT64");
  EXPECT_STREQ(value_type_name(static_cast<ValueType>(99)), "UNKNOWN");
}

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

void check_tensor_table(uint64_t alignment) {
  Writer w(alignment);
  w.add_string("general.architecture", "llama");
  const auto a = pattern(3 * 4, 1);          // F32 [3]
  const auto q = pattern(2 * 18 * 2, 2);     // Q4_0 [64, 2]
  const auto h = pattern(5 * 2 * 3 * 2, 3);  // F16 [5, 2, 3]
  ASSERT_TRUE(w.add_tensor("a", DType::F32, {3}, a.data(), a.size()).ok());
  ASSERT_TRUE(w.add_tensor("q", DType::Q4_0, {64, 2}, q.data(), q.size()).ok());
  ASSERT_TRUE(w.add_tensor("h", DType::F16, {5, 2, 3}, h.data(), h.size()).ok());

  const std::vector<uint8_t> bytes = w.to_bytes();
  std::unique_ptr<File> f;
  Status s = parse(bytes, &f);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(f->alignment(), alignment);
  EXPECT_EQ(f->data_offset() % alignment, 0u);
  EXPECT_EQ(f->metadata().size(), alignment == 32 ? 1u : 2u);
  ASSERT_EQ(f->tensors().size(), 3u);

  const TensorInfo* ta = f->tensor("a");
  const TensorInfo* tq = f->tensor("q");
  const TensorInfo* th = f->tensor("h");
  ASSERT_TRUE(ta && tq && th);
  EXPECT_EQ(f->tensor("nope"), nullptr);
  EXPECT_EQ(&f->tensors()[1], tq);  // file order kept

  EXPECT_EQ(ta->type, DType::F32);
  EXPECT_EQ(ta->n_dims, 1u);
  EXPECT_EQ(ta->ne[0], 3);
  EXPECT_EQ(ta->ne[1], 1);
  EXPECT_EQ(ta->n_bytes, a.size());
  EXPECT_EQ(tq->type, DType::Q4_0);
  EXPECT_EQ(tq->n_dims, 2u);
  EXPECT_EQ(tq->n_elements(), 128);
  EXPECT_EQ(tq->n_rows(), 2);
  EXPECT_EQ(tq->n_bytes, q.size());
  EXPECT_EQ(th->n_dims, 3u);
  EXPECT_EQ(th->ne[2], 3);
  EXPECT_EQ(th->n_bytes, h.size());

  for (const TensorInfo* t : {ta, tq, th}) {
    EXPECT_EQ(t->offset % alignment, 0u) << t->name;
    EXPECT_EQ(t->data, f->bytes() + f->data_offset() + t->offset);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t->data) - reinterpret_cast<uintptr_t>(bytes.data()),
              f->data_offset() + t->offset);
  }
  EXPECT_EQ(std::memcmp(ta->data, a.data(), a.size()), 0);
  EXPECT_EQ(std::memcmp(tq->data, q.data(), q.size()), 0);
  EXPECT_EQ(std::memcmp(th->data, h.data(), h.size()), 0);
  EXPECT_GT(tq->offset, ta->offset);
}

TEST(GgufWriter, TensorTableAlignment32) { check_tensor_table(32); }
TEST(GgufWriter, TensorTableAlignment64) { check_tensor_table(64); }
TEST(GgufWriter, TensorTableAlignment4096) { check_tensor_table(4096); }

TEST(GgufWriter, AddTensorValidates) {
  Writer w;
  std::vector<uint8_t> buf(1024);
  EXPECT_EQ(w.add_tensor("x", DType::F32, {4}, buf.data(), 15).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.add_tensor("x", DType::Q4_0, {33}, buf.data(), 18).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.add_tensor("x", DType::F32, {}, buf.data(), 0).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.add_tensor("x", DType::F32, {1, 1, 1, 1, 1}, buf.data(), 4).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(w.add_tensor("x", DType::F32, {4, 0}, buf.data(), 0).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.add_tensor("x", DType::F32, {4, -1}, buf.data(), 16).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.add_tensor("x", DType::F32, {1, INT64_MAX, 4}, buf.data(), 16).code(),
            StatusCode::kInvalidArgument);
  Status s = w.add_tensor("x", DType::F32, {4, 2}, buf.data(), 32);
  EXPECT_TRUE(s.ok()) << s.message();
  s = w.add_tensor("x", DType::F32, {4}, buf.data(), 16);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("duplicate"), std::string::npos) << s.message();
}

TEST(GgufWriter, BadAlignmentRejected) {
  Writer w(48);
  EXPECT_TRUE(w.to_bytes().empty());
  Status s = w.write(temp_path("bad_align.gguf"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

TEST(GgufFile, OpenMmapAndRead) {
  Writer w(64);
  w.add_u32("llama.block_count", 2);
  const auto d = pattern(256 * 4, 9);
  ASSERT_TRUE(w.add_tensor("w", DType::F32, {256}, d.data(), d.size()).ok());
  const std::string path = temp_path("open.gguf");
  ASSERT_TRUE(w.write(path).ok());

  for (bool mmap : {true, false}) {
    std::unique_ptr<File> f;
    Status s = File::open(path, &f, OpenOptions{mmap});
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(f->is_mmapped(), mmap);
    EXPECT_EQ(f->path(), path);
    EXPECT_EQ(f->alignment(), 64u);
    EXPECT_EQ(f->file_size(), w.to_bytes().size());
    uint32_t n = 0;
    ASSERT_TRUE(f->get_u32("llama.block_count", &n).ok());
    EXPECT_EQ(n, 2u);
    const TensorInfo* t = f->tensor("w");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(std::memcmp(t->data, d.data(), d.size()), 0);
  }
  std::remove(path.c_str());
}

TEST(GgufFile, OpenErrors) {
  std::unique_ptr<File> f;
  const std::string missing = temp_path("does_not_exist.gguf");
  Status s = File::open(missing, &f);
  EXPECT_EQ(s.code(), StatusCode::kIo);
  EXPECT_EQ(s.message().rfind(missing + ": ", 0), 0u) << s.message();
  EXPECT_NE(s.message().find("cannot open"), std::string::npos) << s.message();

  s = File::open(testing::TempDir(), &f);
  EXPECT_EQ(s.code(), StatusCode::kIo) << s.message();
  EXPECT_NE(s.message().find("not a regular file"), std::string::npos) << s.message();

  const std::string empty = temp_path("empty.gguf");
  std::FILE* fp = std::fopen(empty.c_str(), "wb");
  ASSERT_NE(fp, nullptr);
  std::fclose(fp);
  for (bool mmap : {true, false}) {
    s = File::open(empty, &f, OpenOptions{mmap});
    EXPECT_EQ(s.code(), StatusCode::kFormat) << s.message();
    EXPECT_NE(s.message().find("truncated"), std::string::npos) << s.message();
  }
  std::remove(empty.c_str());
  EXPECT_EQ(f, nullptr);
}

// Version 2 has the v3 layout (64-bit counts and lengths).
TEST(GgufFile, ParsesVersion2) {
  Bytes b;
  b.header(1, 2, 2).kv_u32("llama.block_count", 5);
  b.str("general.name").u32(8).str("v2 model");
  b.tensor("t", {8}, /*F32*/ 0, 0).pad().zeros(32);
  std::unique_ptr<File> f;
  Status s = parse(b.b, &f);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(f->version(), 2u);
  std::string name;
  ASSERT_TRUE(f->get_string("general.name", &name).ok());
  EXPECT_EQ(name, "v2 model");
  ASSERT_NE(f->tensor("t"), nullptr);
  EXPECT_EQ(f->tensor("t")->n_bytes, 32u);
}

TEST(GgufFile, TensorlessFileWithoutPadding) {
  Bytes b;
  b.header(0, 1).kv_u32("a", 1);  // 4+4+8+8 + 8+1+4+4 = 41 bytes, not padded
  std::unique_ptr<File> f;
  Status s = parse(b.b, &f);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(f->data_offset(), b.b.size());
}

// ---------------------------------------------------------------------------
// Typed getters

TEST(GgufFile, Getters) {
  Writer w;
  w.add_u8("u8", 7);
  w.add_i32("neg", -1);
  w.add_i64("big_i", int64_t{1} << 40);
  w.add_u64("big_u", uint64_t{1} << 63);
  w.add_u32("u32max", 0xFFFFFFFFu);
  w.add_i8("i8", 100);
  w.add_f64("f64", 0.25);
  w.add_string("s", "text");
  w.add_bool("b", true);
  const std::vector<uint8_t> bytes = w.to_bytes();
  std::unique_ptr<File> f;
  ASSERT_TRUE(parse(bytes, &f).ok());

  uint32_t u32 = 0;
  int32_t i32 = 0;
  uint64_t u64 = 0;
  float f32 = 0;
  std::string str;
  bool b = false;
  EXPECT_TRUE(f->get_u32("u8", &u32).ok());
  EXPECT_EQ(u32, 7u);
  EXPECT_TRUE(f->get_i32("u8", &i32).ok());
  EXPECT_EQ(i32, 7);
  EXPECT_TRUE(f->get_i32("neg", &i32).ok());
  EXPECT_EQ(i32, -1);
  EXPECT_TRUE(f->get_u32("i8", &u32).ok());
  EXPECT_EQ(u32, 100u);
  EXPECT_TRUE(f->get_u64("big_u", &u64).ok());
  EXPECT_EQ(u64, uint64_t{1} << 63);
  EXPECT_TRUE(f->get_u64("big_i", &u64).ok());
  EXPECT_EQ(u64, uint64_t{1} << 40);
  EXPECT_TRUE(f->get_u32("u32max", &u32).ok());
  EXPECT_EQ(u32, 0xFFFFFFFFu);
  EXPECT_TRUE(f->get_f32("f64", &f32).ok());
  EXPECT_EQ(f32, 0.25f);
  EXPECT_TRUE(f->get_string("s", &str).ok());
  EXPECT_EQ(str, "text");
  EXPECT_TRUE(f->get_bool("b", &b).ok());
  EXPECT_TRUE(b);

  auto expect_fail = [&](Status s, const std::vector<std::string>& phrases) {
    EXPECT_EQ(s.code(), StatusCode::kFormat) << s.message();
    EXPECT_EQ(s.message().rfind(std::string(kName) + ": ", 0), 0u) << s.message();
    for (const std::string& p : phrases) EXPECT_NE(s.message().find(p), std::string::npos) << s.message();
  };
  expect_fail(f->get_u32("neg", &u32), {"'neg'", "-1", "UINT32"});
  expect_fail(f->get_u64("neg", &u64), {"'neg'", "UINT64"});
  expect_fail(f->get_u32("big_i", &u32), {"'big_i'", "does not fit"});
  expect_fail(f->get_i32("u32max", &i32), {"'u32max'", "does not fit INT32"});
  expect_fail(f->get_i32("big_u", &i32), {"'big_u'", "does not fit"});
  expect_fail(f->get_u32("s", &u32), {"'s'", "STRING", "integer"});
  expect_fail(f->get_f32("s", &f32), {"'s'", "has type STRING", "FLOAT32"});
  expect_fail(f->get_f32("u8", &f32), {"'u8'", "UINT8"});
  expect_fail(f->get_string("u8", &str), {"'u8'", "has type UINT8", "expected STRING"});
  expect_fail(f->get_bool("u8", &b), {"'u8'", "expected BOOL"});
  expect_fail(f->get_u32("absent.key", &u32), {"'absent.key'", "not found"});
  expect_fail(f->get_string("absent.key", &str), {"'absent.key'", "not found"});
  EXPECT_EQ(u32, 0xFFFFFFFFu);  // untouched on failure
}

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

// ---------------------------------------------------------------------------
// Shared fixture models

std::vector<std::string> list_gguf(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n.size() > 5 && n.compare(n.size() - 5, 5, ".gguf") == 0) out.push_back(n);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(GgufFixtures, ParsesEveryModel) {
  const std::string fx = fixtures_dir();
  if (fx.empty()) {
    std::fprintf(stderr, "\n*** FIXTURES MISSING: skipped (set EDGELLM_FIXTURES) ***\n\n");
    GTEST_SKIP() << "FIXTURES MISSING: skipped";
  }
  // models/manifest.json records each file's size, metadata and tensor
  // table as written by gguf-py: compare all of it.
  std::ifstream in(fx + "/models/manifest.json");
  ASSERT_TRUE(in.good()) << "cannot read manifest.json";
  const nlohmann::json manifest = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(manifest.is_discarded());
  const std::vector<std::string> models = list_gguf(fx + "/models");
  EXPECT_EQ(models.size(), manifest.size());
  for (const std::string& m : models) {
    SCOPED_TRACE(m);
    ASSERT_TRUE(manifest.contains(m));
    const nlohmann::json& want = manifest[m];
    std::unique_ptr<File> f;
    Status s = File::open(fx + "/models/" + m, &f);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(f->file_size(), want["bytes"].get<size_t>());
    EXPECT_EQ(f->metadata().size(), want["metadata"].size());
    for (const auto& [key, jv] : want["metadata"].items()) {
      SCOPED_TRACE(key);
      const Value* v = f->find(key);
      ASSERT_NE(v, nullptr);
      if (jv.is_boolean()) {
        bool b = false;
        ASSERT_TRUE(f->get_bool(key, &b).ok());
        EXPECT_EQ(b, jv.get<bool>());
      } else if (jv.is_number_integer()) {
        ASSERT_TRUE(v->is_integer());
        EXPECT_EQ(v->i64, jv.get<int64_t>());
      } else if (jv.is_number_float()) {
        ASSERT_TRUE(v->is_float());
        EXPECT_EQ(v->f64, jv.get<double>());
      } else if (jv.is_array()) {
        ASSERT_EQ(v->type, ValueType::ARRAY);
        ASSERT_EQ(v->array.size(), jv.size());
        for (size_t i = 0; i < jv.size(); ++i) EXPECT_EQ(v->array[i].i64, jv[i].get<int64_t>());
      } else if (v->type == ValueType::ARRAY) {  // "<array of N TYPE>"
        const std::string summary = "<array of " + std::to_string(v->array.size()) + " ";
        EXPECT_EQ(jv.get<std::string>().rfind(summary, 0), 0u) << jv;
      } else {
        std::string str;
        ASSERT_TRUE(f->get_string(key, &str).ok());
        EXPECT_EQ(str, jv.get<std::string>());
      }
    }
    const nlohmann::json& tensors = want["tensors"];
    ASSERT_EQ(f->tensors().size(), tensors.size());
    for (size_t i = 0; i < tensors.size(); ++i) {
      const TensorInfo& t = f->tensors()[i];
      SCOPED_TRACE(t.name);
      EXPECT_EQ(t.name, tensors[i]["name"].get<std::string>());
      EXPECT_STREQ(dtype_name(t.type), tensors[i]["type"].get<std::string>().c_str());
      const nlohmann::json& shape = tensors[i]["shape"];
      ASSERT_EQ(t.n_dims, shape.size());
      for (uint32_t d = 0; d < t.n_dims; ++d) EXPECT_EQ(t.ne[d], shape[d].get<int64_t>());
      EXPECT_EQ(t.offset % f->alignment(), 0u);
      EXPECT_LE(f->data_offset() + t.offset + t.n_bytes, f->file_size());
    }
  }

  for (bool mmap : {true, false}) {
    std::unique_ptr<File> f;
    const std::string path = fx + "/models/llama-q4_0.gguf";
    Status s = File::open(path, &f, OpenOptions{mmap});
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(f->file_size(), 1054656u);
    EXPECT_EQ(f->tensors().size(), 21u);
    uint32_t blocks = 0;
    ASSERT_TRUE(f->get_u32("llama.block_count", &blocks).ok());
    EXPECT_EQ(blocks, 2u);
    float eps = 0;
    ASSERT_TRUE(f->get_f32("llama.attention.layer_norm_rms_epsilon", &eps).ok());
    EXPECT_FLOAT_EQ(eps, 1e-5f);
    bool add_bos = false;
    ASSERT_TRUE(f->get_bool("tokenizer.ggml.add_bos_token", &add_bos).ok());
    EXPECT_TRUE(add_bos);
    const Value* tokens = f->find("tokenizer.ggml.tokens");
    ASSERT_NE(tokens, nullptr);
    EXPECT_EQ(tokens->array_type, ValueType::STRING);
    EXPECT_EQ(tokens->array.size(), 1024u);
    const TensorInfo* t = f->tensor("token_embd.weight");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->type, DType::Q4_0);
    EXPECT_EQ(t->n_dims, 2u);
    EXPECT_EQ(t->ne[0], 256);
    EXPECT_EQ(t->ne[1], 1024);
    EXPECT_EQ(t->n_bytes, 1024u * 8 * 18);
    const TensorInfo* o = f->tensor("output.weight");
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->type, DType::Q6_K);
  }

  // Vocab-only files: no tensors.
  for (const std::string& v : list_gguf(fx + "/vocab")) {
    SCOPED_TRACE(v);
    std::unique_ptr<File> f;
    Status s = File::open(fx + "/vocab/" + v, &f);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_NE(f->find("tokenizer.ggml.model"), nullptr);
  }
}

}  // namespace
}  // namespace edgellm::gguf

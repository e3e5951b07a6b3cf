// GGUF reader/writer: metadata and tensor-table round trips, mmap and
// version-2 reading, typed getters.

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
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

// A FIFO as the model path is refused at once (open() used to block,
// waiting for a writer that never comes).
TEST(GgufFile, FifoIsRefusedWithoutBlocking) {
  const std::string fifo = temp_path("model.fifo");
  std::remove(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::unique_ptr<File> f;
  Status s = File::open(fifo, &f);
  EXPECT_EQ(s.code(), StatusCode::kIo);
  EXPECT_NE(s.message().find("not a regular file (a FIFO)"), std::string::npos) << s.message();
  std::remove(fifo.c_str());
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Files in the directory of `path` whose names start with "." + its base
// name (the writer's temporaries).
size_t temporaries_beside(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = path.substr(0, slash);
  std::string prefix(1, '.');
  prefix.append(path, slash + 1, std::string::npos);
  prefix.append(".tmp-");
  size_t n = 0;
  if (DIR* d = opendir(dir.c_str())) {
    while (const dirent* e = readdir(d)) n += std::string(e->d_name).rfind(prefix, 0) == 0;
    closedir(d);
  }
  return n;
}

Status failing_fill(void*, uint8_t*, size_t) { return Status(StatusCode::kIo, "disk on fire"); }

// A failed write leaves the existing file as it was and removes only its
// own temporary; a device node is refused before anything is written (the
// writer used to delete the path on failure, /dev/full included).
TEST(GgufWriter, FailedWriteKeepsWhatWasThere) {
  const std::string path = temp_path("keep.gguf");
  {
    std::ofstream out(path, std::ios::binary);
    out << "precious bytes";
  }
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  Writer bad;
  ASSERT_TRUE(bad.add_tensor_lazy("t", DType::F32, {64}, failing_fill, nullptr).ok());
  Status s = bad.write(path);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("disk on fire"), std::string::npos) << s.message();
  EXPECT_EQ(slurp(path), "precious bytes");
  EXPECT_EQ(temporaries_beside(path), 0u);

  // A successful write replaces it, keeping its permissions.
  Writer good;
  good.add_u32("x", 1);
  ASSERT_TRUE(good.write(path).ok());
  EXPECT_EQ(slurp(path).substr(0, 4), "GGUF");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(temporaries_beside(path), 0u);

  // Through a symbolic link: the target is written, the link stays.
  const std::string link = temp_path("keep-link.gguf");
  std::remove(link.c_str());
  ASSERT_EQ(symlink(path.c_str(), link.c_str()), 0);
  good.add_u32("y", 2);
  ASSERT_TRUE(good.write(link).ok());
  struct stat lst;
  ASSERT_EQ(lstat(link.c_str(), &lst), 0);
  EXPECT_TRUE(S_ISLNK(lst.st_mode));
  std::remove(link.c_str());
  std::remove(path.c_str());

  for (const char* dev : {"/dev/full", "/dev/null"}) {
    struct stat before;
    if (stat(dev, &before) != 0) continue;
    s = good.write(dev);
    EXPECT_EQ(s.code(), StatusCode::kIo) << dev;
    EXPECT_NE(s.message().find("not a regular file"), std::string::npos) << s.message();
    struct stat after;
    ASSERT_EQ(stat(dev, &after), 0) << dev << " was removed";
    EXPECT_TRUE(S_ISCHR(after.st_mode));
  }
  s = good.write(testing::TempDir());
  EXPECT_EQ(s.code(), StatusCode::kIo) << s.message();
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

}  // namespace
}  // namespace edgellm::gguf

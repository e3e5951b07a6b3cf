// GGUF reader on every shared fixture model (llama.cpp-written files).

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

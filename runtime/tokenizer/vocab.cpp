// tokenizer.ggml.* metadata -> Vocab, with llama.cpp's defaults for absent keys.
#include <string>

#include "runtime/tokenizer/pretokenize.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgellm {
namespace {

constexpr const char* kModel = "tokenizer.ggml.model";
constexpr const char* kPre = "tokenizer.ggml.pre";
constexpr const char* kTokens = "tokenizer.ggml.tokens";
constexpr const char* kScores = "tokenizer.ggml.scores";
constexpr const char* kTypes = "tokenizer.ggml.token_type";
constexpr const char* kMerges = "tokenizer.ggml.merges";
constexpr const char* kAddBos = "tokenizer.ggml.add_bos_token";
constexpr const char* kAddEos = "tokenizer.ggml.add_eos_token";
constexpr const char* kAddSpacePrefix = "tokenizer.ggml.add_space_prefix";

// Finds an array key; *arr is null when the key is absent.
Status find_array(const gguf::File& file, const char* key, gguf::ValueType elem,
                  const char* elem_name, const gguf::Value** arr) {
  *arr = nullptr;
  const gguf::Value* v = file.find(key);
  if (v == nullptr) return Status::Ok();
  if (v->type != gguf::ValueType::ARRAY) {
    return Errorf(StatusCode::kFormat, "%s: %s is %s, expected an array of %s",
                  file.path().c_str(), key, gguf::value_type_name(v->type), elem_name);
  }
  bool ok = false;
  switch (elem) {
    case gguf::ValueType::STRING: ok = v->array_type == gguf::ValueType::STRING; break;
    case gguf::ValueType::F32:
      ok = v->array_type == gguf::ValueType::F32 || v->array_type == gguf::ValueType::F64;
      break;
    default:  // any integer type
      switch (v->array_type) {
        case gguf::ValueType::U8: case gguf::ValueType::I8: case gguf::ValueType::U16:
        case gguf::ValueType::I16: case gguf::ValueType::U32: case gguf::ValueType::I32:
        case gguf::ValueType::U64: case gguf::ValueType::I64:
          ok = true;
          break;
        default:
          break;
      }
  }
  if (!ok) {
    return Errorf(StatusCode::kFormat, "%s: %s is an array of %s, expected %s",
                  file.path().c_str(), key, gguf::value_type_name(v->array_type), elem_name);
  }
  *arr = v;
  return Status::Ok();
}

Status check_length(const gguf::File& file, const char* key, size_t got, size_t want) {
  if (got == want) return Status::Ok();
  return Errorf(StatusCode::kFormat, "%s: %s has %zu entries but %s has %zu",
                file.path().c_str(), key, got, kTokens, want);
}

Status read_token_id(const gguf::File& file, const char* key, size_t n_tokens, int32_t* id) {
  if (file.find(key) == nullptr) return Status::Ok();
  uint32_t v = 0;
  EDGELLM_TRY(file.get_u32(key, &v));
  if (v >= n_tokens) {
    return Errorf(StatusCode::kFormat, "%s: %s = %u is out of range (%zu tokens)",
                  file.path().c_str(), key, v, n_tokens);
  }
  *id = static_cast<int32_t>(v);
  return Status::Ok();
}

Status read_bool(const gguf::File& file, const char* key, bool* out) {
  if (file.find(key) == nullptr) return Status::Ok();
  return file.get_bool(key, out);
}

}  // namespace

Status vocab_from_gguf(const gguf::File& file, Vocab* out) {
  if (out == nullptr) return Status(StatusCode::kInvalidArgument, "vocab_from_gguf: out is null");
  Vocab v;
  EDGELLM_TRY(file.get_string(kModel, &v.model));
  if (file.find(kPre) != nullptr) EDGELLM_TRY(file.get_string(kPre, &v.pre));

  const gguf::Value* tokens = nullptr;
  EDGELLM_TRY(find_array(file, kTokens, gguf::ValueType::STRING, "string", &tokens));
  if (tokens == nullptr) {
    return Errorf(StatusCode::kFormat, "%s: missing key %s", file.path().c_str(), kTokens);
  }
  const size_t n = tokens->array.size();
  if (n == 0) return Errorf(StatusCode::kFormat, "%s: %s is empty", file.path().c_str(), kTokens);
  if (n > static_cast<size_t>(INT32_MAX)) {
    return Errorf(StatusCode::kFormat, "%s: %s has too many entries", file.path().c_str(), kTokens);
  }
  v.tokens.reserve(n);
  for (const gguf::Value& t : tokens->array) v.tokens.emplace_back(t.str);

  const gguf::Value* scores = nullptr;
  EDGELLM_TRY(find_array(file, kScores, gguf::ValueType::F32, "f32", &scores));
  if (scores != nullptr) {
    EDGELLM_TRY(check_length(file, kScores, scores->array.size(), n));
    v.scores.reserve(n);
    for (const gguf::Value& s : scores->array) v.scores.push_back(static_cast<float>(s.f64));
  }

  const gguf::Value* types = nullptr;
  EDGELLM_TRY(find_array(file, kTypes, gguf::ValueType::I32, "i32", &types));
  if (types != nullptr) {
    EDGELLM_TRY(check_length(file, kTypes, types->array.size(), n));
    v.types.reserve(n);
    for (const gguf::Value& t : types->array) {
      int64_t x = t.i64;
      if (t.type == gguf::ValueType::U64 || t.type == gguf::ValueType::U32) {
        x = t.u64 > 100 ? 100 : static_cast<int64_t>(t.u64);
      }
      // Unknown type codes behave like kUndefined (as in llama.cpp).
      v.types.push_back(x >= 0 && x <= 6 ? static_cast<TokenType>(x) : TokenType::kUndefined);
    }
  } else {
    v.types.assign(n, TokenType::kNormal);
  }

  // A normal token stands for text: an empty one can never be produced
  // from input, so a vocabulary of them would drop input silently.
  for (size_t i = 0; i < n; ++i) {
    if (v.types[i] == TokenType::kNormal && v.tokens[i].empty()) {
      return Errorf(StatusCode::kFormat, "%s: %s[%zu] is an empty normal token (a token needs text)",
                    file.path().c_str(), kTokens, i);
    }
  }

  // llama.cpp's defaults for SentencePiece vocabs.
  if (v.model == "llama") {
    v.add_bos = true;
    v.add_eos = false;
    v.add_space_prefix = true;
    v.unk = n > 0 ? 0 : -1;
    v.bos = n > 1 ? 1 : -1;
    v.eos = n > 2 ? 2 : -1;
  } else if (v.model == "gpt2") {
    // llama.cpp's BPE defaults: BOS = EOS = 11 (when the vocab is that
    // large); some pre-tokenizers (LLaMA 3 family) add BOS by default.
    const PreTokenizerInfo* pre = find_pretokenizer(v.pre);
    v.add_bos = pre != nullptr && pre->add_bos;
    v.add_eos = false;
    v.add_space_prefix = false;
    v.bos = n > 11 ? 11 : -1;
    v.eos = n > 11 ? 11 : -1;
    const gguf::Value* merges = nullptr;
    EDGELLM_TRY(find_array(file, kMerges, gguf::ValueType::STRING, "string", &merges));
    if (merges == nullptr) {
      return Errorf(StatusCode::kFormat, "%s: BPE vocab without %s", file.path().c_str(), kMerges);
    }
    v.merges.reserve(merges->array.size());
    for (const gguf::Value& m : merges->array) v.merges.emplace_back(m.str);
  } else {
    v.add_bos = false;
    v.add_eos = false;
    v.add_space_prefix = false;
  }
  EDGELLM_TRY(read_token_id(file, "tokenizer.ggml.bos_token_id", n, &v.bos));
  EDGELLM_TRY(read_token_id(file, "tokenizer.ggml.eos_token_id", n, &v.eos));
  EDGELLM_TRY(read_token_id(file, "tokenizer.ggml.unknown_token_id", n, &v.unk));
  EDGELLM_TRY(read_token_id(file, "tokenizer.ggml.padding_token_id", n, &v.pad));
  EDGELLM_TRY(read_bool(file, kAddBos, &v.add_bos));
  EDGELLM_TRY(read_bool(file, kAddEos, &v.add_eos));
  EDGELLM_TRY(read_bool(file, kAddSpacePrefix, &v.add_space_prefix));
  if (v.add_bos && v.bos < 0) {
    return Errorf(StatusCode::kFormat, "%s: %s is true but there is no BOS token",
                  file.path().c_str(), kAddBos);
  }
  if (v.add_eos && v.eos < 0) {
    return Errorf(StatusCode::kFormat, "%s: %s is true but there is no EOS token",
                  file.path().c_str(), kAddEos);
  }
  *out = std::move(v);
  return Status::Ok();
}

}  // namespace edgellm

#include "runtime/tokenizer/tokenizer.h"

#include <utility>

#include "runtime/tokenizer/spm_tokenizer.h"

namespace edgellm {
namespace {

// Checks the invariants every tokenizer relies on and fills optional arrays.
Status normalize_vocab(Vocab* v) {
  const size_t n = v->tokens.size();
  if (n == 0) return Status(StatusCode::kInvalidArgument, "vocab: no tokens");
  if (n > static_cast<size_t>(INT32_MAX)) {
    return Status(StatusCode::kInvalidArgument, "vocab: too many tokens");
  }
  if (!v->scores.empty() && v->scores.size() != n) {
    return Errorf(StatusCode::kInvalidArgument, "vocab: %zu scores for %zu tokens",
                  v->scores.size(), n);
  }
  if (v->types.empty()) v->types.assign(n, TokenType::kNormal);
  if (v->types.size() != n) {
    return Errorf(StatusCode::kInvalidArgument, "vocab: %zu token types for %zu tokens",
                  v->types.size(), n);
  }
  const struct { const char* name; int32_t id; } ids[] = {
      {"bos", v->bos}, {"eos", v->eos}, {"unk", v->unk}, {"pad", v->pad}};
  for (const auto& e : ids) {
    if (e.id < -1 || e.id >= static_cast<int32_t>(n)) {
      return Errorf(StatusCode::kInvalidArgument, "vocab: %s token id %d out of range [0, %zu)",
                    e.name, e.id, n);
    }
  }
  if (v->add_bos && v->bos < 0) {
    return Status(StatusCode::kInvalidArgument, "vocab: add_bos is set but there is no BOS token");
  }
  if (v->add_eos && v->eos < 0) {
    return Status(StatusCode::kInvalidArgument, "vocab: add_eos is set but there is no EOS token");
  }
  return Status::Ok();
}

}  // namespace

Status Tokenizer::create(Vocab vocab, std::unique_ptr<Tokenizer>* out) {
  if (out == nullptr) return Status(StatusCode::kInvalidArgument, "Tokenizer::create: out is null");
  out->reset();
  if (vocab.model != "llama") {
    return Errorf(StatusCode::kUnsupported,
                  "tokenizer model '%s' is not supported (supported: llama)",
                  vocab.model.c_str());
  }
  EDGELLM_TRY(normalize_vocab(&vocab));
  *out = std::make_unique<SpmTokenizer>(std::move(vocab));
  return Status::Ok();
}

Status Tokenizer::from_gguf(const gguf::File& file, std::unique_ptr<Tokenizer>* out) {
  Vocab vocab;
  EDGELLM_TRY(vocab_from_gguf(file, &vocab));
  return create(std::move(vocab), out);
}

// Like llama.cpp's detokenize (remove_special = false): pieces concatenated;
// the leading-space strip applies to the first token's piece only.
Status Tokenizer::decode(const std::vector<int32_t>& ids, bool render_special,
                         bool remove_leading_space, std::string* out) const {
  if (out == nullptr) return Status(StatusCode::kInvalidArgument, "decode: out is null");
  out->clear();
  char small[64];
  std::string big;
  for (size_t i = 0; i < ids.size(); ++i) {
    const int32_t id = ids[i];
    if (id < 0 || id >= n_vocab()) {
      return Errorf(StatusCode::kInvalidArgument, "decode: token id %d at position %zu out of range [0, %d)",
                    id, i, n_vocab());
    }
    const char* p = small;
    int32_t n = token_to_piece(id, small, static_cast<int32_t>(sizeof(small)), render_special);
    if (n < 0) {
      big.resize(static_cast<size_t>(-n));
      n = token_to_piece(id, big.data(), static_cast<int32_t>(big.size()), render_special);
      if (n < 0) return Status(StatusCode::kInternal, "decode: piece size changed");
      p = big.data();
    }
    if (i == 0 && remove_leading_space && vocab_.add_space_prefix && n > 0 && p[0] == ' ') {
      ++p;
      --n;
    }
    out->append(p, static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace edgellm

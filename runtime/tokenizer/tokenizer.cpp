#include "runtime/tokenizer/tokenizer.h"

#include <algorithm>
#include <utility>

#include "runtime/tokenizer/bpe_tokenizer.h"
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

// Token texts llama.cpp treats as end of generation. Like llama.cpp, such a
// token is made a control token when the vocab says otherwise, so its text is
// neither matched in unparsed input nor rendered by default.
constexpr const char* kEogTexts[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>",
    "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>",
    "<\xef\xbd\x9c" "end\xe2\x96\x81" "of\xe2\x96\x81" "sentence\xef\xbd\x9c>",  // DeepSeek
};

void find_eog_tokens(Vocab* v) {
  v->eog.clear();
  for (size_t id = 0; id < v->tokens.size(); ++id) {
    for (const char* text : kEogTexts) {
      if (v->tokens[id] == text) {
        v->eog.push_back(static_cast<int32_t>(id));
        if (v->types[id] != TokenType::kControl) v->types[id] = TokenType::kControl;
        break;
      }
    }
  }
  if (v->eos >= 0) v->eog.push_back(v->eos);
  std::sort(v->eog.begin(), v->eog.end());
  v->eog.erase(std::unique(v->eog.begin(), v->eog.end()), v->eog.end());
}

}  // namespace

Status Tokenizer::create(Vocab vocab, std::unique_ptr<Tokenizer>* out) {
  if (out == nullptr) return Status(StatusCode::kInvalidArgument, "Tokenizer::create: out is null");
  out->reset();
  if (vocab.model != "llama" && vocab.model != "gpt2") {
    return Errorf(StatusCode::kUnsupported,
                  "tokenizer model '%s' is not supported (supported: llama, gpt2)",
                  vocab.model.c_str());
  }
  EDGELLM_TRY(normalize_vocab(&vocab));
  find_eog_tokens(&vocab);
  if (vocab.model == "gpt2") return BpeTokenizer::create(std::move(vocab), out);
  *out = std::make_unique<SpmTokenizer>(std::move(vocab));
  return Status::Ok();
}

bool Tokenizer::is_eog(int32_t id) const {
  return id >= 0 && std::binary_search(vocab_.eog.begin(), vocab_.eog.end(), id);
}

void Tokenizer::init_special_tokens() {
  special_tokens_.clear();
  for (int32_t id = 0; id < n_vocab(); ++id) {
    const TokenType t = vocab_.types[id];
    if ((t == TokenType::kControl || t == TokenType::kUserDefined || t == TokenType::kUnknown) &&
        !vocab_.tokens[id].empty()) {
      special_tokens_.push_back(id);
    }
  }
  std::stable_sort(special_tokens_.begin(), special_tokens_.end(), [&](int32_t a, int32_t b) {
    return vocab_.tokens[a].size() > vocab_.tokens[b].size();
  });
}

void Tokenizer::partition(std::string_view text, bool parse_special,
                          std::vector<Fragment>* frags) const {
  frags->clear();
  if (text.empty()) return;
  frags->push_back({-1, 0, text.size()});
  std::vector<Fragment> next;
  for (int32_t id : special_tokens_) {
    const TokenType t = vocab_.types[id];
    if (!parse_special && (t == TokenType::kControl || t == TokenType::kUnknown)) continue;
    const std::string& st = vocab_.tokens[id];
    bool any = false;
    next.clear();
    for (const Fragment& f : *frags) {
      if (f.token >= 0) {
        next.push_back(f);
        continue;
      }
      size_t pos = f.offset;
      const size_t end = f.offset + f.length;
      while (pos < end) {
        const size_t m = text.substr(0, end).find(st, pos);
        if (m == std::string_view::npos) break;
        any = true;
        if (m > pos) next.push_back({-1, pos, m - pos});
        next.push_back({id, 0, 0});
        pos = m + st.size();
      }
      if (pos < end) next.push_back({-1, pos, end - pos});
    }
    if (any) frags->swap(next);
  }
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

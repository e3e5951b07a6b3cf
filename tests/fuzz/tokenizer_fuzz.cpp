// libFuzzer target for the tokenizers: arbitrary bytes (invalid UTF-8,
// NULs, special-token text, huge runs) through every vocabulary type must
// encode to ids inside the vocabulary and decode back without crashing,
// reading outside a buffer or hanging.
//
// Vocabularies: every *.gguf in $EDGELLM_FUZZ_VOCABS (a directory; the
// fixtures' vocab/ folder has llama.cpp's SentencePiece and BPE test
// vocabularies), loaded once. The first input byte picks the vocabulary, the
// second the flags (add_special, parse_special, render_special); the rest is
// the text.
#include <dirent.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "runtime/gguf/gguf.h"
#include "runtime/tokenizer/tokenizer.h"

namespace {

std::vector<std::unique_ptr<edgellm::Tokenizer>>& tokenizers() {
  static std::vector<std::unique_ptr<edgellm::Tokenizer>> t;
  return t;
}

void load_vocabs(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (const dirent* e = readdir(d)) {
    const std::string n = e->d_name;
    if (n.size() > 5 && n.compare(n.size() - 5, 5, ".gguf") == 0) names.push_back(n);
  }
  closedir(d);
  for (const std::string& n : names) {
    std::unique_ptr<edgellm::gguf::File> f;
    if (!edgellm::gguf::File::open(dir + "/" + n, &f).ok()) continue;
    std::unique_ptr<edgellm::Tokenizer> t;
    const edgellm::Status st = edgellm::Tokenizer::from_gguf(*f, &t);
    if (st.ok()) {
      std::fprintf(stderr, "tokenizer_fuzz: %s (%s, %d tokens)\n", n.c_str(), t->vocab().model.c_str(),
                   t->n_vocab());
      tokenizers().push_back(std::move(t));
    } else {
      std::fprintf(stderr, "tokenizer_fuzz: %s skipped: %s\n", n.c_str(), st.message().c_str());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("EDGELLM_FUZZ_VOCABS");
  load_vocabs(dir != nullptr ? dir : "../shared/fixtures/vocab");
  if (tokenizers().empty()) {
    std::fprintf(stderr, "tokenizer_fuzz: no vocabulary loaded (set EDGELLM_FUZZ_VOCABS to a folder of .gguf)\n");
    std::exit(1);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const edgellm::Tokenizer& t = *tokenizers()[data[0] % tokenizers().size()];
  const bool add_special = data[1] & 1, parse_special = data[1] & 2, render_special = data[1] & 4;
  const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);
  std::vector<int32_t> ids;
  if (!t.encode(text, add_special, parse_special, &ids).ok()) return 0;
  for (int32_t id : ids) {
    if (id < 0 || id >= t.n_vocab()) __builtin_trap();  // an id outside the vocabulary
  }
  std::string back;
  (void)t.decode(ids, render_special, false, &back);
  char piece[8];
  for (int32_t id : ids) {
    const int32_t n = t.token_to_piece(id, piece, sizeof piece, render_special);
    if (n > static_cast<int32_t>(sizeof piece)) __builtin_trap();
  }
  return 0;
}

// `edgellm chat`: interactive multi-turn chat. Each turn renders the whole
// conversation with the model's chat template, finds how much of it the KV
// cache already holds (token prefix) and evaluates only the rest, so the
// history is never re-evaluated. Lines starting with '/' are commands.
#include <cstdio>
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace cli {
namespace {

struct Chat {
  edgellm_model* model = nullptr;
  edgellm_context* ctx = nullptr;
  std::string family;  // empty: recognised from the model
  std::vector<std::string> roles, contents;
  std::vector<edgellm_token> cached;  // tokens in the KV cache, in order
  ~Chat() {
    edgellm_context_free(ctx);
    edgellm_model_free(model);
  }
};

int print_piece(edgellm_token, const char* piece, size_t len, void*) {
  std::fwrite(piece, 1, len, stdout);
  std::fflush(stdout);
  return 0;
}

bool render(Chat& c, std::string* out) {
  std::vector<const char*> r, m;
  for (size_t i = 0; i < c.roles.size(); ++i) {
    r.push_back(c.roles[i].c_str());
    m.push_back(c.contents[i].c_str());
  }
  const char* fam = c.family.empty() ? nullptr : c.family.c_str();
  size_t len = 0;
  if (edgellm_chat_apply(c.model, fam, r.data(), m.data(), r.size(), 1, nullptr, 0, &len) !=
          EDGELLM_OK &&
      len == 0) {
    return false;
  }
  out->assign(len + 1, '\0');
  if (edgellm_chat_apply(c.model, fam, r.data(), m.data(), r.size(), 1, out->data(), out->size(),
                         &len) != EDGELLM_OK) {
    return false;
  }
  out->resize(len);
  return true;
}

bool tokenize_all(Chat& c, const std::string& text, std::vector<edgellm_token>* ids) {
  size_t n = 0;
  ids->assign(text.size() + 8, 0);
  if (edgellm_tokenize(c.model, text.data(), text.size(), 1, 1, ids->data(), ids->size(), &n) !=
      EDGELLM_OK) {
    return false;
  }
  ids->resize(n);
  return true;
}

struct ChatOptions {
  std::string model, system_prompt, family;
  int32_t n_predict = 256;
  edgellm_sampling_params sampling;
  MemoryOptions mem;
  ThreadOptions thr;
};

int chat_main(const ChatOptions& o) {
  if (o.model.empty()) return fail_usage("chat needs -m MODEL (edgellm chat --help lists the options)");
  Chat c;
  c.family = o.family;
  if (!load_with_options(o.model, o.mem, &c.model)) return 1;
  if (o.family.empty() && !edgellm_chat_family(c.model)) {
    std::fprintf(stderr, "edgellm: %s\n  name the format with --family %s\n", edgellm_last_error(), kChatFamilies);
    return 1;
  }
  edgellm_context_params cp;
  edgellm_context_default_params(&cp);
  apply_memory_options(o.mem, &cp);
  apply_thread_options(o.thr, &cp);
  if (edgellm_context_create(c.model, &cp, &c.ctx) != EDGELLM_OK) return fail_api("cannot create context");
  print_thread_warnings(c.ctx);
  const int32_t n_ctx = edgellm_context_n_ctx(c.ctx);
  if (!o.system_prompt.empty()) {
    c.roles.push_back("system");
    c.contents.push_back(o.system_prompt);
  }
  std::fprintf(stderr, "edgellm chat: format %s, context %d tokens; /reset clears, /quit or EOF ends\n",
               o.family.empty() ? edgellm_chat_family(c.model) : o.family.c_str(), n_ctx);

  edgellm_generate_params gp;
  edgellm_generate_default_params(&gp);
  gp.sampling = o.sampling;
  gp.callback = print_piece;
  // A turn generates at most n_ctx + 1 tokens (one per free cache slot plus
  // the last, sampled one): the buffer is sized by that, not by -n.
  std::vector<edgellm_token> generated(
      static_cast<size_t>(std::min<int64_t>(o.n_predict >= 0 ? o.n_predict : INT32_MAX, int64_t{n_ctx} + 1)));
  std::string line;
  int turn = 0;
  while (true) {
    std::fprintf(stderr, "> ");
    if (!std::getline(std::cin, line) || line == "/quit") break;
    if (line.empty()) continue;
    if (line == "/reset") {
      c.roles.resize(o.system_prompt.empty() ? 0 : 1);
      c.contents.resize(c.roles.size());
      c.cached.clear();
      edgellm_context_reset(c.ctx);
      std::fprintf(stderr, "(conversation cleared)\n");
      continue;
    }
    c.roles.push_back("user");
    c.contents.push_back(line);
    std::string text;
    std::vector<edgellm_token> ids;
    if (!render(c, &text) || !tokenize_all(c, text, &ids)) return fail_api("cannot render the conversation");
    // Reuse the longest prefix already in the cache; evaluate only the rest.
    size_t keep = 0;
    while (keep < c.cached.size() && keep < ids.size() && c.cached[keep] == ids[keep]) ++keep;
    if (keep == ids.size() && keep > 0) --keep;  // at least one token to evaluate
    if (keep < c.cached.size() && edgellm_context_truncate(c.ctx, static_cast<int32_t>(keep)) != EDGELLM_OK) {
      keep = 0;  // recurrent state cannot rewind: start over
      edgellm_context_reset(c.ctx);
    }
    c.cached.resize(keep);
    const size_t n_new = ids.size() - keep;
    if (ids.size() + 1 > static_cast<size_t>(n_ctx)) {
      std::fprintf(stderr, "(context full: the conversation needs %zu tokens of %d; /reset to start over)\n",
                   ids.size(), n_ctx);
      c.roles.pop_back();
      c.contents.pop_back();
      continue;
    }
    // -n -1: until the context is full (or end of generation).
    const int64_t room = int64_t{n_ctx} - static_cast<int64_t>(ids.size()) + 1;
    gp.max_tokens = o.n_predict >= 0 ? o.n_predict : static_cast<int32_t>(std::max<int64_t>(room, 1));
    edgellm_generate_stats st{};
    st.struct_size = sizeof st;
    const edgellm_status rc = edgellm_generate(c.ctx, ids.data() + keep, n_new, &gp, generated.data(),
                                               generated.size(), &st);
    std::printf("\n");
    std::fflush(stdout);
    if (rc != EDGELLM_OK && !(rc == EDGELLM_ERR_CONTEXT_FULL && st.n_generated > 0)) {
      return fail_api("generation failed");
    }
    if (rc == EDGELLM_ERR_CONTEXT_FULL) {
      std::fprintf(stderr, "(context full after %d tokens; /reset to start over)\n", n_ctx);
    }
    ++turn;
    std::fprintf(stderr, "[turn %d: reused %zu cached tokens, evaluated %zu new, generated %d]\n",
                 turn, keep, n_new, st.n_generated);
    // The cache now holds the new prompt tokens and every generated token but
    // the last (sampled, not yet evaluated).
    c.cached.insert(c.cached.end(), ids.begin() + static_cast<std::ptrdiff_t>(keep), ids.end());
    const size_t n_gen = static_cast<size_t>(st.n_generated);
    if (n_gen > 1) c.cached.insert(c.cached.end(), generated.begin(), generated.begin() + static_cast<std::ptrdiff_t>(n_gen - 1));
    std::string reply;
    for (size_t i = 0; i < n_gen; ++i) {
      if (edgellm_model_is_eog(c.model, generated[i])) break;
      char buf[256];
      const int32_t len = edgellm_token_to_piece(c.model, generated[i], buf, sizeof buf, 0);
      if (len > 0) reply.append(buf, static_cast<size_t>(len));
    }
    c.roles.push_back("assistant");
    c.contents.push_back(reply);
  }
  return 0;
}

}  // namespace

Runner add_chat_command(CLI::App* app) {
  auto o = std::make_shared<ChatOptions>();
  edgellm_sampling_default_params(&o->sampling);
  o->sampling.temperature = 0.7f;
  add_text(app, "-m,--model", &o->model, "GGUF model file (required)", "FILE");
  add_text(app, "--system", &o->system_prompt, "system prompt");
  add_family_option(app, &o->family,
                    std::string("chat template family when the model has none: ") + kChatFamilies);
  add_int(app, "-n,--n-predict", &o->n_predict, -1, INT32_MAX, "tokens to generate per turn",
          "-1 = until the context is full or end of generation, 0..2147483647");
  add_sampling_options(app, &o->sampling);
  add_thread_options(app, &o->thr);
  add_memory_options(app, &o->mem);
  return [o] { return chat_main(*o); };
}

}  // namespace cli

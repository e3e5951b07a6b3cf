// `edgellm chat`: interactive multi-turn chat. Each turn renders the whole
// conversation with the model's chat template, finds how much of it the KV
// cache already holds (token prefix) and evaluates only the rest, so the
// history is never re-evaluated. Lines starting with '/' are commands.
#include <cstdio>
#include <iostream>
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

}  // namespace

int cmd_chat(Args& args) {
  std::string model_path, system_prompt, family;
  double n_predict = 256, temp = 0.7, seed = 0, threads = 0;
  MemoryOptions mem;
  args.value("--model", "-m", &model_path);
  args.value("--system", nullptr, &system_prompt);
  args.value("--family", nullptr, &family);
  args.number("--n-predict", "-n", &n_predict);
  args.number("--temp", nullptr, &temp);
  args.number("--seed", nullptr, &seed);
  args.number("--threads", "-t", &threads);
  if (!read_memory_options(args, &mem)) return 2;
  if (!args.finish() || model_path.empty()) return fail_usage(args, "chat needs -m MODEL");

  Chat c;
  c.family = family;
  if (!load_with_options(model_path, mem, &c.model)) return 1;
  if (family.empty() && !edgellm_chat_family(c.model)) {
    std::fprintf(stderr, "edgellm: %s\n  name the format with --family chatml|llama3|llama2|mistral|gemma|phi3\n",
                 edgellm_last_error());
    return 1;
  }
  edgellm_context_params cp;
  edgellm_context_default_params(&cp);
  apply_memory_options(mem, &cp);
  cp.n_threads = static_cast<int32_t>(threads);
  if (edgellm_context_create(c.model, &cp, &c.ctx) != EDGELLM_OK) return fail_api("cannot create context");
  const int32_t n_ctx = edgellm_context_n_ctx(c.ctx);
  if (!system_prompt.empty()) {
    c.roles.push_back("system");
    c.contents.push_back(system_prompt);
  }
  std::fprintf(stderr, "edgellm chat: format %s, context %d tokens; /reset clears, /quit or EOF ends\n",
               family.empty() ? edgellm_chat_family(c.model) : family.c_str(), n_ctx);

  edgellm_generate_params gp;
  edgellm_generate_default_params(&gp);
  gp.max_tokens = static_cast<int32_t>(n_predict);
  gp.sampling.temperature = static_cast<float>(temp);
  gp.sampling.seed = static_cast<uint64_t>(seed);
  gp.callback = print_piece;
  std::vector<edgellm_token> generated(static_cast<size_t>(gp.max_tokens > 0 ? gp.max_tokens : 1));
  std::string line;
  int turn = 0;
  while (true) {
    std::fprintf(stderr, "> ");
    if (!std::getline(std::cin, line) || line == "/quit") break;
    if (line.empty()) continue;
    if (line == "/reset") {
      c.roles.resize(system_prompt.empty() ? 0 : 1);
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

}  // namespace cli

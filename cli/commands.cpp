#include "cli/commands.h"
#include "cli/progress.h"

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

namespace cli {
namespace {

struct Loaded {
  edgellm_model* model = nullptr;
  edgellm_context* ctx = nullptr;
  double load_ms = 0;
  ~Loaded() {
    edgellm_context_free(ctx);
    edgellm_model_free(model);
  }
};

int load_model(const std::string& path, Loaded* out, const MemoryOptions& mem = MemoryOptions()) {
  auto t0 = std::chrono::steady_clock::now();
  if (!load_with_options(path, mem, &out->model)) return 1;
  out->load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return 0;
}

int tokenize(edgellm_model* model, const std::string& text, std::vector<edgellm_token>* out,
             bool add_special = true, bool parse_special = false) {
  size_t n = 0;
  out->assign(text.size() + 8, 0);
  if (edgellm_tokenize(model, text.data(), text.size(), add_special ? 1 : 0, parse_special ? 1 : 0,
                       out->data(), out->size(), &n) != EDGELLM_OK) {
    return fail_api("cannot tokenize");
  }
  out->resize(n);
  return 0;
}

void print_token_array(const std::vector<edgellm_token>& ids) {
  std::printf("[");
  for (size_t i = 0; i < ids.size(); ++i) std::printf("%s%d", i ? "," : "", ids[i]);
  std::printf("]");
}

struct StreamState {
  std::string text;
  bool echo = true;
};

int on_token(edgellm_token, const char* piece, size_t len, void* user) {
  auto* st = static_cast<StreamState*>(user);
  st->text.append(piece, len);
  if (st->echo) {
    std::fwrite(piece, 1, len, stdout);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int fail_api(const char* what) {
  std::fprintf(stderr, "edgellm: %s: %s\n", what, edgellm_last_error());
  return 1;
}

int fail_usage(const Args& args, const char* msg) {
  std::fprintf(stderr, "edgellm: %s\n", args.error().empty() ? msg : args.error().c_str());
  return 2;
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

int cmd_run(Args& args) {
  std::string model_path, prompt;
  double n_predict = 64, temp = 0.8, top_k = 40, top_p = 0.95, min_p = 0.05, rep = 1.0;
  double seed = 0;
  MemoryOptions mem;
  ThreadOptions thr;
  args.value("--model", "-m", &model_path);
  args.value("--prompt", "-p", &prompt);
  args.number("--n-predict", "-n", &n_predict);
  args.number("--temp", nullptr, &temp);
  args.number("--top-k", nullptr, &top_k);
  args.number("--top-p", nullptr, &top_p);
  args.number("--min-p", nullptr, &min_p);
  args.number("--repeat-penalty", nullptr, &rep);
  args.number("--seed", nullptr, &seed);
  if (!read_thread_options(args, &thr)) return fail_usage(args, "bad thread options");
  if (!read_memory_options(args, &mem)) return 2;
  const bool ignore_eos = args.flag("--ignore-eos");
  const bool json = args.flag("--json");
  if (!args.finish() || model_path.empty()) return fail_usage(args, "run needs -m MODEL");

  Loaded l;
  if (int rc = load_model(model_path, &l, mem)) return rc;
  edgellm_context_params cp;
  edgellm_context_default_params(&cp);
  apply_memory_options(mem, &cp);
  apply_thread_options(thr, &cp);
  if (edgellm_context_create(l.model, &cp, &l.ctx) != EDGELLM_OK) return fail_api("cannot create context");
  print_thread_warnings(l.ctx);
  std::vector<edgellm_token> ids;
  if (int rc = tokenize(l.model, prompt, &ids)) return rc;
  if (ids.empty()) {
    std::fprintf(stderr, "edgellm: the prompt is empty (no tokens); give -p TEXT\n");
    return 2;
  }

  edgellm_generate_params gp;
  edgellm_generate_default_params(&gp);
  gp.max_tokens = static_cast<int32_t>(n_predict);
  gp.ignore_eos = ignore_eos ? 1 : 0;
  gp.sampling.temperature = static_cast<float>(temp);
  gp.sampling.top_k = static_cast<int32_t>(top_k);
  gp.sampling.top_p = static_cast<float>(top_p);
  gp.sampling.min_p = static_cast<float>(min_p);
  gp.sampling.repeat_penalty = static_cast<float>(rep);
  gp.sampling.seed = static_cast<uint64_t>(seed);
  StreamState stream;
  stream.echo = !json;
  gp.callback = on_token;
  gp.user_data = &stream;
  std::vector<edgellm_token> out(static_cast<size_t>(gp.max_tokens > 0 ? gp.max_tokens : 1));
  edgellm_generate_stats stats{};
  stats.struct_size = sizeof stats;
  const edgellm_status st =
      edgellm_generate(l.ctx, ids.data(), ids.size(), &gp, out.data(), out.size(), &stats);
  if (!json) std::printf("\n");
  std::fflush(stdout);
  // Running out of context mid-generation keeps what was generated; a prompt
  // that does not fit at all is an error.
  if (st != EDGELLM_OK && !(st == EDGELLM_ERR_CONTEXT_FULL && stats.n_generated > 0)) {
    return fail_api("generation failed");
  }
  if (st == EDGELLM_ERR_CONTEXT_FULL) std::fprintf(stderr, "edgellm: %s\n", edgellm_last_error());
  out.resize(static_cast<size_t>(stats.n_generated));
  if (json) {
    std::printf("{\"tokens\":");
    print_token_array(out);
    std::printf(",\"text\":\"%s\"}\n", json_escape(stream.text).c_str());
    std::fflush(stdout);
  }
  const double pp = stats.prompt_ms > 0 ? stats.n_prompt * 1000.0 / stats.prompt_ms : 0;
  const int32_t decoded = stats.n_generated > 1 ? stats.n_generated - 1 : 0;
  const double tg = stats.generate_ms > 0 ? decoded * 1000.0 / stats.generate_ms : 0;
  std::fprintf(stderr,
               "load: %.1f ms | prompt: %d tokens, %.1f ms, %.1f tokens/s | generation: %d "
               "tokens, %.1f ms, %.1f tokens/s\n",
               l.load_ms, stats.n_prompt, stats.prompt_ms, pp, stats.n_generated,
               stats.generate_ms, tg);
  return 0;
}

int cmd_tokenize(Args& args) {
  std::string model_path, text;
  args.value("--model", "-m", &model_path);
  const bool has_text = args.value("--prompt", "-p", &text);
  // --no-special: no BOS/EOS and special-token text kept as text (the
  // setting of llama.cpp's vocab tests); --parse-special: special-token text
  // (e.g. <|im_end|>) becomes that token.
  const bool no_special = args.flag("--no-special");
  const bool parse_special = args.flag("--parse-special");
  if (!args.finish() || model_path.empty() || !has_text) {
    return fail_usage(args, "tokenize needs -m MODEL -p TEXT [--no-special] [--parse-special]");
  }
  Loaded l;
  if (int rc = load_model(model_path, &l)) return rc;
  std::vector<edgellm_token> ids;
  if (int rc = tokenize(l.model, text, &ids, !no_special, parse_special)) return rc;
  print_token_array(ids);
  std::printf("\n");
  return 0;
}

int cmd_logits(Args& args) {
  std::string model_path, prompt, out_path;
  double threads = 1;
  args.value("--model", "-m", &model_path);
  args.value("--prompt", "-p", &prompt);
  args.value("--output", "-o", &out_path);
  args.number("--threads", "-t", &threads);
  MemoryOptions mem;
  if (!read_memory_options(args, &mem)) return 2;
  if (!args.finish() || model_path.empty() || out_path.empty()) {
    return fail_usage(args, "logits needs -m MODEL -p PROMPT -o FILE");
  }
  Loaded l;
  if (int rc = load_model(model_path, &l, mem)) return rc;
  std::vector<edgellm_token> ids;
  if (int rc = tokenize(l.model, prompt, &ids)) return rc;
  if (ids.empty()) {
    std::fprintf(stderr, "edgellm: the prompt is empty (no tokens)\n");
    return 2;
  }
  edgellm_context_params cp;
  edgellm_context_default_params(&cp);
  cp.n_batch = static_cast<int32_t>(ids.size());
  cp.n_ctx = static_cast<int32_t>(ids.size()) > edgellm_model_n_ctx_train(l.model)
                 ? static_cast<int32_t>(ids.size())
                 : 0;
  cp.n_threads = static_cast<int32_t>(threads);
  cp.logits_all = 1;
  cp.kv_type = mem.kv_type;
  if (edgellm_context_create(l.model, &cp, &l.ctx) != EDGELLM_OK) return fail_api("cannot create context");
  if (edgellm_evaluate(l.ctx, ids.data(), ids.size(), 1) != EDGELLM_OK) return fail_api("evaluation failed");
  std::FILE* f = std::fopen(out_path.c_str(), "wb");
  if (!f) {
    std::fprintf(stderr, "edgellm: cannot open '%s' for writing\n", out_path.c_str());
    return 1;
  }
  const size_t n_vocab = static_cast<size_t>(edgellm_model_n_vocab(l.model));
  for (size_t i = 0; i < ids.size(); ++i) {
    const float* row = edgellm_get_logits(l.ctx, static_cast<int32_t>(i));
    if (!row || std::fwrite(row, sizeof(float), n_vocab, f) != n_vocab) {
      std::fclose(f);
      std::fprintf(stderr, "edgellm: writing '%s' failed\n", out_path.c_str());
      return 1;
    }
  }
  if (std::fclose(f) != 0) {
    std::fprintf(stderr, "edgellm: writing '%s' failed\n", out_path.c_str());
    return 1;
  }
  std::printf("{\"tokens\":");
  print_token_array(ids);
  std::printf("}\n");
  return 0;
}

int cmd_info(Args& args) {
  std::string model_path;
  args.value("--model", "-m", &model_path);
  const bool cpu = args.flag("--cpu");
  const bool plan = args.flag("--plan");
  const bool threads = args.flag("--threads");
  const bool vulkan = args.flag("--vulkan");
  std::string topology;
  ThreadOptions thr;
  if (threads) {
    args.value("--topology", nullptr, &topology);
    if (!read_thread_options(args, &thr)) return fail_usage(args, "bad thread options");
  }
  MemoryOptions mem;
  if (!read_memory_options(args, &mem)) return 2;
  if (!args.finish() || (model_path.empty() && !cpu && !threads && !vulkan)) {
    return fail_usage(args, "info needs -m MODEL, --cpu, --threads and/or --vulkan");
  }
  if (vulkan) {
    std::string report(edgellm_vulkan_devices(nullptr, 0) + 1, '\0');
    edgellm_vulkan_devices(report.data(), report.size());
    std::printf("%s", report.c_str());
    if (model_path.empty() && !cpu && !threads) return 0;
  }
  if (threads) {
    if (int rc = print_threads(thr, topology)) return rc;
    if (model_path.empty() && !cpu) return 0;
  }
  if (cpu) {
    std::string report(edgellm_cpu_info(nullptr, 0) + 1, '\0');
    edgellm_cpu_info(report.data(), report.size());
    std::printf("%s\n", report.c_str());
    if (model_path.empty()) return 0;
  }
  Loaded l;
  if (int rc = load_model(model_path, &l, mem)) return rc;
  if (plan) {
    edgellm_context_params cp;
    edgellm_context_default_params(&cp);
    apply_memory_options(mem, &cp);
    if (cp.n_ctx == 0) cp.n_ctx = edgellm_model_n_ctx_train(l.model);
    if (cp.n_batch > cp.n_ctx) cp.n_batch = cp.n_ctx;
    return print_plan(l.model, cp, mem.use_mmap);
  }
  const size_t n = edgellm_model_describe(l.model, nullptr, 0);
  std::string text(n + 1, '\0');
  edgellm_model_describe(l.model, text.data(), text.size());
  text.resize(n);
  // One "key=value" per line reads better on a terminal.
  std::string out;
  bool in_quotes = false, in_brackets = false;
  for (char c : text) {
    if (c == '"') in_quotes = !in_quotes;
    if (c == '[') in_brackets = true;
    if (c == ']') in_brackets = false;
    out += (c == ' ' && !in_quotes && !in_brackets) ? '\n' : c;
  }
  std::printf("%s\n", out.c_str());
  return 0;
}

int cmd_synth(Args& args) {
  std::string preset = "tiny", type = "f32", out_path;
  double seed = 1;
  args.value("--preset", nullptr, &preset);
  args.value("--type", nullptr, &type);
  args.value("--output", "-o", &out_path);
  args.number("--seed", nullptr, &seed);
  if (!args.finish() || out_path.empty()) return fail_usage(args, "synth needs -o FILE.gguf");
  ProgressBar bar("synth");
  if (edgellm_synthesize_model_ex(preset.c_str(), type.c_str(), static_cast<uint64_t>(seed),
                                  out_path.c_str(), &ProgressBar::callback, &bar) != EDGELLM_OK) {
    bar.finish();
    return fail_api("cannot synthesize model");
  }
  bar.finish();
  std::fprintf(stderr, "wrote %s (preset %s, type %s)\n", out_path.c_str(), preset.c_str(),
               type.c_str());
  return 0;
}

}  // namespace cli

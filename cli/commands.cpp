// run, tokenize, logits, info and synth, plus the option groups and helpers
// the other commands share (sampling, prompt, --family).
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/server/utf8.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace cli {

const char* const kChatFamilies = "chatml|llama3|llama2|mistral|gemma|phi3";

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

void print_token_array(const edgellm_token* ids, size_t n) {
  std::printf("[");
  for (size_t i = 0; i < n; ++i) std::printf("%s%d", i ? "," : "", ids[i]);
  std::printf("]");
}

// -p/--prompt TEXT or -f/--file FILE (llama.cpp's names).
struct PromptOptions {
  std::string text, file;
  const CLI::Option* text_opt = nullptr;  // owned by the CLI::App
  const CLI::Option* file_opt = nullptr;
  bool given() const { return text_opt->count() > 0 || file_opt->count() > 0; }
  // The prompt text (read from the file if one was named). 0 or an exit status.
  int read(std::string* out) const {
    if (file.empty()) {
      *out = text;
      return 0;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "edgellm: cannot read the prompt file '%s'\n", file.c_str());
      return 1;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    *out = ss.str();
    return 0;
  }
};

void add_prompt_options(CLI::App* app, PromptOptions* p) {
  CLI::Option* text = add_text(app, "-p,--prompt", &p->text, "prompt text (--prompt=TEXT when it starts with '-')");
  CLI::Option* file = add_text(app, "-f,--file", &p->file, "read the prompt from FILE", "FILE");
  text->excludes(file);
  p->text_opt = text;
  p->file_opt = file;
}

// run's streaming state. Without --json the callback only writes the bytes
// (no allocation while generating); with --json it also keeps the text,
// passed through the UTF-8 filter so the JSON string is valid UTF-8.
struct StreamState {
  bool json = false;
  server::Utf8Filter utf8;
  std::string text;
};

int on_token(edgellm_token, const char* piece, size_t len, void* user) {
  auto* st = static_cast<StreamState*>(user);
  if (st->json) {
    st->utf8.feed(piece, len, &st->text);
  } else {
    std::fwrite(piece, 1, len, stdout);
    std::fflush(stdout);
  }
  return 0;
}

struct RunOptions {
  std::string model;
  PromptOptions prompt;
  int32_t n_predict = 64;
  edgellm_sampling_params sampling;
  bool ignore_eos = false, json = false;
  MemoryOptions mem;
  ThreadOptions thr;
};

int run_main(const RunOptions& o) {
  if (o.model.empty()) return fail_usage("run needs -m MODEL (edgellm run --help lists the options)");
  std::string prompt;
  if (int rc = o.prompt.read(&prompt)) return rc;
  Loaded l;
  if (int rc = load_model(o.model, &l, o.mem)) return rc;
  edgellm_context_params cp;
  edgellm_context_default_params(&cp);
  apply_memory_options(o.mem, &cp);
  apply_thread_options(o.thr, &cp);
  if (edgellm_context_create(l.model, &cp, &l.ctx) != EDGELLM_OK) return fail_api("cannot create context");
  print_thread_warnings(l.ctx);
  std::vector<edgellm_token> ids;
  if (int rc = tokenize(l.model, prompt, &ids)) return rc;
  if (ids.empty()) {
    if (o.prompt.given()) {
      std::fprintf(stderr,
                   "edgellm: the prompt produced no tokens with this model's tokenizer (and the model "
                   "adds no BOS token): nothing to generate from\n");
    } else {
      std::fprintf(stderr, "edgellm: the prompt is empty (no tokens); give -p TEXT\n");
    }
    return 2;
  }

  // At most one token per free cache slot, plus the last one (sampled, not
  // evaluated): the output buffer is sized by that, not by -n.
  const int64_t n_ctx = edgellm_context_n_ctx(l.ctx);
  const int64_t room = std::max<int64_t>(n_ctx - static_cast<int64_t>(ids.size()) + 1, 0);
  edgellm_generate_params gp;
  edgellm_generate_default_params(&gp);
  gp.max_tokens = o.n_predict >= 0 ? o.n_predict : static_cast<int32_t>(std::min<int64_t>(room, INT32_MAX));
  gp.ignore_eos = o.ignore_eos ? 1 : 0;
  gp.sampling = o.sampling;
  StreamState stream;
  stream.json = o.json;
  gp.callback = on_token;
  gp.user_data = &stream;
  std::vector<edgellm_token> out;
  if (o.json) {
    const size_t cap = static_cast<size_t>(std::min<int64_t>(gp.max_tokens, room));
    out.resize(cap);
    stream.text.reserve(std::min<size_t>(cap * 8, size_t{1} << 20));
  }
  edgellm_generate_stats stats{};
  stats.struct_size = sizeof stats;
  const edgellm_status st =
      edgellm_generate(l.ctx, ids.data(), ids.size(), &gp, out.data(), out.size(), &stats);
  if (!o.json) std::printf("\n");
  std::fflush(stdout);
  // Running out of context mid-generation keeps what was generated; a prompt
  // that does not fit at all is an error.
  if (st != EDGELLM_OK && !(st == EDGELLM_ERR_CONTEXT_FULL && stats.n_generated > 0)) {
    return fail_api("generation failed");
  }
  if (st == EDGELLM_ERR_CONTEXT_FULL) std::fprintf(stderr, "edgellm: %s\n", edgellm_last_error());
  if (o.json) {
    stream.utf8.finish(&stream.text);
    std::printf("{\"tokens\":");
    print_token_array(out.data(), std::min(out.size(), static_cast<size_t>(stats.n_generated)));
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

struct TokenizeOptions {
  std::string model;
  PromptOptions prompt;
  bool no_special = false, parse_special = false;
};

int tokenize_main(const TokenizeOptions& o) {
  if (o.model.empty() || !o.prompt.given()) return fail_usage("tokenize needs -m MODEL -p TEXT (or -f FILE)");
  std::string text;
  if (int rc = o.prompt.read(&text)) return rc;
  Loaded l;
  if (int rc = load_model(o.model, &l)) return rc;
  std::vector<edgellm_token> ids;
  if (int rc = tokenize(l.model, text, &ids, !o.no_special, o.parse_special)) return rc;
  print_token_array(ids.data(), ids.size());
  std::printf("\n");
  return 0;
}

struct LogitsOptions {
  std::string model, output;
  PromptOptions prompt;
  MemoryOptions mem;
  ThreadOptions thr;
};

int logits_main(const LogitsOptions& o) {
  if (o.model.empty() || o.output.empty()) return fail_usage("logits needs -m MODEL -p PROMPT -o FILE");
  std::string prompt;
  if (int rc = o.prompt.read(&prompt)) return rc;
  Loaded l;
  if (int rc = load_model(o.model, &l, o.mem)) return rc;
  std::vector<edgellm_token> ids;
  if (int rc = tokenize(l.model, prompt, &ids)) return rc;
  if (ids.empty()) {
    std::fprintf(stderr, "edgellm: the prompt is empty (no tokens)\n");
    return 2;
  }
  edgellm_context_params cp;
  edgellm_context_default_params(&cp);
  apply_thread_options(o.thr, &cp);
  cp.n_batch = static_cast<int32_t>(ids.size());
  cp.n_ctx = static_cast<int32_t>(ids.size()) > edgellm_model_n_ctx_train(l.model)
                 ? static_cast<int32_t>(ids.size())
                 : 0;
  cp.logits_all = 1;
  cp.kv_type = o.mem.kv_type;
  if (edgellm_context_create(l.model, &cp, &l.ctx) != EDGELLM_OK) return fail_api("cannot create context");
  if (edgellm_evaluate(l.ctx, ids.data(), ids.size(), 1) != EDGELLM_OK) return fail_api("evaluation failed");
  std::FILE* f = std::fopen(o.output.c_str(), "wb");
  if (!f) {
    std::fprintf(stderr, "edgellm: cannot open '%s' for writing\n", o.output.c_str());
    return 1;
  }
  const size_t n_vocab = static_cast<size_t>(edgellm_model_n_vocab(l.model));
  for (size_t i = 0; i < ids.size(); ++i) {
    const float* row = edgellm_get_logits(l.ctx, static_cast<int32_t>(i));
    if (!row || std::fwrite(row, sizeof(float), n_vocab, f) != n_vocab) {
      std::fclose(f);
      std::fprintf(stderr, "edgellm: writing '%s' failed\n", o.output.c_str());
      return 1;
    }
  }
  if (std::fclose(f) != 0) {
    std::fprintf(stderr, "edgellm: writing '%s' failed\n", o.output.c_str());
    return 1;
  }
  std::printf("{\"tokens\":");
  print_token_array(ids.data(), ids.size());
  std::printf("}\n");
  return 0;
}

struct InfoOptions {
  std::string model, topology;
  bool cpu = false, plan = false, threads = false, vulkan = false;
  MemoryOptions mem;
  ThreadOptions thr;
};

int info_main(const InfoOptions& o) {
  if (o.model.empty() && !o.cpu && !o.threads && !o.vulkan) {
    return fail_usage("info needs -m MODEL, --cpu, --threads and/or --vulkan");
  }
  if (o.vulkan) {
    std::string report(edgellm_vulkan_devices(nullptr, 0) + 1, '\0');
    edgellm_vulkan_devices(report.data(), report.size());
    std::printf("%s", report.c_str());
    if (o.model.empty() && !o.cpu && !o.threads) return 0;
  }
  if (o.threads) {
    if (int rc = print_threads(o.thr, o.topology)) return rc;
    if (o.model.empty() && !o.cpu) return 0;
  }
  if (o.cpu) {
    std::string report(edgellm_cpu_info(nullptr, 0) + 1, '\0');
    edgellm_cpu_info(report.data(), report.size());
    std::printf("%s\n", report.c_str());
    if (o.model.empty()) return 0;
  }
  Loaded l;
  if (int rc = load_model(o.model, &l, o.mem)) return rc;
  if (o.plan) {
    edgellm_context_params cp;
    edgellm_context_default_params(&cp);
    apply_memory_options(o.mem, &cp);
    if (cp.n_ctx == 0) cp.n_ctx = edgellm_model_n_ctx_train(l.model);
    if (cp.n_batch > cp.n_ctx) cp.n_batch = cp.n_ctx;
    return print_plan(l.model, cp, !o.mem.no_mmap);
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

struct SynthOptions {
  std::string preset = "tiny", type = "f32", output;
  uint64_t seed = 1;
};

int synth_main(const SynthOptions& o) {
  if (o.output.empty()) return fail_usage("synth needs -o FILE.gguf");
  ProgressBar bar("synth");
  if (edgellm_synthesize_model_ex(o.preset.c_str(), o.type.c_str(), o.seed, o.output.c_str(),
                                  &ProgressBar::callback, &bar) != EDGELLM_OK) {
    bar.finish();
    return fail_api("cannot synthesize model");
  }
  bar.finish();
  std::fprintf(stderr, "wrote %s (preset %s, type %s)\n", o.output.c_str(), o.preset.c_str(),
               o.type.c_str());
  return 0;
}

}  // namespace

int fail_api(const char* what) {
  std::fprintf(stderr, "edgellm: %s: %s\n", what, edgellm_last_error());
  return 1;
}

int fail_usage(const std::string& msg) {
  std::fprintf(stderr, "edgellm: %s\n", msg.c_str());
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

void add_sampling_options(CLI::App* app, edgellm_sampling_params* s) {
  add_float(app, "--temp", &s->temperature, 0, HUGE_VAL, "sampling temperature, 0 = greedy");
  add_int(app, "--top-k", &s->top_k, 0, INT32_MAX, "sample from the K most likely tokens",
          "0 = off, 1..2147483647");
  add_float(app, "--top-p", &s->top_p, 0, 1, "nucleus sampling: smallest set with probability >= P, 1 = off");
  add_float(app, "--min-p", &s->min_p, 0, 1, "drop tokens below P x the top probability, 0 = off");
  add_float(app, "--repeat-penalty", &s->repeat_penalty, 0, HUGE_VAL,
            "divide the logits of recently seen tokens by R, 1 = off", true);
  add_int(app, "--repeat-last-n", &s->repeat_last_n, -1, INT32_MAX, "tokens the repeat penalty looks back over",
          "-1 = the whole history, 0..2147483647");
  add_u64(app, "-s,--seed", &s->seed, "random seed (0..18446744073709551615)");
}

CLI::Option* add_family_option(CLI::App* app, std::string* out, const std::string& help) {
  CLI::Option* opt = app->add_option_function<std::string>(
      "--family",
      [out](const std::string& v) {
        const char* role = "user";
        const char* text = "";
        size_t len = 0;  // a known family renders (and reports the length) even without a buffer
        if (v.empty() ||
            (edgellm_chat_apply(nullptr, v.c_str(), &role, &text, 1, 1, nullptr, 0, &len) != EDGELLM_OK &&
             len == 0)) {
          throw CLI::ValidationError("option --family",
                                     "'" + v + "' is not a chat template family (" + kChatFamilies + ")");
        }
        *out = v;
      },
      help);
  opt->type_name("NAME");
  return opt;
}

Runner add_run_command(CLI::App* app) {
  auto o = std::make_shared<RunOptions>();
  edgellm_sampling_default_params(&o->sampling);
  add_text(app, "-m,--model", &o->model, "GGUF model file (required)", "FILE");
  add_prompt_options(app, &o->prompt);
  add_int(app, "-n,--n-predict", &o->n_predict, -1, INT32_MAX, "tokens to generate",
          "-1 = until the context is full or end of generation, 0..2147483647");
  add_sampling_options(app, &o->sampling);
  add_switch(app, "--ignore-eos", &o->ignore_eos, "keep generating after end-of-generation tokens");
  add_switch(app, "--json", &o->json,
             "print {\"tokens\":[...],\"text\":\"...\"} (valid UTF-8; invalid bytes become U+FFFD) "
             "instead of streaming the text");
  add_thread_options(app, &o->thr);
  add_memory_options(app, &o->mem);
  return [o] { return run_main(*o); };
}

Runner add_tokenize_command(CLI::App* app) {
  auto o = std::make_shared<TokenizeOptions>();
  add_text(app, "-m,--model", &o->model, "GGUF model file (required)", "FILE");
  add_prompt_options(app, &o->prompt);
  // --no-special: no BOS/EOS and special-token text kept as text (the
  // setting of llama.cpp's vocab tests); --parse-special: special-token text
  // (e.g. <|im_end|>) becomes that token.
  add_switch(app, "--no-special", &o->no_special, "no BOS/EOS; special-token text stays text");
  add_switch(app, "--parse-special", &o->parse_special, "special-token text (e.g. <|im_end|>) becomes its token");
  return [o] { return tokenize_main(*o); };
}

Runner add_logits_command(CLI::App* app) {
  auto o = std::make_shared<LogitsOptions>();
  o->thr.n_threads = 1;
  add_text(app, "-m,--model", &o->model, "GGUF model file (required)", "FILE");
  add_prompt_options(app, &o->prompt);
  add_text(app, "-o,--output", &o->output, "write [n_tokens][n_vocab] float32 logits here (required)", "FILE");
  add_thread_options(app, &o->thr);
  add_memory_options(app, &o->mem, kModelOptions | kKvType);
  return [o] { return logits_main(*o); };
}

Runner add_info_command(CLI::App* app) {
  auto o = std::make_shared<InfoOptions>();
  add_text(app, "-m,--model", &o->model, "GGUF model file: its hyper-parameters and repacked bytes", "FILE");
  add_switch(app, "--cpu", &o->cpu, "SIMD features and the kernels in use");
  add_switch(app, "--plan", &o->plan, "memory plan (weights from the file vs repacked, KV, activations)");
  add_switch(app, "--vulkan", &o->vulkan, "Vulkan devices and the limits the backend uses");
  add_switch(app, "--threads", &o->threads, "CPU topology (kinds, NUMA nodes) and the cores a context would use");
  add_text(app, "--topology", &o->topology, "with --threads: read the topology from an hwloc XML file", "FILE");
  add_thread_options(app, &o->thr, false);
  add_memory_options(app, &o->mem);
  return [o] { return info_main(*o); };
}

Runner add_synth_command(CLI::App* app) {
  auto o = std::make_shared<SynthOptions>();
  add_text(app, "--preset", &o->preset,
           "tiny, tinyllama-1.1b, llama-3.2-1b, qwen2.5-0.5b, qwen3-0.6b, smollm2-135m, gemma-3-1b, "
           "lfm2-350m, tiny-llama3, tiny-qwen2, ...",
           "NAME");
  add_text(app, "--type", &o->type,
           "f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q2_k q3_k q3_k_m q4_k q4_k_m q5_k q5_k_m q6_k", "TYPE");
  add_text(app, "-o,--output", &o->output, "GGUF file to write (required)", "FILE");
  add_u64(app, "-s,--seed", &o->seed, "weights seed (0..18446744073709551615)");
  return [o] { return synth_main(*o); };
}

}  // namespace cli

// `edgellm serve`: an OpenAI-compatible HTTP server (cli/server/). This file
// reads the options, loads the model, creates every slot's context up front
// (so the memory is known and printed before the first request) and runs the
// server until SIGINT or SIGTERM.
#include "cli/commands.h"

#if defined(EDGELLM_HAVE_SERVER)

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/server/server.h"
#include "cli/server/slot_threads.h"

namespace cli {
namespace {

constexpr int32_t kDefaultCtx = 4096;  // per slot, when -c is not given (at most the model's)

double mib(size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

struct Resources {
  edgellm_model* model = nullptr;
  std::vector<edgellm_context*> contexts;
  ~Resources() {
    for (edgellm_context* c : contexts) edgellm_context_free(c);
    edgellm_model_free(model);
  }
};

// "dir/name.gguf" -> "name"
std::string model_id(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  const size_t dot = name.find_last_of('.');
  if (dot != std::string::npos && dot > 0) name.resize(dot);
  return name;
}

std::string first_line(std::string s) { return s.substr(0, s.find('\n')); }

bool read_count(Args& args, const char* name, double lo, double hi, int* out) {
  double v = *out;
  if (!args.number(name, nullptr, &v)) return args.error().empty();
  if (v < lo || v > hi || v != static_cast<double>(static_cast<int>(v))) {
    std::fprintf(stderr, "edgellm: %s must be a whole number in %.0f..%.0f\n", name, lo, hi);
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

}  // namespace

int cmd_serve(Args& args) {
  std::string model_path, family;
  server::ServerOptions opt;
  int parallel = 1, queue = 8, port = opt.port;
  MemoryOptions mem;
  ThreadOptions thr;
  args.value("--model", "-m", &model_path);
  args.value("--host", nullptr, &opt.host);
  const bool has_key = args.value("--api-key", nullptr, &opt.api_key);
  args.value("--family", nullptr, &family);
  if (!read_count(args, "--port", 0, 65535, &port) || !read_count(args, "--parallel", 1, 64, &parallel) ||
      !read_count(args, "--queue", 0, 4096, &queue)) {
    return fail_usage(args, "bad option value");
  }
  if (!read_thread_options(args, &thr)) return fail_usage(args, "bad thread options");
  if (!read_memory_options(args, &mem)) return 2;
  if (!args.finish() || model_path.empty()) return fail_usage(args, "serve needs -m MODEL");
  if (!has_key) {
    if (const char* env = std::getenv("EDGELLM_API_KEY")) opt.api_key = env;  // keeps the key out of `ps`
  }
  if (has_key && opt.api_key.empty()) return fail_usage(args, "--api-key needs a non-empty key");
  opt.port = port;

  signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not end the server

  Resources r;
  if (!load_with_options(model_path, mem, &r.model)) return 1;
  char desc[512];
  edgellm_model_describe(r.model, desc, sizeof desc);
  std::fprintf(stderr, "edgellm serve: model %s: %s\n", model_id(model_path).c_str(), desc);

  opt.model_id = model_id(model_path);
  opt.prompt.model = r.model;
  if (!family.empty()) {
    const char* role = "user";
    const char* text = "";
    size_t len = 0;  // a known family renders (and reports the length) even without a buffer
    if (edgellm_chat_apply(nullptr, family.c_str(), &role, &text, 1, 1, nullptr, 0, &len) != EDGELLM_OK &&
        len == 0) {
      return fail_api("--family");
    }
    opt.prompt.chat_family = family;
  } else if (const char* f = edgellm_chat_family(r.model)) {
    opt.prompt.chat_family = f;
  } else {
    opt.prompt.chat_unavailable = std::string(edgellm_last_error()) +
                                  "; start the server with --family chatml|llama3|llama2|mistral|gemma|phi3";
  }

  // From here on SIGINT/SIGTERM are taken by sigwait() below: they are
  // blocked before the first long-lived thread (context thread pools, HTTP
  // workers) starts, so every thread inherits the mask. Until now they end
  // the process as usual (e.g. Ctrl-C during a long model load).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // Every slot's context now: its arena (KV cache + activations) is
  // allocated here and nothing is allocated per token later.
  std::vector<server::SlotThreads> threads;
  std::string note;
  if (!server::plan_slot_threads(thr.n_threads, thr.has_cpus ? thr.cpus : std::string(), thr.pin, parallel,
                                 &threads, &note)) {
    std::fprintf(stderr, "edgellm: --cpus '%s' is not a CPU list (e.g. 0-3,6)\n", thr.cpus.c_str());
    return 2;
  }
  if (!note.empty()) std::fprintf(stderr, "edgellm serve: %s\n", note.c_str());
  if (mem.n_ctx <= 0) mem.n_ctx = std::min(edgellm_model_n_ctx_train(r.model), kDefaultCtx);
  size_t arenas = 0, weights = 0;
  for (int i = 0; i < parallel; ++i) {
    edgellm_context_params cp;
    edgellm_context_default_params(&cp);
    apply_memory_options(mem, &cp);
    cp.n_threads = threads[static_cast<size_t>(i)].n_threads;
    cp.cpus = threads[static_cast<size_t>(i)].cpus.empty() ? nullptr : threads[static_cast<size_t>(i)].cpus.c_str();
    cp.pin_threads = threads[static_cast<size_t>(i)].pin ? 1 : 0;
    edgellm_plan_info plan;
    plan.struct_size = sizeof plan;
    if (edgellm_context_plan(r.model, &cp, &plan) != EDGELLM_OK) return fail_api("cannot plan a context");
    edgellm_context* ctx = nullptr;
    if (edgellm_context_create(r.model, &cp, &ctx) != EDGELLM_OK) return fail_api("cannot create a context");
    r.contexts.push_back(ctx);
    std::string tdesc(edgellm_context_threads(ctx, nullptr, 0) + 1, '\0');
    edgellm_context_threads(ctx, tdesc.data(), tdesc.size());
    std::fprintf(stderr, "edgellm serve: slot %d: n_ctx %d, arena %zu bytes (%.2f MiB: kv %.2f MiB, activations %.2f MiB), %s\n",
                 i, edgellm_context_n_ctx(ctx), plan.arena_bytes, mib(plan.arena_bytes), mib(plan.kv_bytes),
                 mib(plan.activation_bytes), first_line(tdesc.c_str()).c_str());
    print_thread_warnings(ctx);
    arenas += edgellm_context_memory_bytes(ctx);
    weights = plan.weight_bytes;
  }
  std::fprintf(stderr, "edgellm serve: planned memory %.2f MiB = weights %.2f MiB + %d slot arenas %.2f MiB\n",
               mib(weights + arenas), mib(weights), parallel, mib(arenas));
  opt.prompt.n_ctx = edgellm_context_n_ctx(r.contexts[0]);
  opt.n_batch = mem.n_batch > 0 ? mem.n_batch : 512;
  // Enough HTTP threads for every running and queued request plus a margin
  // for /health, /v1/models and the 503 answers of a full queue.
  opt.http_threads = static_cast<size_t>(parallel + queue) + 8;

  server::SlotPool pool(r.contexts, static_cast<size_t>(queue));
  auto srv = std::make_unique<server::Server>(opt, &pool);
  std::string error;
  if (!srv->bind(&error)) {
    std::fprintf(stderr, "edgellm: %s\n", error.c_str());
    return 1;
  }
  if (opt.prompt.chat_family.empty()) {
    std::fprintf(stderr, "edgellm serve: chat completions unavailable: %s\n", opt.prompt.chat_unavailable.c_str());
  } else {
    std::fprintf(stderr, "edgellm serve: chat template %s\n", opt.prompt.chat_family.c_str());
  }
  if (opt.api_key.empty() && opt.host != "127.0.0.1" && opt.host != "localhost" && opt.host != "::1") {
    std::fprintf(stderr, "edgellm serve: warning: listening on %s without --api-key: anyone who can reach it can use it\n",
                 opt.host.c_str());
  }
  std::fprintf(stderr, "edgellm serve: listening on http://%s:%d (%d slot%s, queue %d%s); Ctrl-C stops\n",
               opt.host.c_str(), srv->port(), parallel, parallel == 1 ? "" : "s", queue,
               opt.api_key.empty() ? "" : ", API key required");

  server::Server* s = srv.get();
  std::atomic<bool> stopping{false}, failed{false};
  std::thread listener([s, &stopping, &failed] {
    s->run();
    // Ended without a signal (e.g. the listening socket failed): wake main.
    if (!stopping) {
      failed = true;
      kill(getpid(), SIGTERM);
    }
  });
  int sig = 0;
  sigwait(&stop_signals, &sig);
  stopping = true;
  if (!failed) {
    std::fprintf(stderr, "edgellm serve: %s: finishing (running requests are stopped)\n",
                 sig == SIGINT ? "SIGINT" : "SIGTERM");
  }
  // A second Ctrl-C ends the process at once.
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  srv->stop();
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  listener.join();
  srv.reset();
  if (failed) {
    std::fprintf(stderr, "edgellm: the server stopped listening unexpectedly\n");
    return 1;
  }
  std::fprintf(stderr, "edgellm serve: stopped\n");
  return 0;
}

}  // namespace cli

#else  // built without cpp-httplib / nlohmann-json

#include <cstdio>

namespace cli {

int cmd_serve(Args&) {
#if defined(EDGELLM_SERVE_MISSING)
  std::fprintf(stderr, "edgellm: serve is not available in this build: %s\n", EDGELLM_SERVE_MISSING);
#else
  std::fprintf(stderr, "edgellm: serve is not available in this build\n");
#endif
  return 1;
}

}  // namespace cli

#endif

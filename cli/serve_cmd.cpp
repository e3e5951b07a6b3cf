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

struct ServeOptions {
  std::string model, family;
  server::ServerOptions server;
  int32_t parallel = 1, queue = 8, port = 8080;
  int32_t max_conns = 128, max_client_conns = 32;  // server::GateOptions' defaults
  MemoryOptions mem;
  ThreadOptions thr;
  const CLI::Option* api_key = nullptr;  // owned by the CLI::App
};

int serve_main(ServeOptions& o) {
  if (o.model.empty()) return fail_usage("serve needs -m MODEL (edgellm serve --help lists the options)");
  const std::string& model_path = o.model;
  const std::string& family = o.family;
  server::ServerOptions& opt = o.server;
  const int parallel = o.parallel, queue = o.queue, port = o.port;
  const int max_conns = o.max_conns, max_client_conns = o.max_client_conns;
  MemoryOptions& mem = o.mem;
  const ThreadOptions& thr = o.thr;
  const bool has_key = o.api_key->count() > 0;
  if (!has_key) {
    if (const char* env = std::getenv("EDGELLM_API_KEY")) opt.api_key = env;  // keeps the key out of `ps`
  }
  if (has_key && opt.api_key.empty()) return fail_usage("--api-key needs a non-empty key");
  opt.port = port;
  opt.gate.max_connections = static_cast<size_t>(max_conns);
  opt.gate.max_client_connections = static_cast<size_t>(max_client_conns);

  signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not end the server

  Resources r;
  if (!load_with_options(model_path, mem, &r.model)) return 1;
  char desc[512];
  edgellm_model_describe(r.model, desc, sizeof desc);
  std::fprintf(stderr, "edgellm serve: model %s: %s\n", model_id(model_path).c_str(), desc);

  opt.model_id = model_id(model_path);
  opt.prompt.model = r.model;
  if (!family.empty()) {  // checked when parsed (add_family_option)
    opt.prompt.chat_family = family;
  } else if (const char* f = edgellm_chat_family(r.model)) {
    opt.prompt.chat_family = f;
  } else {
    opt.prompt.chat_unavailable = std::string(edgellm_last_error()) +
                                  "; start the server with --family " + kChatFamilies;
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
  if (!server::plan_slot_threads(thr.n_threads, thr.cpus, !thr.no_pin, parallel,
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
  std::fprintf(stderr, "edgellm serve: listening on http://%s:%d (%d slot%s, queue %d, connections %d, %d per client%s); Ctrl-C stops\n",
               opt.host.c_str(), srv->port(), parallel, parallel == 1 ? "" : "s", queue, max_conns, max_client_conns,
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

}  // namespace

Runner add_serve_command(CLI::App* app) {
  auto o = std::make_shared<ServeOptions>();
  o->port = o->server.port;
  o->max_conns = static_cast<int32_t>(o->server.gate.max_connections);
  o->max_client_conns = static_cast<int32_t>(o->server.gate.max_client_connections);
  add_text(app, "-m,--model", &o->model, "GGUF model file (required)", "FILE");
  add_text(app, "--host", &o->server.host, "address to listen on (anything but loopback needs thought: --api-key)", "ADDR");
  add_int(app, "--port", &o->port, 0, 65535, "TCP port, 0 = any free port");
  o->api_key = add_text(app, "--api-key", &o->server.api_key,
                        "require Authorization: Bearer KEY (default: $EDGELLM_API_KEY, which keeps it out of ps)", "KEY");
  add_family_option(app, &o->family, std::string("chat template family when the model has none: ") + kChatFamilies);
  add_int(app, "--parallel", &o->parallel, 1, 64, "contexts (requests generating at once), each with its own arena");
  add_int(app, "--queue", &o->queue, 0, 4096, "requests that may wait for a context; beyond them: 503");
  add_int(app, "--max-connections", &o->max_conns, 1, 65535, "HTTP connections open at once, in total");
  add_int(app, "--max-client-connections", &o->max_client_conns, 1, 65535,
          "HTTP connections open at once from one client address (IPv6: one /64)");
  add_thread_options(app, &o->thr);
  add_memory_options(app, &o->mem);
  app->get_option("--ctx-size")
      ->description("context size in tokens per slot (1.." + std::to_string(kMaxCtx) +
                    ", 0 = the model's training context, at most " + std::to_string(kDefaultCtx) + ")");
  return [o] { return serve_main(*o); };
}

}  // namespace cli

#else  // built without cpp-httplib / nlohmann-json

#include <cstdio>

namespace cli {

Runner add_serve_command(CLI::App* app) {
  app->description(app->get_description() + " (not available in this build)");
  app->allow_extras();  // whatever the options, the answer is the one below
  return [] {
#if defined(EDGELLM_SERVE_MISSING)
    std::fprintf(stderr, "edgellm: serve is not available in this build: %s\n", EDGELLM_SERVE_MISSING);
#else
    std::fprintf(stderr, "edgellm: serve is not available in this build\n");
#endif
    return 1;
  };
}

}  // namespace cli

#endif

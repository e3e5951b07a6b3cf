#include "cli/server/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <random>

#include "cli/server/generation.h"
#include "cli/server/http_gate.h"
#include "cli/server/openai_json.h"

namespace cli::server {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(dump(body), "application/json");
}

void send_error(httplib::Response& res, const ApiError& e) { send_json(res, e.status, error_json(e)); }

// Compares in time that does not depend on where the strings differ.
bool same_secret(const std::string& given, const std::string& key) {
  if (key.empty()) return false;
  unsigned diff = given.size() != key.size() ? 1u : 0u;
  for (size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i]) ^ static_cast<unsigned char>(key[i % key.size()]);
  }
  return diff == 0;
}

// Status for a request whose client left (nginx's convention); nobody reads it.
constexpr int kClientClosed = 499;

struct Route {
  const char* path;
  const char* method;
};
constexpr Route kRoutes[] = {{"/v1/chat/completions", "POST"},
                             {"/v1/completions", "POST"},
                             {"/v1/models", "GET"},
                             {"/health", "GET"}};

// One generation request on its way through the server.
struct Work {
  uint64_t number = 0;
  Clock::time_point t0;
  GenerationRequest request;
  std::vector<edgellm_token> prompt;
  ResponseMeta meta;
  int32_t max_tokens = 0;
  uint64_t seed = 0;
  Connection* conn = nullptr;  // to notice a client that leaves (outlives the request)
  SlotLease lease;
};

}  // namespace

struct Server::Impl {
  ServerOptions opt;
  SlotPool* pool = nullptr;
  GatedServer http;
  std::atomic<uint64_t> requests{0};
  uint64_t seed_base = 0;
  int64_t started = 0;
  int bound_port = -1;

  void routes();
  void handle_post(const httplib::Request& hreq, httplib::Response& res, const httplib::ContentReader& read,
                   Endpoint endpoint);
  void handle_generation(const std::string& body, httplib::Response& res, Endpoint endpoint);
  void respond(Work& w, httplib::Response& res);
  bool stream(Work& w, httplib::DataSink& sink);
  GenerationJob job_for(Work& w) const;
  void log_result(const Work& w, const GenerationResult& r) const;
};

Server::Server(ServerOptions options, SlotPool* pool) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(options);
  impl_->pool = pool;
  impl_->seed_base = (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  impl_->started = static_cast<int64_t>(std::time(nullptr));
  impl_->routes();
}

Server::~Server() = default;

bool Server::bind(std::string* error) {
  Impl& s = *impl_;
  if (s.opt.port == 0) {
    s.bound_port = s.http.bind_to_any_port(s.opt.host);
  } else if (s.http.bind_to_port(s.opt.host, s.opt.port)) {
    s.bound_port = s.opt.port;
  }
  if (s.bound_port <= 0) {
    *error = "cannot listen on " + s.opt.host + ":" + std::to_string(s.opt.port) +
             " (port in use, or not an address of this machine?)";
    return false;
  }
  // Room for a burst of connections (the kernel caps it at net.core.somaxconn).
  s.http.widen_backlog(static_cast<int>(std::clamp<size_t>(s.opt.gate.max_connections * 8, 1024, 4096)));
  return true;
}

int Server::port() const { return impl_->bound_port; }
void Server::run() { impl_->http.listen_after_bind(); }

void Server::stop() {
  impl_->pool->shut_down();
  impl_->http.stop();
}

void Server::Impl::routes() {
  GateOptions gate = opt.gate;
  gate.max_body_bytes = opt.max_body_bytes;
  http.configure(gate);
  http.set_payload_max_length(opt.max_body_bytes);
  http.set_keep_alive_max_count(100);  // requests per connection (httplib's default: 5)
  // httplib's default also sets SO_REUSEPORT, which would let a second server
  // bind the same port and silently take half of the connections.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });

  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    // A connection over a cap (http_gate.h) is answered for /health only.
    const Connection* conn = Connection::current();
    if (conn && !conn->refusal().empty() && !(req.method == "GET" && req.path == "/health")) {
      res.set_header("Retry-After", "1");
      send_error(res, server_error(503, conn->refusal(), "too_many_connections"));
      return httplib::Server::HandlerResponse::Handled;
    }
    if (opt.api_key.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const std::string auth = req.get_header_value("Authorization");
    const std::string bearer = "Bearer ";
    if (auth.compare(0, bearer.size(), bearer) == 0 && same_secret(auth.substr(bearer.size()), opt.api_key)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.set_header("WWW-Authenticate", "Bearer");
    send_error(res, ApiError{401,
                             auth.empty() ? "no API key: send the header 'Authorization: Bearer KEY'"
                                          : "the API key is not valid",
                             "invalid_request_error", "", "invalid_api_key"});
    return httplib::Server::HandlerResponse::Handled;
  });

  http.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    const SlotPool::Counts c = pool->counts();
    const bool stopping = pool->shutting_down();
    send_json(res, stopping ? 503 : 200,
              json{{"status", stopping ? "shutting_down" : "ok"},
                   {"slots_total", c.slots},
                   {"slots_idle", c.slots - c.busy},
                   {"slots_processing", c.busy},
                   {"requests_waiting", c.waiting},
                   {"queue_size", c.max_queue}});
  });
  http.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, models_json(opt.model_id, started));
  });
  // The body is read here rather than by httplib, which would cap bodies
  // without a JSON content type (curl -d sends a form type) at 8 KiB.
  http.Post("/v1/chat/completions",
            [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& read) {
              handle_post(req, res, read, Endpoint::kChat);
            });
  http.Post("/v1/completions",
            [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& read) {
              handle_post(req, res, read, Endpoint::kCompletion);
            });

  // httplib's own errors (no route, body too large, malformed HTTP) get the
  // OpenAI error shape too; responses that already have a body keep it.
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty() || res.status == kClientClosed) return httplib::Server::HandlerResponse::Unhandled;
    ApiError e;
    e.status = res.status;
    if (res.status == 404) {
      for (const Route& r : kRoutes) {
        if (req.path == r.path) {
          e.status = 405;
          e.message = req.method + " is not allowed on " + req.path + "; use " + r.method;
          e.code = "method_not_allowed";
          res.set_header("Allow", r.method);
        }
      }
      if (e.status == 404) {
        e.message = "no route " + req.method + " " + req.path;
        e.code = "not_found";
      }
    } else if (res.status == 413) {
      e.message = "the request body is too large";
      e.code = "request_too_large";
    } else if (res.status == 400) {
      e.message = "malformed HTTP request";
    } else {
      e.message = "HTTP error " + std::to_string(res.status);
      if (res.status >= 500) e.type = "server_error";
    }
    send_error(res, e);
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    send_error(res, server_error(500, "internal error: " + what));
  });
}

void Server::Impl::handle_post(const httplib::Request& hreq, httplib::Response& res,
                               const httplib::ContentReader& read, Endpoint endpoint) {
  if (hreq.is_multipart_form_data()) {
    res.set_header("Connection", "close");  // the unread body must not be taken for a request
    return send_error(res, invalid_request("the request body must be JSON, not multipart form data", "",
                                           "invalid_json"));
  }
  std::string body;
  const size_t limit = opt.max_body_bytes;
  bool too_large = false;
  const bool complete = read([&body, &too_large, limit](const char* data, size_t n) {
    too_large = body.size() + n > limit;
    if (!too_large) body.append(data, n);
    return !too_large;
  });
  Connection* conn = Connection::current();
  if (complete && conn) conn->mark_body_read();
  if (!complete) {
    res.set_header("Connection", "close");
    if (conn && conn->read_timed_out()) {
      return send_error(res, ApiError{408, "the request body did not arrive in time", "invalid_request_error", "",
                                      "request_timeout"});
    }
    if (too_large || res.status == 413) {
      return send_error(res, ApiError{413, "the request body is larger than " + std::to_string(limit) + " bytes",
                                      "invalid_request_error", "", "request_too_large"});
    }
    return send_error(res, invalid_request("cannot read the request body", "", "invalid_body"));
  }
  handle_generation(body, res, endpoint);
}

void Server::Impl::handle_generation(const std::string& body, httplib::Response& res, Endpoint endpoint) {
  auto w = std::make_shared<Work>();
  w->number = ++requests;
  w->t0 = Clock::now();
  ApiError err;
  // Everything the library could refuse is checked here, before a slot is
  // taken or a stream commits to 200.
  if (!parse_request(body, endpoint, &w->request, &err) || !check_sampling(w->request, &err) ||
      !build_prompt(opt.prompt, w->request, &w->prompt, &err)) {
    return send_error(res, err);
  }
  const auto n_prompt = static_cast<int32_t>(w->prompt.size());
  w->max_tokens = fit_max_tokens(w->request, n_prompt, opt.prompt.n_ctx);
  w->seed = w->request.seed ? *w->request.seed : splitmix64(seed_base + w->number);
  char id[32];
  std::snprintf(id, sizeof id, "%016" PRIx64, splitmix64(seed_base ^ (w->number * 0x2545F4914F6CDD1Dull)));
  w->meta.id = std::string(endpoint == Endpoint::kChat ? "chatcmpl-" : "cmpl-") + id;
  w->meta.created = static_cast<int64_t>(std::time(nullptr));
  w->meta.model = opt.model_id;
  w->meta.endpoint = endpoint;
  w->conn = Connection::current();

  Connection* conn = w->conn;
  switch (pool->acquire([conn] { return conn && conn->client_gone(); }, &w->lease)) {
    case SlotPool::Outcome::kAcquired: break;
    case SlotPool::Outcome::kQueueFull: {
      const SlotPool::Counts c = pool->counts();
      res.set_header("Retry-After", "1");
      return send_error(res, server_error(503,
                                          "the server is busy: " + std::to_string(c.slots) +
                                              " requests are running and " + std::to_string(c.waiting) +
                                              " waiting (queue size " + std::to_string(c.max_queue) +
                                              "); retry later",
                                          "server_busy"));
    }
    case SlotPool::Outcome::kShuttingDown:
      return send_error(res, server_error(503, "the server is shutting down", "shutting_down"));
    case SlotPool::Outcome::kCancelled:
      std::fprintf(stderr, "edgellm serve: #%" PRIu64 " client left while queued\n", w->number);
      res.status = kClientClosed;
      return;
  }
  if (!w->request.stream) return respond(*w, res);
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream", [this, w](size_t, httplib::DataSink& sink) { return stream(*w, sink); },
      // Runs however the response ends, also when the provider never ran.
      [w](bool) { w->lease.release(); });
}

GenerationJob Server::Impl::job_for(Work& w) const {
  GenerationJob job;
  job.model = opt.prompt.model;
  job.ctx = w.lease.context();
  job.request = &w.request;
  job.prompt = &w.prompt;
  job.max_tokens = w.max_tokens;
  job.n_batch = opt.n_batch;
  job.seed = w.seed;
  Connection* conn = w.conn;
  job.client_gone = [conn] { return conn && conn->client_gone(); };
  SlotPool* p = pool;
  job.shutting_down = [p] { return p->shutting_down(); };
  return job;
}

void Server::Impl::log_result(const Work& w, const GenerationResult& r) const {
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - w.t0).count();
  const char* kind = w.meta.endpoint == Endpoint::kChat ? "chat" : "completion";
  switch (r.end) {
    case GenerationEnd::kFinished:
      std::fprintf(stderr, "edgellm serve: #%" PRIu64 " %s%s slot %d: %d prompt + %d completion tokens, %.1f ms, %s\n",
                   w.number, kind, w.request.stream ? " (stream)" : "", w.lease.index(), r.usage.prompt_tokens,
                   r.usage.completion_tokens, ms, r.finish_reason.c_str());
      break;
    case GenerationEnd::kClientGone:
      std::fprintf(stderr, "edgellm serve: #%" PRIu64 " %s slot %d: cancelled, client disconnected after %d tokens\n",
                   w.number, kind, w.lease.index(), r.usage.completion_tokens);
      break;
    case GenerationEnd::kShutdown:
      std::fprintf(stderr, "edgellm serve: #%" PRIu64 " %s slot %d: stopped by shutdown after %d tokens\n", w.number,
                   kind, w.lease.index(), r.usage.completion_tokens);
      break;
    case GenerationEnd::kFailed:
      std::fprintf(stderr, "edgellm serve: #%" PRIu64 " %s slot %d: failed: %s\n", w.number, kind, w.lease.index(),
                   r.error.c_str());
      break;
  }
}

void Server::Impl::respond(Work& w, httplib::Response& res) {
  TextStream text(w.request.stop);
  const GenerationResult r = run_generation(job_for(w), &text);
  log_result(w, r);
  w.lease.release();
  switch (r.end) {
    case GenerationEnd::kFinished:
      return send_json(res, 200, completion_json(w.meta, text.text(), r.finish_reason, r.usage));
    case GenerationEnd::kClientGone:
      res.status = kClientClosed;
      return;
    case GenerationEnd::kShutdown:
      return send_error(res, server_error(503, "the server is shutting down", "shutting_down"));
    case GenerationEnd::kFailed:
      return send_error(res, server_error(500, r.error, "generation_failed"));
  }
}

// Server-sent events: "data: {chunk}\n\n" per piece of text, a final chunk
// with finish_reason and usage, then "data: [DONE]\n\n". Returning false
// drops the connection (the client is gone).
bool Server::Impl::stream(Work& w, httplib::DataSink& sink) {
  try {
    auto send = [&sink](const json& j) {
      const std::string event = "data: " + dump(j) + "\n\n";
      return sink.write(event.data(), event.size());
    };
    // Chat streams open with the assistant's role.
    if (w.meta.endpoint == Endpoint::kChat && !send(chunk_json(w.meta, "", true, "", nullptr))) return false;
    TextStream text(w.request.stop);
    GenerationJob job = job_for(w);
    job.emit = [&](const std::string& delta) { return send(chunk_json(w.meta, delta, false, "", nullptr)); };
    const GenerationResult r = run_generation(job, &text);
    log_result(w, r);
    w.lease.release();
    switch (r.end) {
      case GenerationEnd::kFinished: break;
      case GenerationEnd::kClientGone: return false;
      case GenerationEnd::kShutdown:
        send(error_json(server_error(503, "the server is shutting down", "shutting_down")));
        sink.done();
        return true;
      case GenerationEnd::kFailed:
        send(error_json(server_error(500, r.error, "generation_failed")));
        sink.done();
        return true;
    }
    const std::string tail = text.take_ready();
    if (!tail.empty() && !send(chunk_json(w.meta, tail, false, "", nullptr))) return false;
    if (!send(chunk_json(w.meta, "", false, r.finish_reason, &r.usage))) return false;
    if (w.request.include_usage && !send(usage_chunk_json(w.meta, r.usage))) return false;
    static const char kDone[] = "data: [DONE]\n\n";
    if (!sink.write(kDone, sizeof kDone - 1)) return false;
    sink.done();
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edgellm serve: #%" PRIu64 " stream failed: %s\n", w.number, e.what());
    return false;
  }
}

}  // namespace cli::server

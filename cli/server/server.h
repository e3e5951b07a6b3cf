// The HTTP side of `edgellm serve`: routes, authentication, error shapes and
// the request flow (validate → tokenize → take a slot → generate → answer or
// stream). cpp-httplib, behind the gate of http_gate.h, runs each connection
// on a thread of its own; generation runs on that thread with the slot's
// context.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "cli/server/gate_options.h"
#include "cli/server/prompt.h"
#include "cli/server/slot_pool.h"

namespace cli::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                  // 0: any free port (see port())
  std::string api_key;              // empty: no authentication
  size_t max_body_bytes = 1 << 20;  // larger bodies get 413
  GateOptions gate;                 // connection caps and request deadlines
  int32_t n_batch = 512;            // prompt tokens per evaluate call
  std::string model_id;             // listed by /v1/models, echoed in responses
  PromptSetup prompt;
};

class Server {
 public:
  Server(ServerOptions options, SlotPool* pool);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  bool bind(std::string* error);  // before run()
  int port() const;               // the bound port
  void run();                     // serves until stop()
  void stop();                    // from any thread

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cli::server

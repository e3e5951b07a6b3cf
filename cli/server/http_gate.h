// cpp-httplib's Server with a gate in front of every request, against
// clients that are slow on purpose (slowloris) or too many:
//  - a connection's requests are read through a Connection (connection.h):
//    the whole head must arrive within head_timeout (from the connection's
//    start, or a keep-alive request's first byte) and at most max_head_bytes
//    long, else 408 / 431 and the connection closes; the body must arrive
//    within body_timeout + size / body_min_rate. Trickling bytes extend
//    nothing. A body left unread (refused early) closes the connection, so
//    it is never read as a next request.
//  - connections are counted per client and in total (conn_limits.h); one
//    over a cap is served once, for GET /health only (anything else gets
//    the 503 of Connection::refusal(), which the server's pre-routing
//    handler sends), with a head deadline of 1 s for max_refusing of them
//    at once and 50 ms for the others; when every thread is busy the 503 is
//    sent at once without reading.
//  - each connection gets a thread of its own (worker_pool.h), so slow
//    connections never delay a new one.
// The gate installs httplib's post-routing handler and new_task_queue.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>

#include "cli/server/conn_limits.h"
#include "cli/server/connection.h"
#include "cli/server/gate_options.h"

namespace cli::server {

class GatedServer : public httplib::Server {
 public:
  void configure(const GateOptions& options);  // before listening
  // After binding: a longer accept queue than httplib's 5, so a burst of
  // connections is not left to SYN retransmits (1 s, 3 s, ...).
  void widen_backlog(int backlog);
  const GateOptions& gate_options() const { return opt_; }

 private:
  bool process_and_close_socket(socket_t sock) override;
  void serve(Connection& conn, std::chrono::milliseconds first_head_timeout);
  bool stopping() const { return svr_sock_ == INVALID_SOCKET; }

  GateOptions opt_;
  std::unique_ptr<ConnectionLimits> limits_;
  std::atomic<size_t> refusing_{0};
};

}  // namespace cli::server

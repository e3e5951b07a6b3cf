// The limits of the HTTP gate (http_gate.h): connection caps and the time
// a client has to send a request. `edgellm serve` sets the caps from
// --max-connections and --max-client-connections.
#pragma once

#include <chrono>
#include <cstddef>

namespace cli::server {

struct GateOptions {
  size_t max_connections = 128;        // in total
  size_t max_client_connections = 32;  // from one client address (IPv6: one /64)
  std::chrono::milliseconds head_timeout{10000};  // request line + headers, whole
  std::chrono::milliseconds body_timeout{10000};  // plus the body's size at body_min_rate
  size_t body_min_rate = 32 * 1024;    // bytes per second
  size_t max_head_bytes = 64 * 1024;   // request line + headers
  size_t max_body_bytes = 1 << 20;     // a chunked body's deadline assumes this size
  std::chrono::milliseconds keep_alive_timeout{5000};  // idle wait for a next request
  // A connection over a cap is read only to answer GET /health: the first
  // max_refusing at once wait this long for their head, the others only
  // refused_glance (a probe sends its request with the handshake).
  std::chrono::milliseconds refused_head_timeout{1000};
  std::chrono::milliseconds refused_glance{50};
  size_t max_refusing = 16;
};

}  // namespace cli::server

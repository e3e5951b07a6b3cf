#include "cli/server/http_gate.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "cli/server/openai_json.h"
#include "cli/server/worker_pool.h"

namespace cli::server {
namespace {

using Clock = Connection::Clock;

// Set while a connection runs on the accepting thread because every worker
// is busy: it is answered without being read.
thread_local bool t_overflow = false;

constexpr size_t kWarmThreads = 4;

std::string raw_response(int status, const char* reason, const ApiError& e) {
  const std::string body = dump(error_json(e));
  std::string r = "HTTP/1.1 " + std::to_string(status) + " " + reason +
                  "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                  "\r\nConnection: close\r\n";
  if (status == 503) r += "Retry-After: 1\r\n";
  return r + "\r\n" + body;
}

void write_all(Connection& conn, const std::string& data) {
  for (size_t done = 0; done < data.size();) {
    const ssize_t n = conn.write(data.data() + done, data.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

std::string busy_response() {
  return raw_response(503, "Service Unavailable",
                      server_error(503, "the server is at its connection limit; retry later", "too_many_connections"));
}

std::string seconds(std::chrono::milliseconds t) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(t.count()) / 1000.0);
  return text;
}

}  // namespace

void GatedServer::configure(const GateOptions& options) {
  opt_ = options;
  limits_ = std::make_unique<ConnectionLimits>(opt_.max_connections, opt_.max_client_connections);
  // A thread per admitted connection, plus the refusing ones and a margin
  // for the connections that are answered "busy" at once.
  const size_t max_threads = opt_.max_connections + opt_.max_refusing + 4;
  new_task_queue = [max_threads] {
    return new WorkerPool(max_threads, kWarmThreads, [](WorkerPool::Job job) {
      t_overflow = true;
      job();
      t_overflow = false;
    });
  };
  // Answers that leave a body unread (or refuse the connection) close it:
  // say so to the client; an answer that says so (a handler's choice) ends
  // the connection too.
  set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    Connection* c = Connection::current();
    if (!c) return;
    if (!c->refusal().empty() || !c->request_fully_read()) {
      res.headers.erase("Keep-Alive");
      res.headers.erase("Connection");
      res.set_header("Connection", "close");
    }
    if (res.get_header_value("Connection") == "close") c->set_closing();
  });
}

void GatedServer::widen_backlog(int backlog) {
  const socket_t sock = svr_sock_;
  if (sock != INVALID_SOCKET) ::listen(sock, backlog);  // Linux takes a new backlog on a listening socket
}

bool GatedServer::process_and_close_socket(socket_t sock) {
  const auto write_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::seconds(write_timeout_sec_) + std::chrono::microseconds(write_timeout_usec_));
  Connection conn(sock, write_timeout, [this] { return stopping(); });
  if (t_overflow) {
    const std::string r = busy_response();
    send(sock, r.data(), r.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    return false;  // closed by ~Connection
  }
  ConnectionLimits::Ticket ticket = limits_->admit(client_of_socket(sock));
  const bool refused = !ticket.admitted();
  bool patient = false;  // a refused connection among the first max_refusing
  if (refused) {
    patient = refusing_.fetch_add(1) < opt_.max_refusing;
    if (!patient) --refusing_;
    conn.set_refusal(ticket.refusal());
  }
  {
    Connection::Scope scope(&conn);
    serve(conn, !refused ? opt_.head_timeout : patient ? opt_.refused_head_timeout : opt_.refused_glance);
  }
  if (patient) --refusing_;
  conn.close_gracefully();
  return true;
}

void GatedServer::serve(Connection& conn, std::chrono::milliseconds first_head_timeout) {
  const bool refused = !conn.refusal().empty();
  size_t left = refused ? 1 : std::max<size_t>(keep_alive_max_count_, 1);
  Clock::time_point head_deadline = Clock::now() + first_head_timeout;
  for (bool first = true; left > 0 && !stopping(); first = false) {
    if (!first) {
      // A request already buffered when the last answer was written was
      // pipelined: its client may have closed its side after sending.
      if (conn.has_buffered()) conn.set_pipelined();
      if (!conn.wait_for_data(Clock::now() + opt_.keep_alive_timeout)) return;
      head_deadline = Clock::now() + opt_.head_timeout;
    }
    switch (conn.wait_for_head(head_deadline, opt_.max_head_bytes)) {
      case HeadWait::kReady: break;
      case HeadWait::kTimeout:
        if (refused) {
          write_all(conn, raw_response(503, "Service Unavailable",
                                       server_error(503, conn.refusal(), "too_many_connections")));
        } else if (conn.received_any()) {
          write_all(conn, raw_response(408, "Request Timeout",
                                       ApiError{408, "the request head did not arrive within " +
                                                         seconds(opt_.head_timeout) + " s",
                                                "invalid_request_error", "", "request_timeout"}));
        }
        return;
      case HeadWait::kTooLarge:
        write_all(conn, raw_response(431, "Request Header Fields Too Large",
                                     ApiError{431, "the request head is larger than " +
                                                       std::to_string(opt_.max_head_bytes) + " bytes",
                                              "invalid_request_error", "", "request_header_too_large"}));
        return;
      case HeadWait::kClosed:
        // A client that closed its side mid-head may still read why.
        if (conn.has_buffered()) {
          write_all(conn, raw_response(400, "Bad Request",
                                       invalid_request("the connection was closed before the request head ended "
                                                       "(a blank line after CRLF-terminated header lines)",
                                                       "", "incomplete_request")));
        }
        return;
      case HeadWait::kStopped: return;
    }
    const int64_t body = declared_body_bytes(conn.head());
    const uint64_t size = body < 0 ? opt_.max_body_bytes : std::min<uint64_t>(static_cast<uint64_t>(body), opt_.max_body_bytes);
    const auto body_time = refused ? opt_.refused_head_timeout
                                   : opt_.body_timeout + std::chrono::milliseconds(size * 1000 / std::max<size_t>(opt_.body_min_rate, 1));
    conn.begin_request(body, Clock::now() + body_time);
    bool closed = false;
    const bool last = left == 1 || refused;
    if (!process_request(conn, last, closed, nullptr)) return;
    if (closed || last || conn.closing() || !conn.request_fully_read()) return;
    --left;
  }
}

}  // namespace cli::server

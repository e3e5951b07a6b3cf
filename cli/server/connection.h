// One client connection as the HTTP gate (http_gate.h) serves it: a
// cpp-httplib Stream over the socket.
//  - Reads are buffered for the whole connection, not per request, so a
//    pipelined request that arrived with the previous one is not lost.
//  - Reads fail after a deadline that covers a whole request (the gate sets
//    it from the head's size and the declared body size), however slowly
//    the bytes trickle in: one byte per second does not extend it.
//  - wait_for_head() waits until a complete request head (up to its blank
//    line) is buffered, bounded in time and size, before httplib parses it.
//  - client_gone() tells a running generation that the client has left.
// Handlers reach the connection their request arrived on through
// Connection::current() (each connection is served on one thread).
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cli::server {

enum class HeadWait { kReady, kClosed, kTimeout, kTooLarge, kStopped };

class Connection final : public httplib::Stream {
 public:
  using Clock = std::chrono::steady_clock;

  // stopping: polled while waiting, so a server shutdown ends every wait.
  Connection(int fd, std::chrono::milliseconds write_timeout, std::function<bool()> stopping);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // httplib::Stream
  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

  // Until `deadline`: true once a byte of a next request is buffered.
  bool wait_for_data(Clock::time_point deadline);
  // Until `deadline`: a whole request head buffered (kReady: head() is it),
  // the peer closed, time ran out, or max_bytes without the end of a head.
  HeadWait wait_for_head(Clock::time_point deadline, size_t max_bytes);
  std::string_view head() const;  // after kReady: the head, blank line included
  bool has_buffered() const { return begin_ < end_; }
  bool received_any() const { return received_ > 0; }  // bytes since wait_for_head began

  // The request that wait_for_head found: its body is `body_bytes` long
  // (-1: chunked, until the handler says it read it all), reads fail after
  // `deadline`.
  void begin_request(int64_t body_bytes, Clock::time_point deadline);
  bool read_timed_out() const { return timed_out_; }
  void mark_body_read() { body_read_ = true; }
  // Whether this request's head and body have been read to their end (else
  // the rest of the body would be taken for the next request).
  bool request_fully_read() const;
  // The client has pipelined: a request of its arrived before the answer to
  // the one before. Such a client may close its side once it has sent them
  // all and still read every answer, so a half-close no longer means gone.
  void set_pipelined() { pipelined_ = true; }
  // The answer says "Connection: close": no request after this one.
  void set_closing() { closing_ = true; }
  bool closing() const { return closing_; }

  // The client closed or reset the connection and no pipelined request is
  // waiting (a half-close with nothing pending counts, unless the client has
  // pipelined: one that sent further requests before closing its side still
  // waits for their answers).
  bool client_gone();

  // Non-empty: the connection is over a connection cap; only GET /health is
  // served on it (the text is the 503's message).
  const std::string& refusal() const { return refusal_; }
  void set_refusal(std::string text) { refusal_ = std::move(text); }

  // Closes the socket without losing the last answer: our side is shut for
  // writing and, when the client left bytes unread, what it still sends is
  // read and dropped for a moment, so the kernel does not answer unread
  // bytes with a reset.
  void close_gracefully();

  static Connection* current();  // the connection served on this thread, or null
  class Scope {                  // makes `c` current for its lifetime
   public:
    explicit Scope(Connection* c);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Connection* previous_;
  };

 private:
  enum class Fill { kData, kClosed, kTimeout, kStopped, kError };
  Fill fill(Clock::time_point deadline);  // receives more bytes into the buffer
  void compact();

  int fd_;
  std::chrono::milliseconds write_timeout_;
  std::function<bool()> stopping_;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;  // unread bytes: buf_[begin_, end_)
  size_t scanned_ = 0;          // bytes after begin_ already searched for the head's end
  size_t head_size_ = 0;
  uint64_t consumed_ = 0;       // bytes handed to httplib over the connection
  uint64_t request_start_ = 0;  // consumed_ when this request's head began
  uint64_t received_ = 0;
  int64_t body_bytes_ = 0;
  bool body_read_ = false;
  bool closing_ = false;
  bool pipelined_ = false;
  bool timed_out_ = false;
  bool peer_closed_ = false;
  Clock::time_point read_deadline_;
  std::string refusal_;
};

// "Content-Length" / "Transfer-Encoding: chunked" of a raw request head:
// the body's size, -1 for a chunked body, 0 for none (or an unreadable
// length, which httplib will refuse anyway).
int64_t declared_body_bytes(std::string_view head);

}  // namespace cli::server

#include "cli/server/connection.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cli::server {
namespace {

thread_local Connection* t_current = nullptr;

constexpr size_t kChunk = 16 * 1024;                        // bytes received per call
constexpr auto kStopPoll = std::chrono::milliseconds(200);  // how often waits look at `stopping`

int ms_until(Connection::Clock::time_point deadline, std::chrono::milliseconds cap) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Connection::Clock::now());
  return static_cast<int>(std::clamp(left, std::chrono::milliseconds(0), cap).count());
}

void address_of(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  ip.clear();
  port = 0;
  if ((peer ? getpeername(fd, sa, &len) : getsockname(fd, sa, &len)) != 0) return;
  char host[NI_MAXHOST], serv[NI_MAXSERV];
  if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host;
    port = std::atoi(serv);
  }
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

Connection::Connection(int fd, std::chrono::milliseconds write_timeout, std::function<bool()> stopping)
    : fd_(fd), write_timeout_(write_timeout), stopping_(std::move(stopping)) {}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

Connection* Connection::current() { return t_current; }
Connection::Scope::Scope(Connection* c) : previous_(t_current) { t_current = c; }
Connection::Scope::~Scope() { t_current = previous_; }

void Connection::compact() {
  if (begin_ == end_) {
    begin_ = end_ = 0;
  } else if (begin_ > 0 && buf_.size() - end_ < kChunk) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() - end_ < kChunk) buf_.resize(end_ + kChunk);
}

Connection::Fill Connection::fill(Clock::time_point deadline) {
  compact();
  for (;;) {
    if (stopping_ && stopping_()) return Fill::kStopped;
    if (Clock::now() >= deadline) return Fill::kTimeout;
    pollfd p{fd_, POLLIN, 0};
    const int r = poll(&p, 1, ms_until(deadline, kStopPoll));
    if (r < 0 && errno != EINTR) return Fill::kError;
    if (r <= 0) continue;
    const ssize_t n = recv(fd_, buf_.data() + end_, buf_.size() - end_, MSG_DONTWAIT);
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      received_ += static_cast<uint64_t>(n);
      return Fill::kData;
    }
    if (n == 0) {
      peer_closed_ = true;
      return Fill::kClosed;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return Fill::kError;
  }
}

bool Connection::is_readable() const {
  if (begin_ < end_) return true;
  pollfd p{fd_, POLLIN, 0};
  return poll(&p, 1, ms_until(read_deadline_, std::chrono::hours(1))) > 0;
}

bool Connection::is_writable() const {
  pollfd p{fd_, POLLOUT, 0};
  return poll(&p, 1, static_cast<int>(write_timeout_.count())) > 0 && !(p.revents & (POLLERR | POLLHUP));
}

ssize_t Connection::read(char* ptr, size_t size) {
  if (timed_out_) return -1;
  if (begin_ == end_) {
    switch (fill(read_deadline_)) {
      case Fill::kData: break;
      case Fill::kClosed: return 0;
      case Fill::kTimeout: timed_out_ = true; return -1;
      case Fill::kStopped:
      case Fill::kError: return -1;
    }
  }
  const size_t n = std::min(size, end_ - begin_);
  std::memcpy(ptr, buf_.data() + begin_, n);
  begin_ += n;
  consumed_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t Connection::write(const char* ptr, size_t size) {
  for (;;) {
    if (!is_writable()) return -1;
    const ssize_t n = send(fd_, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return n;
  }
}

void Connection::get_remote_ip_and_port(std::string& ip, int& port) const { address_of(fd_, true, ip, port); }
void Connection::get_local_ip_and_port(std::string& ip, int& port) const { address_of(fd_, false, ip, port); }

bool Connection::wait_for_data(Clock::time_point deadline) {
  while (begin_ == end_) {
    if (fill(deadline) != Fill::kData) return false;
  }
  return true;
}

HeadWait Connection::wait_for_head(Clock::time_point deadline, size_t max_bytes) {
  received_ = end_ - begin_;
  scanned_ = 0;
  for (;;) {
    // Empty lines before a request line are ignored (RFC 9112 2.2).
    while (begin_ < end_ && (buf_[begin_] == '\r' || buf_[begin_] == '\n')) {
      if (buf_[begin_] == '\r' && (begin_ + 1 == end_ || buf_[begin_ + 1] != '\n')) break;
      ++begin_;
      ++consumed_;
    }
    // The head ends with an empty line: "\r\n" right after a line's "\n"
    // (where httplib's header reader stops too).
    const std::string_view unread(buf_.data() + begin_, end_ - begin_);
    const size_t from = scanned_ >= 2 ? scanned_ - 2 : 0;
    const size_t at = unread.find("\n\r\n", from);
    if (at != std::string_view::npos) {
      head_size_ = at + 3;
      return head_size_ > max_bytes ? HeadWait::kTooLarge : HeadWait::kReady;
    }
    scanned_ = unread.size();
    if (unread.size() >= max_bytes) return HeadWait::kTooLarge;
    switch (fill(deadline)) {
      case Fill::kData: break;
      case Fill::kTimeout: return HeadWait::kTimeout;
      case Fill::kStopped: return HeadWait::kStopped;
      case Fill::kClosed:
      case Fill::kError: return HeadWait::kClosed;
    }
  }
}

std::string_view Connection::head() const { return std::string_view(buf_.data() + begin_, head_size_); }

void Connection::begin_request(int64_t body_bytes, Clock::time_point deadline) {
  request_start_ = consumed_;
  body_bytes_ = body_bytes;
  body_read_ = false;
  timed_out_ = false;
  read_deadline_ = deadline;
}

bool Connection::request_fully_read() const {
  if (timed_out_) return false;
  if (body_bytes_ < 0) return body_read_;
  return consumed_ >= request_start_ + head_size_ + static_cast<uint64_t>(body_bytes_);
}

bool Connection::client_gone() {
  if (fd_ < 0) return true;
  pollfd p{fd_, POLLIN | POLLRDHUP, 0};
  if (poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLHUP | POLLERR)) return true;  // reset, or closed both ways
  if (begin_ < end_ || pipelined_) return false;     // pipelined requests wait for their answers
  char c;
  const ssize_t n = recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return false;  // the same, still in the kernel
  if (n == 0) return true;  // end of stream: closed (or half-closed with nothing asked)
  return (p.revents & POLLRDHUP) != 0;
}

void Connection::close_gracefully() {
  if (fd_ < 0) return;
  ::shutdown(fd_, SHUT_WR);
  pollfd ready{fd_, POLLIN, 0};
  const bool unread = begin_ < end_ || !request_fully_read() || poll(&ready, 1, 0) > 0;
  if (!peer_closed_ && unread) {
    // Up to half a second and 256 KiB: enough for a client that reads our
    // answer and closes; a client that does neither loses nothing it asked for.
    const auto deadline = Clock::now() + std::chrono::milliseconds(500);
    char sink[4096];
    for (size_t drained = 0; drained < (256u << 10);) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, ms_until(deadline, std::chrono::milliseconds(500))) <= 0) break;
      const ssize_t n = recv(fd_, sink, sizeof sink, MSG_DONTWAIT);
      if (n <= 0) break;
      drained += static_cast<size_t>(n);
    }
  }
  ::close(fd_);
  fd_ = -1;
}

int64_t declared_body_bytes(std::string_view head) {
  int64_t length = 0;
  size_t pos = head.find('\n');  // the request line
  while (pos != std::string_view::npos && pos + 1 < head.size()) {
    const size_t next = head.find('\n', pos + 1);
    const std::string_view line = head.substr(pos + 1, next == std::string_view::npos ? head.npos : next - pos - 1);
    pos = next;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon), value = trim(line.substr(colon + 1));
    if (same_name(name, "transfer-encoding")) {
      for (size_t i = 0; i + 7 <= value.size(); ++i) {
        if (same_name(value.substr(i, 7), "chunked")) return -1;
      }
    } else if (same_name(name, "content-length")) {
      int64_t v = 0;
      for (const char c : value) {
        if (c < '0' || c > '9') {
          v = 0;
          break;
        }
        v = v > (INT64_MAX - 9) / 10 ? INT64_MAX : v * 10 + (c - '0');
      }
      length = v;
    }
  }
  return length;
}

}  // namespace cli::server

#include "cli/server/conn_limits.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace cli::server {

ConnectionLimits::Ticket::~Ticket() {
  if (owner_) owner_->release(key_);
}

ConnectionLimits::Ticket ConnectionLimits::admit(const std::string& client) {
  Ticket t;
  std::lock_guard<std::mutex> lock(mu_);
  size_t& mine = per_client_[client];
  if (total_ >= max_total_) {
    t.refusal_ = "the server holds its maximum of " + std::to_string(max_total_) + " connections; retry later";
  } else if (mine >= max_per_client_) {
    t.refusal_ = "too many connections from this client (at most " + std::to_string(max_per_client_) +
                 " at once); close some or retry later";
  } else {
    ++mine;
    ++total_;
    t.owner_ = this;
    t.key_ = client;
    return t;
  }
  if (mine == 0) per_client_.erase(client);
  return t;
}

void ConnectionLimits::release(const std::string& client) {
  std::lock_guard<std::mutex> lock(mu_);
  --total_;
  const auto it = per_client_.find(client);
  if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
}

size_t ConnectionLimits::total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

std::string client_of_socket(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "";
  char text[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    return text;
  }
  if (addr.ss_family != AF_INET6) return "";
  const auto* a6 = reinterpret_cast<const sockaddr_in6*>(&addr);
  if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
    in_addr v4;
    std::memcpy(&v4, a6->sin6_addr.s6_addr + 12, 4);
    inet_ntop(AF_INET, &v4, text, sizeof text);
    return text;
  }
  if (IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr)) return "::1";
  in6_addr net{};
  std::memcpy(net.s6_addr, a6->sin6_addr.s6_addr, 8);  // the /64 network
  inet_ntop(AF_INET6, &net, text, sizeof text);
  return std::string(text) + "/64";
}

}  // namespace cli::server

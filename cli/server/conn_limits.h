// How many connections the server holds at once: in total and per client.
// A client is its IP address (IPv4, or an IPv4-mapped IPv6 address read as
// IPv4) or, for IPv6, its /64 network, which one host usually owns whole.
// admit() counts a connection in, the returned Ticket counts it out.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace cli::server {

class ConnectionLimits {
 public:
  ConnectionLimits(size_t max_total, size_t max_per_client) : max_total_(max_total), max_per_client_(max_per_client) {}

  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& o) noexcept : owner_(o.owner_), key_(std::move(o.key_)), refusal_(std::move(o.refusal_)) {
      o.owner_ = nullptr;
    }
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();
    bool admitted() const { return owner_ != nullptr; }
    const std::string& refusal() const { return refusal_; }  // why not, when not admitted

   private:
    friend class ConnectionLimits;
    ConnectionLimits* owner_ = nullptr;
    std::string key_;
    std::string refusal_;
  };

  Ticket admit(const std::string& client);
  size_t total() const;

 private:
  void release(const std::string& client);
  const size_t max_total_, max_per_client_;
  mutable std::mutex mu_;
  size_t total_ = 0;
  std::unordered_map<std::string, size_t> per_client_;
};

// The client a socket's peer belongs to (see above); "" if unknown.
std::string client_of_socket(int fd);

}  // namespace cli::server

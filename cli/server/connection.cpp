#include "cli/server/connection.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cli::server {
namespace {

// An address as /proc/net/tcp{,6} prints it: each 32-bit word of the
// network-order bytes printed as a host-order %08X.
std::string proc_hex(const unsigned char* bytes, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; i += 4) {
    uint32_t word;
    std::memcpy(&word, bytes + i, 4);
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08X", word);
    s += buf;
  }
  return s;
}

// Inode of the TCP socket from remote_addr:remote_port to local_port; 0 if none.
unsigned long socket_inode(const std::string& remote_addr, int remote_port, int local_port) {
  unsigned char addr[16];
  const char* table = nullptr;
  std::string peer;
  if (inet_pton(AF_INET, remote_addr.c_str(), addr) == 1) {
    table = "/proc/net/tcp";
    peer = proc_hex(addr, 4);
  } else if (inet_pton(AF_INET6, remote_addr.c_str(), addr) == 1) {
    table = "/proc/net/tcp6";
    peer = proc_hex(addr, 16);
  } else {
    return 0;
  }
  char port[8];
  std::snprintf(port, sizeof port, ":%04X", remote_port & 0xFFFF);
  peer += port;
  std::snprintf(port, sizeof port, ":%04X", local_port & 0xFFFF);
  const std::string local_suffix = port;

  FILE* f = std::fopen(table, "r");
  if (!f) return 0;
  unsigned long found = 0;
  char line[512];
  bool titles = std::fgets(line, sizeof line, f) != nullptr;  // the first line names the columns
  while (titles && !found && std::fgets(line, sizeof line, f)) {
    // sl: local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    char local[64], rem[64];
    unsigned long inode = 0;
    if (std::sscanf(line, " %*d: %63s %63s %*x %*x:%*x %*x:%*x %*x %*u %*d %lu", local, rem, &inode) != 3) continue;
    const size_t n = std::strlen(local);
    if (inode != 0 && peer == rem && n > local_suffix.size() &&
        local_suffix == local + n - local_suffix.size()) {
      found = inode;
    }
  }
  std::fclose(f);
  return found;
}

}  // namespace

int find_connection_socket(const std::string& remote_addr, int remote_port, int local_port) {
  const unsigned long inode = socket_inode(remote_addr, remote_port, local_port);
  if (inode == 0) return -1;
  char want[64];
  std::snprintf(want, sizeof want, "socket:[%lu]", inode);
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return -1;
  int found = -1;
  while (const dirent* e = readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0') continue;
    char path[64], target[64];
    std::snprintf(path, sizeof path, "/proc/self/fd/%ld", fd);
    const ssize_t n = readlink(path, target, sizeof target - 1);
    if (n <= 0) continue;
    target[n] = '\0';
    if (std::strcmp(target, want) == 0) {
      found = static_cast<int>(fd);
      break;
    }
  }
  closedir(dir);
  return found;
}

bool peer_hung_up(int fd) {
  if (fd < 0) return false;
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  if (poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) return true;
  if (p.revents & POLLIN) {
    // Readable: either a pipelined request (data) or the end of the stream.
    char c;
    return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
  }
  return false;
}

}  // namespace cli::server

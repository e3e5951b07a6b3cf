// Noticing that a client has gone while its request runs. cpp-httplib 0.11
// does not give handlers the connection's socket (later versions add
// Request::is_connection_closed), so it is looked up once per request: the
// kernel's TCP table (/proc/net/tcp, tcp6) gives the inode of the socket
// with this request's address pair, and /proc/self/fd the descriptor that
// refers to that inode. Other connections' descriptors are never touched
// (their threads may be closing them), only their /proc entries read. The
// socket stays open until the handler returns.
#pragma once

#include <string>

namespace cli::server {

// The socket of the connection from remote_addr:remote_port to local_port
// (as httplib::Request reports them); -1 if none matches.
int find_connection_socket(const std::string& remote_addr, int remote_port, int local_port);

// True when the peer has closed or reset the connection (a half-close
// counts: the client will not read an answer it has stopped waiting for).
bool peer_hung_up(int fd);

}  // namespace cli::server

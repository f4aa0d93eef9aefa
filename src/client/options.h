#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace spate::client {

// One entry of the server pool: "nats://[user:pass@|token@]host[:port]", "tls://..." (TLS
// required for this server), "host:port" or "host".
struct ServerUrl {
  std::string host;
  int port = 4222;
  bool tls = false;            // from the tls:// scheme
  std::string user, password;  // from "user:pass@"
  std::string token;           // from "token@"
  bool implicit = false;       // learned from INFO connect_urls, not given by the user

  std::string HostPort() const;  // "host:port", IPv6 hosts in brackets
};

// Parses one server URL: the nats:// or tls:// scheme, or none (nats).
Result<ServerUrl> ParseServerUrl(std::string_view url);

class Connection;

// TLS, as the official clients do it: the connection upgrades to TLS after the server's INFO when
// the server requires it (tls_required) or the client does (`required` or a tls:// URL; then a
// server that offers no TLS is an error). The server certificate is verified against `ca_file`
// (else the system roots) and the host name.
struct TlsOptions {
  bool required = false;
  std::string ca_file;                // PEM; empty: the system's trusted roots
  std::string cert_file, key_file;    // client certificate chain and key (PEM), for verify: true
  std::string server_name;            // SNI and verified name; empty: the host of the URL
  bool insecure_skip_verify = false;  // accept any server certificate: for tests only
  // Start TLS right after the TCP connect, before the server's INFO (nats.go's
  // TLSHandshakeFirst; the server needs `handshake_first` too). Implies `required`.
  bool handshake_first = false;
};

// Connection settings, with nats.go's defaults. Plain data: copied into the connection.
struct Options {
  // Tried in this order on connect and on each reconnect pass; connect_urls from INFO follow.
  std::vector<std::string> servers = {"nats://127.0.0.1:4222"};
  std::string name;                   // shown in the server's /connz
  std::string user, password, token;  // used when the URL carries none
  TlsOptions tls;

  // Key-based authentication: the server's INFO carries a nonce, the client signs it (ed25519)
  // and sends the signature with its public key (nkey) or its user JWT. At most one of these:
  std::string nkey_seed;       // a user seed "SU..."
  std::string nkey_seed_file;  // a file holding one
  std::string creds_file;      // an nsc .creds file (user JWT + seed), read at every connect
  // Or both callbacks (a JWT and a signer kept elsewhere, e.g. in an HSM). They run on the
  // connection's I/O thread during each (re)connect handshake. sign_nonce returns the raw
  // 64-byte ed25519 signature of `nonce`.
  std::function<Result<std::string>()> user_jwt;
  std::function<Result<std::string>(std::string_view nonce)> sign_nonce;

  std::chrono::milliseconds connect_timeout{2000};  // TCP connect and INFO/CONNECT/PONG handshake
  std::chrono::milliseconds ping_interval{120000};  // keepalive PING period
  int max_pings_outstanding = 2;  // more unanswered keepalive PINGs than this: stale connection

  // Reconnect. A pass tries every server of the pool once; after a failed pass the connection
  // waits reconnect_wait * 2^(pass-1), capped at max_reconnect_wait, plus up to reconnect_jitter.
  bool allow_reconnect = true;
  int max_reconnect_attempts = 60;  // passes over the pool; -1: forever
  std::chrono::milliseconds reconnect_wait{2000};
  std::chrono::milliseconds max_reconnect_wait{30000};
  std::chrono::milliseconds reconnect_jitter{100};
  size_t reconnect_buffer_size = 8 << 20;  // bytes of publishes kept while disconnected; 0: none

  // While connected, Publish() blocks when this many bytes already wait for the socket (a slow
  // link or server), until the I/O thread has written enough, the link drops or Close().
  size_t max_pending_out_bytes = 32 << 20;

  bool no_echo = false;  // do not receive our own publishes
  bool headers = true;   // HPUB/HMSG and no-responders (needs a server with headers)

  // Per-subscription slow-consumer limits for callback and NextMsg subscriptions: a message that
  // would exceed them is dropped and the error callback is told (once until the backlog clears).
  size_t pending_msgs_limit = 65536;
  size_t pending_bytes_limit = 64 << 20;

  // Connection events. All run on the connection's dispatcher thread (the one that runs message
  // callbacks), in the order they happened, never with an internal lock held; they may call any
  // Connection method except destroying the Connection.
  std::function<void(Connection&, const Status&)> disconnected;  // why the link was lost
  std::function<void(Connection&)> reconnected;  // after resubscribing, before buffered publishes
  std::function<void(Connection&)> closed;       // the last event; no callback runs after it
  std::function<void(Connection&, const Status&)> error;  // -ERR from the server, slow consumer
};

}  // namespace spate::client

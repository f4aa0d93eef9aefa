#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocol/client_parser.h"
#include "server/authenticator.h"
#include "server/event_loop.h"
#include "server/outbound_buffer.h"
#include "server/permissions.h"

namespace spate::server {

class Account;
class Server;
class TlsConnection;
class TlsContext;
struct LoopContext;
struct ServerSubscription;

// Why a connection ended; the texts are nats-server's, used in logs.
enum class CloseReason : uint8_t {
  kClientClosed,
  kReadError,
  kWriteError,
  kProtocolViolation,
  kAuthViolation,
  kAuthTimeout,
  kStaleConnection,
  kSlowConsumerPending,
  kSlowConsumerDeadline,
  kMaxConnections,
  kServerShutdown,
  kMaxPayload,
  kTlsHandshakeError,
  kAuthExpired,  // a user JWT expired, or its allowed times ended
};
inline constexpr size_t kCloseReasonCount = static_cast<size_t>(CloseReason::kAuthExpired) + 1;
const char* CloseReasonText(CloseReason reason);

// One subscription as the monitor shows it.
struct SubscriptionInfo {
  std::string subject, queue, sid;
  uint64_t msgs = 0;  // messages delivered to it
  uint64_t max = 0;   // UNSUB max, 0: none
};

// A point-in-time copy of one connection's state and counters, for monitoring. Taken on the
// owning loop (open connections) or when the connection closes (the closed-connection ring).
// Times are wall-clock nanoseconds since the Unix epoch.
struct ConnectionInfo {
  uint64_t cid = 0;
  std::string ip;
  int port = 0;
  int64_t start_ns = 0;
  int64_t last_activity_ns = 0;
  int64_t stop_ns = 0;  // 0: open
  std::string reason;   // why it closed; empty while open
  int64_t rtt_ns = 0;
  size_t pending_bytes = 0;
  uint64_t in_msgs = 0, out_msgs = 0, in_bytes = 0, out_bytes = 0;
  uint32_t num_subs = 0;
  std::string name, lang, version, account;
  std::string authorized_user;         // the user it authenticated as, if any
  std::vector<SubscriptionInfo> subs;  // filled only when asked for (and always when closed)
};

// Wall-clock time in nanoseconds since the Unix epoch.
int64_t WallClockNs();

// Options the client sent in CONNECT. Defaults are nats-server's before any CONNECT.
struct ConnectOptions {
  bool verbose = true;
  bool pedantic = true;
  bool echo = true;
  bool headers = false;
  bool no_responders = false;
  int protocol = 0;
  std::string name, lang, version;
};

// One client connection: socket I/O, the protocol session, and its subscriptions.
// Lifecycle: created by the listener, started and owned by one loop (LoopContext::clients);
// closed on that loop. Other loops hold it through subscriptions only to deliver messages.
// Threading: protocol state (session_, subs_, in_*) is touched only on the owning loop. Output
// (out_, flags under out_mu_) may be appended and flushed from any loop.
class Client : public IoHandler, public std::enable_shared_from_this<Client> {
 public:
  // `tls`: set when the server requires TLS; the connection starts with its handshake.
  Client(Server& server, LoopContext& ctx, int fd, uint64_t id, std::string ip, int port,
         std::shared_ptr<const TlsContext> tls = nullptr);
  ~Client() override;

  uint64_t id() const { return id_; }
  LoopContext& loop_context() { return ctx_; }
  bool closed() const { return closed_.load(std::memory_order_acquire); }
  bool wants_headers() const { return headers_.load(std::memory_order_relaxed); }

  // On the owning loop.
  void Start();
  void OnEvent(uint32_t events) override;
  void Tick(std::chrono::steady_clock::time_point now);
  void CloseNow(CloseReason reason);
  // Copies this connection's state (with its subscriptions when `with_subs`).
  void Snapshot(bool with_subs, ConnectionInfo* out);
  // The loop's configuration was reloaded (LoopContext::config): applies its limits and, when
  // the authorization changed, checks the connection's credentials again (client_reload.cc).
  void OnConfigReload(bool authorization_changed);

  // From any loop.
  // Appends a MSG/HMSG frame for `sub`. Returns false if the connection is closed or now slow.
  bool QueueMsg(const ServerSubscription& sub, std::string_view subject, std::string_view reply,
                std::string_view headers, std::string_view payload);
  void QueueProto(std::string_view bytes);
  void Flush();
  void RequestClose(CloseReason reason);
  // Lame duck mode: sends the INFO with "ldm":true (Server::LameDuckInfo) on the owning loop, as
  // nats-server does, only to a client that takes async INFO (CONNECT "protocol" >= 1) and has
  // had the PONG to its first PING after CONNECT.
  void NotifyLameDuck();
  // Removes a subscription that reached its max from this client's table (posts to its loop).
  void ForgetSubscription(const std::shared_ptr<ServerSubscription>& sub);
  // A message was delivered to this client at `now_ns` (nats-server counts it as activity).
  void NoteDelivery(int64_t now_ns) { last_activity_ns_.store(now_ns, std::memory_order_relaxed); }
  // Whether a message may be delivered here (subscribe deny filters; records reply subjects
  // for allow_responses). Any loop.
  bool AllowDelivery(std::string_view subject, std::string_view reply, int64_t now_ns) {
    return !checks_deliveries_.load(std::memory_order_acquire) ||
           delivery_perms_.load(std::memory_order_acquire)->AllowDelivery(subject, reply, now_ns);
  }
  // When the current read started (wall clock ns); owning loop only.
  int64_t read_time_ns() const { return read_time_ns_; }
  // TLS, owning loop only. Whether the peer's certificate verified against the client CAs
  // (tls.verify / verify_and_map), and its identities in the order nats-server tries them for
  // verify_and_map (see TlsConnection::PeerNames); both set once the handshake is done.
  bool tls_verified() const { return tls_verified_; }
  const std::vector<std::string>& tls_peer_names() const { return tls_peer_names_; }

 private:
  void ReadOnce();
  // Where the next read goes: the loop's scratch buffer, or behind a pending partial frame.
  std::span<char> ReadTarget();
  // Handles `n` bytes just read into ReadTarget().
  void OnBytesRead(std::span<char> target, size_t n);
  // TLS (client_tls.cc), owning loop only.
  void StartTls();
  void OnTlsEvent(uint32_t events);
  void ContinueTlsHandshake();
  void ReadTls();
  void PostTlsFlush();
  void SetWriteInterest(bool want_write);  // under out_mu_
  size_t ProcessInput(std::span<const char> data);
  void KeepPartialInput(std::span<const char> data, size_t consumed);
  void Dispatch(const protocol::ClientOp& op);
  void OnConnect(const protocol::ConnectOp& op);
  void OnPub(const protocol::PubOp& op);
  void OnSub(const protocol::SubOp& op);
  void OnUnsub(const protocol::UnsubOp& op);
  // Moves the connection into the user's account and applies its permissions.
  // False when the account is full (the connection is then closed).
  bool BindUser(const AuthenticatedUser& user);
  // Installs the user's permissions (none: everything allowed). Subscriptions they no longer
  // allow are removed with -ERR, as nats-server does on a reload.
  void SetPermissions(const std::optional<Permissions>& permissions);
  // The parser's limits: the loop's configuration, and a JWT user's payload limit.
  void ApplyLimits();
  // After a reload: the credentials checked again against the new configuration.
  void ApplyReauthentication(Result<AuthenticatedUser> who);
  // The rest of CONNECT once the credentials were checked (inline or on an auth worker).
  void FinishAuthentication(Result<AuthenticatedUser> who);
  void CompleteConnect();
  // Tells the server's ConnectionObserver (the $SYS events), if any, once per connection.
  void ReportConnect();
  // Stops or restarts reading the socket (EPOLLIN) while a login is checked elsewhere.
  void SetReadPaused(bool paused);
  // Processes the input kept while reading was paused, then reads again.
  void ResumeInput();
  std::string AuthDescription() const { return "User \"" + auth_user_ + "\""; }
  void SendErrAndClose(std::string_view err, CloseReason reason);
  void SendOk();
  void RemoveAllSubscriptions();
  void FlushLocked();
  std::string Describe() const;

  Server& server_;
  LoopContext& ctx_;
  const int fd_;
  const uint64_t id_;
  const std::string ip_;
  const int port_;
  std::shared_ptr<Account> account_;
  std::chrono::steady_clock::time_point created_;
  const int64_t start_ns_;  // wall clock at accept

  // Session state, owning loop only.
  protocol::ClientParser parser_;
  ConnectOptions opts_;
  bool connect_received_ = false;
  bool first_pong_sent_ = false;  // a PING answered after CONNECT (nats-server's firstPongSent)
  bool auth_required_ = false;
  bool closing_ = false;
  bool auth_pending_ = false;      // a login is being checked on an auth worker
  bool connect_reported_ = false;  // the ConnectionObserver heard of this connection
  int64_t max_subs_ = -1;          // a JWT user's subscription limit; -1: the server's
  int64_t auth_expires_ns_ = 0;    // wall clock: a JWT user's login ends then; 0: never
  std::string auth_user_;
  std::string nonce_;  // sent in INFO when nkeys or JWTs are in use
  // What CONNECT presented, kept to check it again when the configuration is reloaded (as
  // nats-server keeps its client options).
  ConnectCredentials creds_;
  int64_t user_max_payload_ = -1;  // a JWT user's payload limit; -1: none
  // The permissions in force (owning loop), what they were compiled from, and those a reload
  // replaced: delivering loops may still read one through delivery_perms_, so they live as long
  // as the connection.
  std::unique_ptr<ClientPermissions> perms_;
  std::optional<Permissions> permissions_;
  std::vector<std::unique_ptr<ClientPermissions>> retired_perms_;
  std::atomic<ClientPermissions*> delivery_perms_{nullptr};
  std::atomic<bool> checks_deliveries_{false};
  int pings_out_ = 0;
  std::chrono::steady_clock::time_point next_ping_;
  std::unordered_map<std::string, std::shared_ptr<ServerSubscription>> subs_;
  std::unique_ptr<char[]> in_buf_;  // a partial frame carried across reads
  size_t in_len_ = 0;
  size_t in_cap_ = 0;
  // Monitoring counters, owning loop only (read through Snapshot on that loop).
  uint64_t in_msgs_ = 0;
  uint64_t in_bytes_ = 0;
  int64_t read_time_ns_ = 0;
  int64_t rtt_ns_ = 0;
  std::chrono::steady_clock::time_point ping_sent_{};

  // Output, any loop, under out_mu_.
  std::mutex out_mu_;
  OutboundBuffer out_;
  uint64_t out_msgs_ = 0;                     // under out_mu_
  uint64_t out_bytes_ = 0;                    // under out_mu_
  std::atomic<int64_t> last_activity_ns_{0};  // written by any delivering loop
  bool write_armed_ = false;
  bool read_paused_ = false;  // under out_mu_
  std::chrono::steady_clock::time_point stalled_since_{};
  std::atomic<bool> closed_{false};
  std::atomic<bool> close_requested_{false};
  std::atomic<bool> headers_{false};
  const size_t max_pending_;

  // TLS. tls_ is fixed at construction (other loops test it without a lock); the SSL object
  // behind it is used only on the owning loop, with out_mu_ held for writes.
  const std::shared_ptr<const TlsContext> tls_context_;  // kept alive across TLS reloads
  const std::unique_ptr<TlsConnection> tls_;
  std::atomic<bool> tls_flush_posted_{false};  // a Flush from another loop is on its way
  bool tls_verified_ = false;                  // owning loop
  std::vector<std::string> tls_peer_names_;    // owning loop
};

}  // namespace spate::server

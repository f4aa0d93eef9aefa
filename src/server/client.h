#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "protocol/client_parser.h"
#include "server/event_loop.h"
#include "server/outbound_buffer.h"

namespace spate::server {

class Account;
class Server;
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
};
const char* CloseReasonText(CloseReason reason);

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
  Client(Server& server, LoopContext& ctx, int fd, uint64_t id, std::string ip, int port);
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

  // From any loop.
  // Appends a MSG/HMSG frame for `sub`. Returns false if the connection is closed or now slow.
  bool QueueMsg(const ServerSubscription& sub, std::string_view subject, std::string_view reply,
                std::string_view headers, std::string_view payload);
  void QueueProto(std::string_view bytes);
  void Flush();
  void RequestClose(CloseReason reason);
  // Removes a subscription that reached its max from this client's table (posts to its loop).
  void ForgetSubscription(const std::shared_ptr<ServerSubscription>& sub);

 private:
  void ReadOnce();
  size_t ProcessInput(std::span<const char> data);
  void KeepPartialInput(std::span<const char> data, size_t consumed);
  void Dispatch(const protocol::ClientOp& op);
  void OnConnect(const protocol::ConnectOp& op);
  void OnPub(const protocol::PubOp& op);
  void OnSub(const protocol::SubOp& op);
  void OnUnsub(const protocol::UnsubOp& op);
  bool Authenticate(const std::string& user, const std::string& pass, const std::string& token);
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

  // Session state, owning loop only.
  protocol::ClientParser parser_;
  ConnectOptions opts_;
  bool connect_received_ = false;
  bool auth_required_ = false;
  bool closing_ = false;
  int pings_out_ = 0;
  std::chrono::steady_clock::time_point next_ping_;
  std::unordered_map<std::string, std::shared_ptr<ServerSubscription>> subs_;
  std::unique_ptr<char[]> in_buf_;  // a partial frame carried across reads
  size_t in_len_ = 0;
  size_t in_cap_ = 0;

  // Output, any loop, under out_mu_.
  std::mutex out_mu_;
  OutboundBuffer out_;
  bool write_armed_ = false;
  std::chrono::steady_clock::time_point stalled_since_{};
  std::atomic<bool> closed_{false};
  std::atomic<bool> close_requested_{false};
  std::atomic<bool> headers_{false};
  const size_t max_pending_;
};

}  // namespace spate::server

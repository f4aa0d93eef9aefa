#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "client/connection.h"
#include "client/link.h"
#include "client/nuid.h"
#include "protocol/server_parser.h"

// Internal to the client library: the state shared by the API, the I/O thread and the
// dispatcher thread. One mutex (mu_) guards everything below it that is not atomic; callbacks
// never run with it held. Lock order: mu_ only (SubState has no lock of its own).
namespace spate::client::detail {

struct SignedAuth;

struct SubState {
  std::weak_ptr<ConnectionCore> core;
  uint64_t sid = 0;
  std::string subject, queue;
  MsgTakeHandler handler;       // empty for synchronous subscriptions and the request inbox
  MsgViewHandler view_handler;  // inline subscriptions: run on the I/O thread, no lock held
  bool sync = false;
  bool request_mux = false;  // the shared _INBOX.<nuid>.* subscription

  // Readable without the lock (Subscription accessors, and the I/O thread's inline delivery).
  // `active` is written under mu_; `delivered` only by the I/O thread (under mu_ except for
  // inline subscriptions); `max` under mu_ (0: no limit). For inline subscriptions the I/O
  // thread stores `delivered` then loads `max`, and AutoUnsubscribe stores `max` then loads
  // `delivered` (both seq_cst): whichever comes second sees the limit reached and removes it.
  std::atomic<bool> active{true};
  std::atomic<uint64_t> delivered{0};
  std::atomic<uint64_t> max{0};
  std::atomic<size_t> pending_msgs{0};
  std::atomic<uint64_t> dropped{0};
  // Under mu_.
  size_t pending_bytes = 0;
  bool slow_reported = false;
  std::deque<Msg> msgs;  // sync subscriptions
};

struct PongWaiter {
  bool done = false;
  Status status;
};

struct RequestWaiter {
  bool done = false;
  Status status;
  Msg msg;
};

// Work for the dispatcher thread: a message for a subscription, or an event callback.
struct DispatchTask {
  std::shared_ptr<SubState> sub;
  Msg msg;
  size_t bytes = 0;
  std::function<void()> event;
};

// A socket read buffer that the parser reads in place; only a partial frame is moved.
struct ReadBuffer {
  std::vector<char> data = std::vector<char>(64 * 1024);
  size_t begin = 0, end = 0;
  void Clear() { begin = end = 0; }
  void Compact(size_t needed);
};

class ConnectionCore : public std::enable_shared_from_this<ConnectionCore> {
 public:
  explicit ConnectionCore(Options options);
  ~ConnectionCore();

  Status Start(Connection* owner);  // resolves the pool, starts threads, waits for the handshake
  Status Publish(std::string_view subject, std::string_view reply, const Headers* headers,
                 std::string_view data);
  Result<Subscription> Subscribe(std::string_view subject, std::string_view queue,
                                 MsgTakeHandler handler, bool sync);
  Result<Subscription> SubscribeInline(std::string_view subject, std::string_view queue,
                                       MsgViewHandler handler);
  Status Unsubscribe(SubState& sub, uint64_t max);
  Result<Msg> NextMsg(SubState& sub, std::chrono::milliseconds timeout);
  Result<Msg> Request(std::string_view subject, const Headers* headers, std::string_view data,
                      std::chrono::milliseconds timeout);
  Status Flush(std::chrono::milliseconds timeout);
  Status Drain(std::chrono::milliseconds timeout);
  void Close();

  ConnectionStatus status() const;
  std::string ConnectedServer() const;
  std::vector<std::string> Servers() const;
  uint64_t Reconnects() const;
  size_t MaxPayload() const;
  bool OnIoThread() const { return std::this_thread::get_id() == io_thread_id_; }

 private:
  using Clock = std::chrono::steady_clock;

  // connection.cc
  void AppendOutLocked(std::string_view bytes);
  void PostEventLocked(std::function<void()> fn);
  void ReportErrorLocked(Status status);
  Status CheckSubscribeLocked(std::string_view subject, std::string_view queue) const;
  std::shared_ptr<SubState> AddSubLocked(std::string_view subject, std::string_view queue,
                                         MsgTakeHandler handler, bool sync, bool request_mux,
                                         MsgViewHandler view_handler = {});
  void RemoveSubLocked(SubState& sub);
  void FailWaitersLocked(const Status& why, bool requests_too);
  void DispatchMain();

  // io_loop.cc
  void IoMain();
  Status Handshake(const ServerUrl& url, Link* out);
  Status StartTls(Link& link, const ServerUrl& url, Clock::time_point deadline);
  Status RunConnected(Link& link);
  bool ReconnectLoop();
  Status HandleOp(const protocol::ServerOp& op);
  // delivery.cc
  void DeliverMsg(const protocol::MsgOp& m);
  void DeliverInline(SubState& sub, const protocol::MsgOp& m);
  // Delivers `m` to an ordinary subscription, or returns the inline subscription it is for.
  std::shared_ptr<SubState> DeliverLocked(uint64_t sid, const protocol::MsgOp& m);
  // Messages queued for NextMsg waiters or the dispatcher wake them once per read, not once per
  // message: a consumer that keeps up would otherwise be woken (a futex syscall each side) for
  // every message. DeliverLocked marks what needs waking; the I/O thread calls this after it
  // parsed what it read. I/O thread only.
  void WakeReceivers();
  bool wake_sync_ = false;
  bool wake_dispatcher_ = false;
  void ProcessInfoLocked(std::string_view json);
  std::string ConnectJson(const ServerUrl& url, bool secure, const SignedAuth& signed_auth) const;
  std::string ResubscribeLocked() const;
  void Wake();

  const Options options_;
  Connection* owner_ = nullptr;
  int wake_fd_ = -1;  // eventfd: wakes the I/O thread's poll
  // The I/O thread is (about to be) blocked in poll with nothing to write: the next append to
  // out_ must wake it. Otherwise it writes out_ before it polls again, and a publisher need not
  // pay a syscall (and the I/O thread a wake-up) per message. Guarded by mu_.
  bool io_polling_ = false;
  void WakeForOutLocked() {
    if (io_polling_) {
      io_polling_ = false;
      Wake();
    }
  }
  std::thread io_thread_, dispatch_thread_;
  std::thread::id io_thread_id_;
  std::mutex join_mu_;  // serialises joining io_thread_ (Close() may run on several threads)

  // I/O thread only.
  protocol::ServerParser parser_;
  ReadBuffer rbuf_;
  int pings_out_ = 0;
  Link link_;
  std::unique_ptr<TlsContext> tls_ctx_;  // built in Start() when TLS is configured, else lazily
  // Inline subscriptions by sid, so that their messages need no lock: an entry found inactive
  // (unsubscribed, max reached) is dropped and the sid looked up again under mu_.
  std::unordered_map<uint64_t, std::shared_ptr<SubState>> inline_subs_;

  mutable std::mutex mu_;
  std::condition_variable cv_;        // waiters: Connect, Flush, Request, NextMsg, Drain
  std::condition_variable tasks_cv_;  // the dispatcher
  ConnectionStatus status_ = ConnectionStatus::kConnecting;
  Status connect_result_;
  // Written under mu_; atomic because the I/O thread checks it without mu_ after each message,
  // since an inline handler may have called Close().
  std::atomic<bool> close_requested_{false};
  bool io_done_ = false;
  std::vector<ServerUrl> pool_;
  std::string connected_server_;
  size_t max_payload_ = 1 << 20;
  bool server_headers_ = true;
  uint64_t reconnects_ = 0;
  std::string out_;             // bytes for the socket while connected
  size_t writing_unsent_ = 0;   // bytes the I/O thread took from out_ and has not written yet
  int blocked_publishers_ = 0;  // Publish() calls waiting for max_pending_out_bytes
  std::string reconnect_buf_;   // publishes while reconnecting
  std::map<uint64_t, std::shared_ptr<SubState>> subs_;
  uint64_t next_sid_ = 1;
  std::deque<std::shared_ptr<PongWaiter>> pongs_;  // nullptr: a keepalive PING
  std::string resp_prefix_;                        // "_INBOX.<nuid>." once subscribed
  std::unordered_map<std::string, std::shared_ptr<RequestWaiter>> requests_;
  Nuid nuid_;
  std::deque<DispatchTask> tasks_;
  bool dispatch_busy_ = false;
  bool dispatch_stop_ = false;
  std::thread::id dispatch_thread_id_;
};

}  // namespace spate::client::detail

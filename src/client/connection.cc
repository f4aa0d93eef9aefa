#include "client/connection.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>

#include "client/connection_core.h"
#include "client/user_auth.h"
#include "protocol/client_encoder.h"

namespace spate::client {

using detail::ConnectionCore;
using detail::SubState;

// ---- Connection: the public facade ----

Result<std::unique_ptr<Connection>> Connection::Connect(Options options) {
  auto core = std::make_shared<ConnectionCore>(std::move(options));
  std::unique_ptr<Connection> conn(new Connection(core));
  SPATE_RETURN_IF_ERROR(core->Start(conn.get()));
  return conn;
}

Result<std::unique_ptr<Connection>> Connection::Connect(std::string_view url) {
  Options options;
  options.servers = {std::string(url)};
  return Connect(std::move(options));
}

Connection::~Connection() { core_->Close(); }

Status Connection::Publish(std::string_view subject, std::string_view data) {
  return core_->Publish(subject, {}, nullptr, data);
}
Status Connection::Publish(std::string_view subject, std::string_view reply, const Headers& headers,
                           std::string_view data) {
  return core_->Publish(subject, reply, headers.empty() ? nullptr : &headers, data);
}
Result<Subscription> Connection::Subscribe(std::string_view subject, MsgHandler handler) {
  return core_->Subscribe(subject, {}, MsgTakeHandler(std::move(handler)), false);
}
Result<Subscription> Connection::QueueSubscribe(std::string_view subject, std::string_view queue,
                                                MsgHandler handler) {
  if (queue.empty()) return Status::InvalidArgument("empty queue group");
  return core_->Subscribe(subject, queue, MsgTakeHandler(std::move(handler)), false);
}
Result<Subscription> Connection::SubscribeTake(std::string_view subject, MsgTakeHandler handler) {
  return core_->Subscribe(subject, {}, std::move(handler), false);
}
Result<Subscription> Connection::QueueSubscribeTake(std::string_view subject,
                                                    std::string_view queue,
                                                    MsgTakeHandler handler) {
  if (queue.empty()) return Status::InvalidArgument("empty queue group");
  return core_->Subscribe(subject, queue, std::move(handler), false);
}
Result<Subscription> Connection::SubscribeInline(std::string_view subject, MsgViewHandler handler) {
  return core_->SubscribeInline(subject, {}, std::move(handler));
}
Result<Subscription> Connection::QueueSubscribeInline(std::string_view subject,
                                                      std::string_view queue,
                                                      MsgViewHandler handler) {
  if (queue.empty()) return Status::InvalidArgument("empty queue group");
  return core_->SubscribeInline(subject, queue, std::move(handler));
}
Result<Subscription> Connection::SubscribeSync(std::string_view subject) {
  return core_->Subscribe(subject, {}, {}, true);
}
Result<Subscription> Connection::QueueSubscribeSync(std::string_view subject,
                                                    std::string_view queue) {
  if (queue.empty()) return Status::InvalidArgument("empty queue group");
  return core_->Subscribe(subject, queue, {}, true);
}
Result<Msg> Connection::Request(std::string_view subject, std::string_view data,
                                std::chrono::milliseconds timeout) {
  return core_->Request(subject, nullptr, data, timeout);
}
Result<Msg> Connection::Request(std::string_view subject, const Headers& headers,
                                std::string_view data, std::chrono::milliseconds timeout) {
  return core_->Request(subject, headers.empty() ? nullptr : &headers, data, timeout);
}
Status Connection::Flush(std::chrono::milliseconds timeout) { return core_->Flush(timeout); }
Status Connection::Drain(std::chrono::milliseconds timeout) { return core_->Drain(timeout); }
void Connection::Close() { core_->Close(); }
ConnectionStatus Connection::status() const { return core_->status(); }
std::string Connection::ConnectedServer() const { return core_->ConnectedServer(); }
std::vector<std::string> Connection::Servers() const { return core_->Servers(); }
uint64_t Connection::Reconnects() const { return core_->Reconnects(); }
size_t Connection::MaxPayload() const { return core_->MaxPayload(); }
bool Connection::OnIoThread() const { return core_->OnIoThread(); }

// ---- Subscription handle ----

Status Subscription::Unsubscribe() { return AutoUnsubscribe(0); }
Status Subscription::AutoUnsubscribe(uint64_t max) {
  if (!state_) return Status::InvalidArgument("empty subscription handle");
  auto core = state_->core.lock();
  if (!core) return ClosedError();
  return core->Unsubscribe(*state_, max);
}
Result<Msg> Subscription::NextMsg(std::chrono::milliseconds timeout) {
  if (!state_) return Status::InvalidArgument("empty subscription handle");
  if (!state_->sync) return Status::InvalidArgument("NextMsg on a callback subscription");
  auto core = state_->core.lock();
  if (!core) return ClosedError();
  return core->NextMsg(*state_, timeout);
}
bool Subscription::IsActive() const { return state_ && state_->active.load(); }
uint64_t Subscription::sid() const { return state_ ? state_->sid : 0; }
const std::string& Subscription::subject() const {
  static const std::string kEmpty;
  return state_ ? state_->subject : kEmpty;
}
uint64_t Subscription::Delivered() const { return state_ ? state_->delivered.load() : 0; }
size_t Subscription::PendingMsgs() const { return state_ ? state_->pending_msgs.load() : 0; }
uint64_t Subscription::Dropped() const { return state_ ? state_->dropped.load() : 0; }

namespace detail {
namespace {

bool ValidSubject(std::string_view s, bool wildcards_ok) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return false;
    if (c == '.' && s[i + 1] == '.') return false;
    if (!wildcards_ok && (c == '*' || c == '>')) {
      const bool whole_token =
          (i == 0 || s[i - 1] == '.') && (i + 1 == s.size() || s[i + 1] == '.');
      if (whole_token) return false;
    }
  }
  return true;
}

bool ValidToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return false;
  }
  return true;
}

}  // namespace

void ReadBuffer::Compact(size_t needed) {
  if (begin > 0) {
    std::memmove(data.data(), data.data() + begin, end - begin);
    end -= begin;
    begin = 0;
  }
  if (needed > data.size()) data.resize(needed);
  if (end == data.size()) data.resize(data.size() * 2);
}

ConnectionCore::ConnectionCore(Options options) : options_(std::move(options)) {}

ConnectionCore::~ConnectionCore() {
  Close();
  {
    std::lock_guard join_lock(join_mu_);
    if (io_thread_.joinable()) io_thread_.join();
  }
  if (dispatch_thread_.joinable()) {
    if (std::this_thread::get_id() == dispatch_thread_id_) {
      dispatch_thread_.detach();  // destroyed from a callback: documented as not allowed
    } else {
      dispatch_thread_.join();
    }
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

Status ConnectionCore::Start(Connection* owner) {
  owner_ = owner;
  for (const std::string& url : options_.servers) {
    SPATE_ASSIGN_OR_RETURN(ServerUrl parsed, ParseServerUrl(url));
    pool_.push_back(std::move(parsed));
  }
  if (pool_.empty()) return Status::InvalidArgument("no server URL");
  SPATE_RETURN_IF_ERROR(ValidateUserAuth(options_));
  const TlsOptions& tls = options_.tls;
  bool tls_configured = tls.required || tls.handshake_first || !tls.ca_file.empty() ||
                        !tls.cert_file.empty() || !tls.key_file.empty();
  for (const ServerUrl& url : pool_) tls_configured |= url.tls;
  if (tls_configured) {
    // Bad files fail Connect() here, with the file named, rather than each handshake.
    SPATE_ASSIGN_OR_RETURN(tls_ctx_, TlsContext::Create(tls));
  }
  if (options_.max_pings_outstanding < 1) {
    return Status::InvalidArgument("max_pings_outstanding must be at least 1");
  }
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return Status::IoError(std::string("eventfd: ") + std::strerror(errno));
  dispatch_thread_ = std::thread([this] { DispatchMain(); });
  dispatch_thread_id_ = dispatch_thread_.get_id();
  io_thread_ = std::thread([this] { IoMain(); });
  io_thread_id_ = io_thread_.get_id();
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return status_ != ConnectionStatus::kConnecting; });
  if (!connect_result_.ok()) {
    Status result = connect_result_;
    lock.unlock();
    {
      std::lock_guard join_lock(join_mu_);
      io_thread_.join();
    }
    dispatch_thread_.join();
    return result;
  }
  return Status::Ok();
}

void ConnectionCore::Wake() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
}

void ConnectionCore::AppendOutLocked(std::string_view bytes) {
  out_.append(bytes);
  WakeForOutLocked();
}

void ConnectionCore::PostEventLocked(std::function<void()> fn) {
  if (!fn) return;
  DispatchTask task;
  task.event = std::move(fn);
  tasks_.push_back(std::move(task));
  tasks_cv_.notify_one();
}

void ConnectionCore::ReportErrorLocked(Status status) {
  if (!options_.error) return;
  PostEventLocked([this, status = std::move(status)] { options_.error(*owner_, status); });
}

std::shared_ptr<SubState> ConnectionCore::AddSubLocked(std::string_view subject,
                                                       std::string_view queue,
                                                       MsgTakeHandler handler, bool sync,
                                                       bool request_mux,
                                                       MsgViewHandler view_handler) {
  auto sub = std::make_shared<SubState>();
  sub->core = weak_from_this();
  sub->sid = next_sid_++;
  sub->subject = subject;
  sub->queue = queue;
  sub->handler = std::move(handler);
  sub->view_handler = std::move(view_handler);
  sub->sync = sync;
  sub->request_mux = request_mux;
  subs_.emplace(sub->sid, sub);
  if (status_ == ConnectionStatus::kConnected || status_ == ConnectionStatus::kDraining) {
    std::string line;
    protocol::AppendSub(&line, sub->subject, sub->queue, sub->sid);
    AppendOutLocked(line);
  }
  return sub;
}

void ConnectionCore::RemoveSubLocked(SubState& sub) {
  sub.active = false;
  subs_.erase(sub.sid);
  cv_.notify_all();
}

Status ConnectionCore::Publish(std::string_view subject, std::string_view reply,
                               const Headers* headers, std::string_view data) {
  if (!ValidSubject(subject, false)) {
    return Status::InvalidArgument("invalid publish subject '" + std::string(subject) + "'");
  }
  if (!reply.empty() && !ValidToken(reply)) return Status::InvalidArgument("invalid reply subject");
  const std::string hdr = headers != nullptr ? headers->Encode() : std::string();

  std::unique_lock lock(mu_);
  if (status_ == ConnectionStatus::kConnected || status_ == ConnectionStatus::kDraining) {
    auto has_room = [&] {
      return out_.size() + writing_unsent_ < options_.max_pending_out_bytes || close_requested_ ||
             (status_ != ConnectionStatus::kConnected && status_ != ConnectionStatus::kDraining);
    };
    // The I/O thread (an inline handler) cannot wait for itself to write: it appends, and
    // writes before it reads (and so runs handlers) again.
    if (!has_room() && !OnIoThread()) {
      ++blocked_publishers_;
      cv_.wait(lock, has_room);
      --blocked_publishers_;
    }
  }
  if (close_requested_ || status_ == ConnectionStatus::kClosed) return ClosedError();
  if (hdr.size() + data.size() > max_payload_) {
    return Status::InvalidArgument("message of " + std::to_string(hdr.size() + data.size()) +
                                   " bytes exceeds the server's max_payload " +
                                   std::to_string(max_payload_));
  }
  if (headers != nullptr && (!options_.headers || !server_headers_)) {
    return Status::InvalidArgument("headers not supported by this connection");
  }
  if (status_ == ConnectionStatus::kReconnecting) {
    std::string frame;
    protocol::AppendPub(&frame, subject, reply, hdr, data);
    if (reconnect_buf_.size() + frame.size() > options_.reconnect_buffer_size) {
      return Status::Unavailable("reconnect buffer full (" +
                                 std::to_string(options_.reconnect_buffer_size) + " bytes)");
    }
    reconnect_buf_.append(frame);
    return Status::Ok();
  }
  protocol::AppendPub(&out_, subject, reply, hdr, data);
  WakeForOutLocked();
  return Status::Ok();
}

Status ConnectionCore::CheckSubscribeLocked(std::string_view subject,
                                            std::string_view queue) const {
  if (!ValidSubject(subject, true)) {
    return Status::InvalidArgument("invalid subject '" + std::string(subject) + "'");
  }
  if (!queue.empty() && !ValidToken(queue)) return Status::InvalidArgument("invalid queue group");
  if (close_requested_ || status_ == ConnectionStatus::kClosed) return ClosedError();
  if (status_ == ConnectionStatus::kDraining) return Status::Unavailable("connection draining");
  return Status::Ok();
}

Result<Subscription> ConnectionCore::Subscribe(std::string_view subject, std::string_view queue,
                                               MsgTakeHandler handler, bool sync) {
  if (!sync && !handler) return Status::InvalidArgument("no message handler");
  std::lock_guard lock(mu_);
  SPATE_RETURN_IF_ERROR(CheckSubscribeLocked(subject, queue));
  return Subscription(AddSubLocked(subject, queue, std::move(handler), sync, false));
}

Result<Subscription> ConnectionCore::SubscribeInline(std::string_view subject,
                                                     std::string_view queue,
                                                     MsgViewHandler handler) {
  if (!handler) return Status::InvalidArgument("no message handler");
  std::lock_guard lock(mu_);
  SPATE_RETURN_IF_ERROR(CheckSubscribeLocked(subject, queue));
  return Subscription(AddSubLocked(subject, queue, {}, false, false, std::move(handler)));
}

Status ConnectionCore::Unsubscribe(SubState& sub, uint64_t max) {
  std::lock_guard lock(mu_);
  if (close_requested_ || status_ == ConnectionStatus::kClosed) return ClosedError();
  if (!sub.active) return SubscriptionClosedError();
  const bool connected =
      status_ == ConnectionStatus::kConnected || status_ == ConnectionStatus::kDraining;
  // Store max, then load delivered: an inline delivery does the reverse (see SubState).
  if (max > 0) sub.max.store(max);
  if (max == 0 || max <= sub.delivered.load()) {
    if (connected) {
      std::string line;
      protocol::AppendUnsub(&line, sub.sid);
      AppendOutLocked(line);
    }
    RemoveSubLocked(sub);
    return Status::Ok();
  }
  if (connected) {
    std::string line;
    protocol::AppendUnsub(&line, sub.sid, max);
    AppendOutLocked(line);
  }
  return Status::Ok();
}

Result<Msg> ConnectionCore::NextMsg(SubState& sub, std::chrono::milliseconds timeout) {
  if (OnIoThread()) return IoThreadError("NextMsg");
  std::unique_lock lock(mu_);
  const bool ready = cv_.wait_for(lock, timeout, [&] {
    return !sub.msgs.empty() || !sub.active || status_ == ConnectionStatus::kClosed;
  });
  if (!sub.msgs.empty()) {
    Msg msg = std::move(sub.msgs.front());
    sub.msgs.pop_front();
    sub.pending_msgs--;
    sub.pending_bytes -= std::min(sub.pending_bytes, msg.data.size());
    if (sub.pending_msgs == 0) sub.slow_reported = false;
    return msg;
  }
  if (status_ == ConnectionStatus::kClosed) return ClosedError();
  if (!sub.active) return SubscriptionClosedError();
  (void)ready;
  return TimeoutError("no message within " + std::to_string(timeout.count()) + " ms");
}

Result<Msg> ConnectionCore::Request(std::string_view subject, const Headers* headers,
                                    std::string_view data, std::chrono::milliseconds timeout) {
  if (OnIoThread()) return IoThreadError("Request");
  auto waiter = std::make_shared<RequestWaiter>();
  std::string reply;
  std::string token;
  {
    std::lock_guard lock(mu_);
    if (close_requested_ || status_ == ConnectionStatus::kClosed) return ClosedError();
    if (resp_prefix_.empty()) {
      resp_prefix_ = NewInbox() + ".";
      AddSubLocked(resp_prefix_ + "*", {}, {}, false, true);
    }
    token = nuid_.Next();
    reply = resp_prefix_ + token;
    requests_.emplace(token, waiter);
  }
  if (Status s = Publish(subject, reply, headers, data); !s.ok()) {
    std::lock_guard lock(mu_);
    requests_.erase(token);
    return s;
  }
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return waiter->done; })) {
    requests_.erase(token);
    return TimeoutError("no reply on '" + std::string(subject) + "' within " +
                        std::to_string(timeout.count()) + " ms");
  }
  if (!waiter->status.ok()) return waiter->status;
  if (waiter->msg.has_headers && waiter->msg.headers.status == 503 && waiter->msg.data.empty()) {
    return NoRespondersError(subject);
  }
  return std::move(waiter->msg);
}

Status ConnectionCore::Flush(std::chrono::milliseconds timeout) {
  if (OnIoThread()) return IoThreadError("Flush");
  auto waiter = std::make_shared<PongWaiter>();
  std::unique_lock lock(mu_);
  if (close_requested_ || status_ == ConnectionStatus::kClosed) return ClosedError();
  if (status_ != ConnectionStatus::kConnected && status_ != ConnectionStatus::kDraining) {
    return Status::Unavailable("not connected (reconnecting)");
  }
  pongs_.push_back(waiter);
  AppendOutLocked("PING\r\n");
  if (!cv_.wait_for(lock, timeout, [&] { return waiter->done; })) {
    return TimeoutError("no PONG within " + std::to_string(timeout.count()) + " ms");
  }
  return waiter->status;
}

Status ConnectionCore::Drain(std::chrono::milliseconds timeout) {
  if (OnIoThread()) return IoThreadError("Drain");
  const auto deadline = Clock::now() + timeout;
  auto remaining = [&] {
    return std::max(std::chrono::milliseconds(1),
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  };
  std::vector<std::shared_ptr<SubState>> draining;
  {
    std::lock_guard lock(mu_);
    if (close_requested_ || status_ == ConnectionStatus::kClosed) return ClosedError();
    if (status_ != ConnectionStatus::kConnected) {
      return Status::Unavailable("cannot drain while not connected");
    }
    status_ = ConnectionStatus::kDraining;
    for (auto& [sid, sub] : subs_) {
      if (sub->request_mux) continue;  // requests in flight keep their inbox
      std::string line;
      protocol::AppendUnsub(&line, sid);
      AppendOutLocked(line);
      draining.push_back(sub);
    }
  }
  // After this PONG the server sends nothing more for the unsubscribed sids.
  Status result = Flush(remaining());
  {
    std::unique_lock lock(mu_);
    for (auto& sub : draining) {
      if (sub->active) RemoveSubLocked(*sub);
    }
    // Let the callbacks finish what was received (a callback may still publish).
    if (!cv_.wait_until(lock, deadline, [&] { return tasks_.empty() && !dispatch_busy_; })) {
      if (result.ok()) result = TimeoutError("drain: callbacks still busy");
    }
  }
  if (Status s = Flush(remaining()); !s.ok() && result.ok()) result = s;
  Close();
  return result;
}

void ConnectionCore::Close() {
  {
    std::lock_guard lock(mu_);
    if (wake_fd_ < 0) return;  // never started
    close_requested_ = true;
  }
  Wake();
  // From an inline handler: the I/O thread stops delivering when the handler returns and closes
  // the connection; nothing here may wait for it.
  if (OnIoThread()) return;
  {
    std::lock_guard join_lock(join_mu_);  // several threads may call Close() at once
    if (io_thread_.joinable()) io_thread_.join();
  }
  // Wait until the dispatcher has run everything up to the closed callback (it exits then;
  // the destructor joins it), unless Close() runs on the dispatcher itself.
  if (std::this_thread::get_id() != dispatch_thread_id_) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return io_done_ && tasks_.empty() && !dispatch_busy_; });
  }
}

void ConnectionCore::FailWaitersLocked(const Status& why, bool requests_too) {
  for (auto& w : pongs_) {
    if (w) {
      w->done = true;
      w->status = why;
    }
  }
  pongs_.clear();
  if (requests_too) {
    for (auto& [token, w] : requests_) {
      w->done = true;
      w->status = why;
    }
    requests_.clear();
  }
  cv_.notify_all();
}

void ConnectionCore::DispatchMain() {
  // Takes what is queued in batches: one lock round per batch rather than per message (the I/O
  // thread takes the same lock for every message it queues).
  constexpr size_t kBatch = 64;
  std::vector<DispatchTask> batch;
  batch.reserve(kBatch);
  std::unique_lock lock(mu_);
  while (true) {
    tasks_cv_.wait(lock, [&] { return !tasks_.empty() || dispatch_stop_; });
    if (tasks_.empty()) break;  // stopped and drained
    while (!tasks_.empty() && batch.size() < kBatch) {
      DispatchTask& task = batch.emplace_back(std::move(tasks_.front()));
      tasks_.pop_front();
      if (task.sub) {
        task.sub->pending_msgs--;
        task.sub->pending_bytes -= std::min(task.sub->pending_bytes, task.bytes);
        if (task.sub->pending_msgs == 0) task.sub->slow_reported = false;
      }
    }
    dispatch_busy_ = true;
    lock.unlock();
    for (DispatchTask& task : batch) {
      if (task.sub) {
        task.sub->handler(task.msg);
      } else {
        task.event();
      }
    }
    batch.clear();
    lock.lock();
    dispatch_busy_ = false;
    if (tasks_.empty()) cv_.notify_all();
  }
  cv_.notify_all();
}

ConnectionStatus ConnectionCore::status() const {
  std::lock_guard lock(mu_);
  return status_;
}
std::string ConnectionCore::ConnectedServer() const {
  std::lock_guard lock(mu_);
  return status_ == ConnectionStatus::kConnected || status_ == ConnectionStatus::kDraining
             ? connected_server_
             : std::string();
}
std::vector<std::string> ConnectionCore::Servers() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const ServerUrl& s : pool_) out.push_back(s.HostPort());
  return out;
}
uint64_t ConnectionCore::Reconnects() const {
  std::lock_guard lock(mu_);
  return reconnects_;
}
size_t ConnectionCore::MaxPayload() const {
  std::lock_guard lock(mu_);
  return max_payload_;
}

}  // namespace detail
}  // namespace spate::client

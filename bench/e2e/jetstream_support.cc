#include "bench/e2e/jetstream_support.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "bench/e2e/nats_client.h"
#include "bench/e2e/proc_stats.h"
#include "bench/e2e/server_process.h"

namespace spate::bench {
namespace {

constexpr int kApiWaitMs = 5000;
constexpr int64_t kStallTimeoutNs = 5'000'000'000;
constexpr int64_t kStallWaitMs = 5000;  // also the most a PubAck may take
constexpr int kFillInFlight = 256;

// The sync_interval value that puts this kind of server in `durability`; empty: its default.
std::string SyncIntervalSetting(ServerKind kind, Durability durability) {
  if (kind == ServerKind::kSpate) return durability == Durability::kFast ? "\"2m\"" : "";
  return durability == Durability::kSafe ? "always" : "";
}

// The checks every PubAck gets, synchronous or not.
std::string StreamOrDuplicateProblem(std::string_view expected_stream, std::string_view stream,
                                     uint64_t seq, bool duplicate) {
  if (stream != expected_stream) {
    return "PubAck names stream " + (stream.empty() ? std::string("(none)") : std::string(stream));
  }
  if (duplicate) return "PubAck of sequence " + std::to_string(seq) + " says duplicate";
  return "";
}

void OnPubAck(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
  auto* tally = static_cast<PubAckTally*>(closure);
  std::string error;
  if (pa == nullptr) {
    error = "PubAck error";
    if (pae != nullptr) {
      error += std::string(": ") + natsStatus_GetText(pae->Err) + ", code " +
               std::to_string(pae->ErrCode) + (pae->ErrText ? std::string(" ") + pae->ErrText : "");
    }
  }
  // Before the tally counts the PubAck: once all are counted the scenario may go on and close.
  natsMsg_Destroy(msg);
  if (pa != nullptr) {
    tally->Record(pa->Stream ? pa->Stream : "", pa->Sequence, pa->Duplicate);
  } else {
    tally->RecordError(error);
  }
}

}  // namespace

Durability SideDurability(Pairing pairing, int side) {
  switch (pairing) {
    case Pairing::kFast:
      return Durability::kFast;
    case Pairing::kSafe:
      return Durability::kSafe;
    case Pairing::kCross:
      return side == 0 ? Durability::kSafe : Durability::kFast;
  }
  return Durability::kFast;
}

std::string PairingDescription(Pairing pairing) {
  switch (pairing) {
    case Pairing::kFast:
      return "both sync every 2 min (spate sync_interval 2m, nats default)";
    case Pairing::kSafe:
      return "both sync before the PubAck (spate default, nats sync_interval always)";
    case Pairing::kCross:
      return "A syncs before the PubAck, B every 2 min (spate default vs nats default)";
  }
  return "";
}

Result<std::vector<std::string>> JetStreamServerArgs(const ServerSpec& server,
                                                     std::optional<Durability> durability,
                                                     const std::string& work_dir) {
  const std::string store = work_dir + "/store";
  const std::string setting =
      durability.has_value() ? SyncIntervalSetting(server.kind, *durability) : "";
  if (setting.empty()) return std::vector<std::string>{"-js", "-sd", store};
  // nats-server refuses -sd together with store_dir in the file, so the file has both keys.
  const std::string conf = work_dir + "/jetstream.conf";
  std::ofstream out(conf);
  out << "jetstream {\n  store_dir: \"" << store << "\"\n  sync_interval: " << setting << "\n}\n";
  out.close();
  if (!out) return Status::IoError("cannot write " + conf);
  return std::vector<std::string>{"-js", "-c", conf};
}

std::string DurabilityUnsupported(const ServerSpec& server, Durability durability) {
  if (SyncIntervalSetting(server.kind, durability).empty()) return "";
  static std::map<std::pair<std::string, Durability>, std::string> cache;
  const auto key = std::make_pair(server.path, durability);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  std::string reason;
  char dir_template[] = "/tmp/spate-e2e-probe-XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (dir == nullptr) return "cannot create a probe directory in /tmp";
  auto args = JetStreamServerArgs(server, durability, dir);
  if (!args.ok()) {
    reason = args.status().message();
  } else if (auto started = ServerProcess::Start(server.path, *args, std::string(dir) + "/log");
             started.ok()) {
    (void)(*started)->Stop();
  } else {
    std::ifstream log(std::string(dir) + "/log");
    std::string line;
    while (std::getline(log, line) && line.empty()) {
    }
    const bool safe = durability == Durability::kSafe;
    reason = server.name +
             " does not start with `jetstream { sync_interval: " + (safe ? "always" : "2m") +
             " }`: " + (line.empty() ? started.status().message() : line);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  cache[key] = reason;
  return reason;
}

Result<JetStreamContext> NewJetStream(natsConnection* nc, jsOptions* options) {
  jsCtx* js = nullptr;
  SPATE_RETURN_IF_ERROR(FromNats(natsConnection_JetStream(&js, nc, options), "JetStream context"));
  return JetStreamContext(js);
}

Status FromJs(natsStatus s, jsErrCode code, const std::string& what) {
  if (s == NATS_OK) return Status::Ok();
  Status status = FromNats(s, what);
  if (code == 0) return status;
  return Status::Unavailable(status.message() + " [JetStream error " + std::to_string(code) + "]");
}

Status AddStream(jsCtx* js, const std::string& name, const std::string& subject,
                 StorageKind storage) {
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  const char* subjects[] = {subject.c_str()};
  config.Name = name.c_str();
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = storage == StorageKind::kFile ? js_FileStorage : js_MemoryStorage;
  config.Retention = js_LimitsPolicy;
  config.Replicas = 1;
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  const natsStatus s = js_AddStream(&info, js, &config, nullptr, &code);
  if (info != nullptr) jsStreamInfo_Destroy(info);
  return FromJs(s, code, "add stream " + name);
}

Result<uint64_t> StreamMessages(jsCtx* js, const std::string& stream) {
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  SPATE_RETURN_IF_ERROR(
      FromJs(js_GetStreamInfo(&info, js, stream.c_str(), nullptr, &code), code, "stream info"));
  const uint64_t msgs = info->State.Msgs;
  jsStreamInfo_Destroy(info);
  return msgs;
}

Status WaitForAckFloor(const std::function<Result<AckState>()>& read_info, uint64_t last_seq) {
  const int64_t deadline = NowNanos() + kStallTimeoutNs;
  std::string state;
  do {
    SPATE_ASSIGN_OR_RETURN(const AckState acks, read_info());
    if (acks.ack_floor >= last_seq && acks.ack_pending == 0) return Status::Ok();
    state = "ack floor " + std::to_string(acks.ack_floor) + " of " + std::to_string(last_seq) +
            ", " + std::to_string(acks.ack_pending) + " ack(s) pending, " +
            std::to_string(acks.redelivered) + " redelivered";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (NowNanos() < deadline);
  return Status::Unavailable("acks not all processed after 5 s: " + state);
}

Status WaitForAckFloor(natsSubscription* sub, uint64_t last_seq) {
  return WaitForAckFloor(
      [sub]() -> Result<AckState> {
        jsConsumerInfo* info = nullptr;
        jsErrCode code = static_cast<jsErrCode>(0);
        SPATE_RETURN_IF_ERROR(FromJs(natsSubscription_GetConsumerInfo(&info, sub, nullptr, &code),
                                     code, "consumer info"));
        const AckState acks{.ack_floor = info->AckFloor.Stream,
                            .ack_pending = static_cast<uint64_t>(info->NumAckPending),
                            .redelivered = static_cast<uint64_t>(info->NumRedelivered)};
        jsConsumerInfo_Destroy(info);
        return acks;
      },
      last_seq);
}

std::string DeliveryProblem(uint64_t expected_seq, int payload_bytes, size_t size,
                            uint64_t stream_seq, uint64_t num_delivered) {
  if (size != static_cast<size_t>(payload_bytes)) {
    return "message " + std::to_string(expected_seq) + " has " + std::to_string(size) + " bytes";
  }
  if (stream_seq != expected_seq || num_delivered != 1) {
    return "got stream sequence " + std::to_string(stream_seq) + " (delivery " +
           std::to_string(num_delivered) + "), expected " + std::to_string(expected_seq);
  }
  return "";
}

void DeliveryTally::Record(const std::string& problem) {
  const int64_t n = received.load(std::memory_order_relaxed) + 1;
  if (!problem.empty()) {
    problems.fetch_add(1);
    std::lock_guard lock(mutex);
    if (first_problem.empty()) first_problem = problem;
  }
  received.store(n, std::memory_order_release);
  if (n == target) done_ns.store(NowNanos(), std::memory_order_release);
}

Status DeliveryTally::Wait(const ConnectionEvents& events) const {
  SPATE_RETURN_IF_ERROR(WaitWithoutStall(
      received, target, [this] { return done_ns.load(std::memory_order_acquire) != 0; }, events,
      std::chrono::microseconds(50)));
  if (const int64_t bad = problems.load(); bad > 0) {
    std::lock_guard lock(mutex);
    return Status::Corruption(std::to_string(bad) + " bad message(s); first: " + first_problem);
  }
  return Status::Ok();
}

std::string PubAckProblem(std::string_view expected_stream, uint64_t expected_seq,
                          std::string_view stream, uint64_t seq, bool duplicate) {
  std::string problem = StreamOrDuplicateProblem(expected_stream, stream, seq, duplicate);
  if (problem.empty() && seq != expected_seq) {
    problem =
        "PubAck sequence " + std::to_string(seq) + ", expected " + std::to_string(expected_seq);
  }
  return problem;
}

Status PubAckTally::BeginPhase(int64_t count) {
  if (published + static_cast<uint64_t>(count) > seen.size()) {
    return Status::Internal("PubAckTally: capacity too small");
  }
  lowest.store(published + 1);
  highest.store(published + static_cast<uint64_t>(count));
  published += static_cast<uint64_t>(count);
  return Status::Ok();
}

void PubAckTally::Record(std::string_view stream_name, uint64_t seq, bool duplicate) {
  if (std::string problem = StreamOrDuplicateProblem(stream, stream_name, seq, duplicate);
      !problem.empty()) {
    RecordError(problem);
  } else if (seq < lowest.load() || seq > highest.load() || seq > seen.size()) {
    RecordError("PubAck sequence " + std::to_string(seq) + " outside " +
                std::to_string(lowest.load()) + ".." + std::to_string(highest.load()));
  } else if (seen[seq - 1] != 0) {
    RecordError("sequence " + std::to_string(seq) + " acknowledged twice");
  } else {
    seen[seq - 1] = 1;
    acked.fetch_add(1, std::memory_order_release);
  }
}

void PubAckTally::RecordError(const std::string& problem) {
  bad.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(mutex);
    if (first_problem.empty()) first_problem = problem;
  }
  acked.fetch_add(1, std::memory_order_release);
}

Status PubAckTally::AwaitAcks(int64_t base, int64_t count) const {
  const int64_t deadline = NowNanos() + kStallTimeoutNs;
  while (acked.load(std::memory_order_acquire) < base + count) {
    if (NowNanos() > deadline) {
      return Status::Unavailable("PubAck handlers missing after 5 s (" + AckedText(base, count) +
                                 ")");
    }
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  return Status::Ok();
}

Status PubAckTally::Verdict() const {
  if (const int64_t n = bad.load(); n > 0) {
    std::lock_guard lock(mutex);
    return Status::Corruption(std::to_string(n) + " bad PubAck(s); first: " + first_problem);
  }
  return Status::Ok();
}

std::string PubAckTally::AckedText(int64_t base, int64_t count) const {
  return std::to_string(acked.load() - base) + " of " + std::to_string(count) + " acked";
}

Status FillFileStream(natsConnection* nc, PubAckTally* tally, const std::string& subject,
                      const std::string& payload, int64_t count, Sample* sample) {
  SPATE_ASSIGN_OR_RETURN(std::unique_ptr<AsyncPublisher> filler,
                         AsyncPublisher::Create(nc, kFillInFlight, tally));
  SPATE_RETURN_IF_ERROR(AddStream(filler->js(), tally->stream, subject, StorageKind::kFile));
  SPATE_RETURN_IF_ERROR(filler->Publish(subject, payload, count));
  sample->metrics["fill_msgs_per_sec"] =
      static_cast<double>(count) * 1e9 / static_cast<double>(filler->end_ns() - filler->start_ns());
  return Status::Ok();
}

Result<std::unique_ptr<AsyncPublisher>> AsyncPublisher::Create(natsConnection* nc, int max_pending,
                                                               PubAckTally* tally) {
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = kApiWaitMs;
  options.PublishAsync.MaxPending = max_pending;
  options.PublishAsync.AckHandler = OnPubAck;
  options.PublishAsync.AckHandlerClosure = tally;
  options.PublishAsync.StallWait = kStallWaitMs;
  std::unique_ptr<AsyncPublisher> publisher(new AsyncPublisher(tally));
  SPATE_ASSIGN_OR_RETURN(publisher->js_, NewJetStream(nc, &options));
  return publisher;
}

Status AsyncPublisher::Publish(const std::string& subject, const std::string& payload,
                               int64_t count) {
  PubAckTally& tally = *tally_;
  SPATE_RETURN_IF_ERROR(tally.BeginPhase(count));
  const int64_t base = tally.acked.load();
  const int size = static_cast<int>(payload.size());
  start_ns_ = NowNanos();
  for (int64_t i = 0; i < count; ++i) {
    const natsStatus s = js_PublishAsync(js_.get(), subject.c_str(), payload.data(), size, nullptr);
    if (s != NATS_OK) {
      return FromNats(s, "js_PublishAsync of message " + std::to_string(i + 1) + " (" +
                             tally.AckedText(base, count) + ")");
    }
  }
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = kStallWaitMs;
  for (int64_t last = -1;;) {
    const natsStatus s = js_PublishAsyncComplete(js_.get(), &wait);
    if (s == NATS_OK) break;
    const int64_t acked = tally.acked.load();
    if (s != NATS_TIMEOUT || acked == last) {
      return FromNats(s, "waiting " + std::to_string(kStallWaitMs) + " ms for PubAcks (" +
                             tally.AckedText(base, count) + ")");
    }
    last = acked;
  }
  SPATE_RETURN_IF_ERROR(tally.AwaitAcks(base, count));
  end_ns_ = NowNanos();
  return tally.Verdict();
}

Status WaitWithoutStall(const std::atomic<int64_t>& received, int64_t target,
                        const std::function<bool()>& done, const ConnectionEvents& events,
                        std::chrono::microseconds poll) {
  int64_t last = -1;
  int64_t last_progress_ns = NowNanos();
  while (!done()) {
    const int64_t now_received = received.load();
    const int64_t now = NowNanos();
    if (events.closed.load() > 0) return Status::Unavailable("the server closed a connection");
    if (now_received != last) {
      last = now_received;
      last_progress_ns = now;
    } else if (now - last_progress_ns > kStallTimeoutNs) {
      return Status::Unavailable("no message for 5 s: " + std::to_string(now_received) + " of " +
                                 std::to_string(target) + " received");
    }
    std::this_thread::sleep_for(poll);
  }
  return Status::Ok();
}

}  // namespace spate::bench

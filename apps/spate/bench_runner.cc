#include "bench_runner.h"

#include <algorithm>
#include <cstring>
#include <latch>
#include <thread>

#include "cli_context.h"
#include "client/errors.h"
#include "progress_bar.h"

namespace spate::cli {
namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// Client i's part of `total` (the remainder goes to the first clients).
uint64_t ShareOf(uint64_t total, int clients, int i) {
  const uint64_t n = static_cast<uint64_t>(clients);
  return total / n + (static_cast<uint64_t>(i) < total % n ? 1 : 0);
}

// Flushing what a publisher buffered can take a while on a slow link: more than a request.
constexpr std::chrono::milliseconds kMinFlushTimeout{30000};
// Publishers add to the shared progress counter in batches, not per message.
constexpr uint64_t kProgressBatch = 1024;

// A subscriber's counters. `received` is read by the main thread while the run goes on; the
// rest is written by the connection's dispatcher thread (or its I/O thread with --inline) only
// and read after Close(), which joins both.
struct SubscriberState {
  std::atomic<uint64_t> received{0};
  uint64_t bytes = 0;
  int64_t first_ns = 0, last_ns = 0;
  LatencyHistogram latency;
};

// Aggregates per-client spans into one side: from the earliest start to the latest end.
void Aggregate(const std::vector<ClientStats>& clients, const std::vector<int64_t>& begins,
               const std::vector<int64_t>& ends, SideStats* out) {
  out->clients = clients;
  out->msgs = out->bytes = 0;
  for (const ClientStats& c : clients) {
    out->msgs += c.msgs;
    out->bytes += c.bytes;
  }
  int64_t first = INT64_MAX, last = 0;
  for (size_t i = 0; i < clients.size(); ++i) {
    if (clients[i].msgs == 0) continue;
    first = std::min(first, begins[i]);
    last = std::max(last, ends[i]);
  }
  out->elapsed_ns = last > first ? last - first : 0;
}

}  // namespace

BenchRunner::BenchRunner(BenchConfig config, client::Options base_options, ConnectFn connect)
    : config_(std::move(config)),
      base_options_(std::move(base_options)),
      connect_(std::move(connect)) {}

Result<BenchRunner::Connections> BenchRunner::ConnectMany(int n, std::string_view role,
                                                          bool big_buffers) {
  Connections conns;
  for (int i = 0; i < n; ++i) {
    client::Options options = base_options_;
    options.name = "spate bench " + std::string(role) + " " + std::to_string(i + 1);
    if (big_buffers) {
      // A subscriber that falls behind during a burst should queue, not drop: the bench
      // measures the server, not the client's slow-consumer policy.
      options.pending_msgs_limit = std::max<size_t>(options.pending_msgs_limit, 4 << 20);
      options.pending_bytes_limit = std::max<size_t>(options.pending_bytes_limit, size_t{1} << 30);
    }
    auto conn = connect_(std::move(options));
    if (!conn.ok()) return conn.status();
    conns.push_back(std::move(*conn));
  }
  return conns;
}

void BenchRunner::WatchProgress(const char* label, uint64_t total,
                                const std::atomic<uint64_t>& done,
                                const std::atomic<int>& running) {
  ProgressBar bar(label, total, config_.progress);
  while (running.load(std::memory_order_acquire) > 0) {
    bar.Update(done.load(std::memory_order_relaxed));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // redraw pacing, not a wait
  }
  bar.Finish();
}

Status BenchRunner::RunPublishers(Connections& conns, SideStats* out) {
  const int n = static_cast<int>(conns.size());
  const bool stamp = config_.kind == BenchKind::kPubSub && config_.size >= sizeof(int64_t);
  const auto flush_timeout = std::max(config_.timeout, kMinFlushTimeout);
  std::vector<ClientStats> stats(n);
  std::vector<int64_t> begins(n), ends(n);
  std::vector<Status> errors(n);
  std::atomic<uint64_t> done{0};
  std::atomic<int> running{n};
  std::latch start(1);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      client::Connection& conn = *conns[i];
      std::string payload(config_.size, 'x');
      const uint64_t share = ShareOf(config_.msgs, n, i);
      start.wait();
      begins[i] = NowNs();
      uint64_t sent = 0;
      for (; sent < share; ++sent) {
        if (stamp) {
          const int64_t now = NowNs();
          std::memcpy(payload.data(), &now, sizeof(now));
        }
        if (Status s = conn.Publish(config_.subject, payload); !s.ok()) {
          errors[i] = s;
          break;
        }
        if ((sent + 1) % kProgressBatch == 0) {
          done.fetch_add(kProgressBatch, std::memory_order_relaxed);
          if (CliContext::Interrupted()) {
            ++sent;
            break;
          }
        }
      }
      if (errors[i].ok()) errors[i] = conn.Flush(flush_timeout);
      ends[i] = NowNs();
      stats[i] = {sent, sent * config_.size, ends[i] - begins[i]};
      running.fetch_sub(1, std::memory_order_release);
    });
  }
  start.count_down();
  WatchProgress("Publishing", config_.msgs, done, running);
  for (auto& t : threads) t.join();
  Aggregate(stats, begins, ends, out);
  for (const Status& s : errors) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status BenchRunner::RunRequesters(Connections& conns, SideStats* out, LatencyHistogram* latency) {
  const int n = static_cast<int>(conns.size());
  std::vector<ClientStats> stats(n);
  std::vector<int64_t> begins(n), ends(n);
  std::vector<Status> errors(n);
  std::vector<LatencyHistogram> histograms(n);
  std::atomic<uint64_t> done{0};
  std::atomic<int> running{n};
  std::latch start(1);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      client::Connection& conn = *conns[i];
      const std::string payload(config_.size, 'x');
      const uint64_t share = ShareOf(config_.msgs, n, i);
      start.wait();
      begins[i] = NowNs();
      uint64_t answered = 0;
      while (answered < share && !CliContext::Interrupted()) {
        const int64_t t0 = NowNs();
        auto reply = conn.Request(config_.subject, payload, config_.timeout);
        if (!reply.ok()) {
          errors[i] = reply.status();
          break;
        }
        histograms[i].Record(NowNs() - t0);
        ++answered;
        done.fetch_add(1, std::memory_order_relaxed);
      }
      ends[i] = NowNs();
      stats[i] = {answered, answered * config_.size, ends[i] - begins[i]};
      running.fetch_sub(1, std::memory_order_release);
    });
  }
  start.count_down();
  WatchProgress("Requesting", config_.msgs, done, running);
  for (auto& t : threads) t.join();
  Aggregate(stats, begins, ends, out);
  for (const LatencyHistogram& h : histograms) latency->Merge(h);
  for (const Status& s : errors) {
    if (client::IsNoResponders(s)) {
      return Status::NotFound("no responders on \"" + config_.subject +
                              "\" (start one, or drop --no-responder)");
    }
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Result<BenchResult> BenchRunner::Run() {
  BenchResult result;
  if (config_.kind == BenchKind::kPub) {
    SPATE_ASSIGN_OR_RETURN(Connections pubs, ConnectMany(config_.pubs, "pub", false));
    SPATE_RETURN_IF_ERROR(RunPublishers(pubs, &result.pub));
    for (auto& c : pubs) c->Close();
    return result;
  }

  if (config_.kind == BenchKind::kReq) {
    SPATE_ASSIGN_OR_RETURN(Connections responders,
                           ConnectMany(config_.responders, "responder", true));
    std::vector<std::unique_ptr<std::atomic<uint64_t>>> handled;
    std::vector<client::Subscription> subs;
    for (auto& conn : responders) {
      auto* counter = handled.emplace_back(std::make_unique<std::atomic<uint64_t>>(0)).get();
      client::Connection* raw = conn.get();  // closed before the vector goes away
      auto sub = conn->QueueSubscribe(config_.subject, "spate-bench",
                                      [raw, counter](const client::Msg& m) {
                                        if (m.reply.empty()) return;
                                        (void)raw->Publish(m.reply, m.data);
                                        counter->fetch_add(1, std::memory_order_relaxed);
                                      });
      if (!sub.ok()) return sub.status();
      SPATE_RETURN_IF_ERROR(conn->Flush(config_.timeout));
    }
    SPATE_ASSIGN_OR_RETURN(Connections requesters, ConnectMany(config_.pubs, "req", false));
    Status s = RunRequesters(requesters, &result.pub, &result.latency);
    for (auto& c : requesters) c->Close();
    for (auto& c : responders) c->Close();
    SPATE_RETURN_IF_ERROR(s);
    for (const auto& counter : handled) {
      result.sub.clients.push_back({counter->load(), counter->load() * config_.size, 0});
      result.sub.msgs += counter->load();
    }
    return result;
  }

  // kPubSub: subscribers first, confirmed by a flush, so that none misses the first messages.
  SPATE_ASSIGN_OR_RETURN(Connections sub_conns, ConnectMany(config_.subs, "sub", true));
  std::vector<std::unique_ptr<SubscriberState>> states;
  std::vector<client::Subscription> subs;
  const bool stamped = config_.size >= sizeof(int64_t);
  for (auto& conn : sub_conns) {
    SubscriberState* st = states.emplace_back(std::make_unique<SubscriberState>()).get();
    auto on_payload = [st, stamped](std::string_view data) {
      const int64_t now = NowNs();
      if (st->first_ns == 0) st->first_ns = now;
      st->last_ns = now;
      st->bytes += data.size();
      if (stamped && data.size() >= sizeof(int64_t)) {
        int64_t sent = 0;
        std::memcpy(&sent, data.data(), sizeof(sent));
        st->latency.Record(now - sent);
      }
      st->received.fetch_add(1, std::memory_order_release);
    };
    auto sub =
        config_.inline_subs
            ? conn->SubscribeInline(config_.subject,
                                    [on_payload](const client::MsgView& m) { on_payload(m.data); })
            : conn->Subscribe(config_.subject,
                              [on_payload](const client::Msg& m) { on_payload(m.data); });
    if (!sub.ok()) return sub.status();
    subs.push_back(*sub);
    SPATE_RETURN_IF_ERROR(conn->Flush(config_.timeout));
  }
  SPATE_ASSIGN_OR_RETURN(Connections pubs, ConnectMany(config_.pubs, "pub", false));
  Status pub_status = RunPublishers(pubs, &result.pub);
  for (auto& c : pubs) c->Close();
  SPATE_RETURN_IF_ERROR(pub_status);

  // Wait for each subscriber to see every published message (or have dropped it), giving up
  // when none makes progress for the timeout.
  const uint64_t expected = result.pub.msgs;
  uint64_t last_total = 0;
  Clock::time_point last_progress = Clock::now();
  ProgressBar bar("Receiving", expected * states.size(), config_.progress);
  while (true) {
    uint64_t total = 0;
    bool all = true;
    for (size_t i = 0; i < states.size(); ++i) {
      const uint64_t got = states[i]->received.load(std::memory_order_acquire);
      total += got;
      if (got + subs[i].Dropped() < expected) all = false;
    }
    bar.Update(total);
    if (all) break;
    if (total != last_total) {
      last_total = total;
      last_progress = Clock::now();
    } else if (Clock::now() - last_progress > config_.timeout || CliContext::Interrupted()) {
      bar.Finish();
      for (auto& c : sub_conns) c->Close();
      return Status::Unavailable("subscribers received " + std::to_string(total) + " of " +
                                 std::to_string(expected * states.size()) + " messages");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  bar.Finish();
  for (auto& c : sub_conns) c->Close();  // joins the dispatcher threads: states are final
  std::vector<ClientStats> clients;
  std::vector<int64_t> begins, ends;
  for (size_t i = 0; i < states.size(); ++i) {
    const SubscriberState& st = *states[i];
    clients.push_back({st.received.load(), st.bytes, st.last_ns - st.first_ns});
    begins.push_back(st.first_ns);
    ends.push_back(st.last_ns);
    result.latency.Merge(st.latency);
    result.dropped += subs[i].Dropped();
  }
  Aggregate(clients, begins, ends, &result.sub);
  return result;
}

}  // namespace spate::cli

#include "server/lame_duck.h"

#include <memory>
#include <random>
#include <vector>

#include "common/logging.h"
#include "server/client.h"
#include "server/server.h"

namespace spate::server {

using std::chrono::nanoseconds;

LameDuckPlan PlanLameDuckCloses(nanoseconds duration, nanoseconds grace_period,
                                size_t num_clients) {
  LameDuckPlan plan;
  if (num_clients == 0) return plan;
  nanoseconds window = duration - grace_period;
  if (window <= nanoseconds::zero()) window = std::chrono::seconds(1);
  const auto n = static_cast<int64_t>(num_clients);
  plan.interval = nanoseconds(window.count() / n);
  if (plan.interval < nanoseconds(1)) {
    plan.interval = nanoseconds(1);
    plan.batch = static_cast<size_t>(n / window.count());
  } else if (plan.interval > std::chrono::seconds(1)) {
    plan.interval = std::chrono::seconds(1);
  }
  return plan;
}

LameDuck::LameDuck(Server& server, nanoseconds duration, nanoseconds grace_period,
                   std::function<void()> on_done)
    : server_(server),
      duration_(duration),
      grace_period_(grace_period),
      on_done_(std::move(on_done)) {}

LameDuck::~LameDuck() { Stop(); }

void LameDuck::Start() {
  if (started()) return;
  thread_ = std::thread([this] { Run(); });
}

void LameDuck::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool LameDuck::finished() const {
  std::lock_guard lock(mu_);
  return finished_;
}

bool LameDuck::Sleep(nanoseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stop_; });
}

void LameDuck::Run() {
  auto finish = [this] {
    {
      std::lock_guard lock(mu_);
      finished_ = true;
    }
    if (on_done_) on_done_();
  };
  if (!server_.running()) return;  // shutting down already: nothing to do
  LOG_INFO("Entering lame duck mode, stop accepting new clients");
  if (!server_.StopAccepting()) return;
  // With the listener closed the set of clients can only shrink.
  std::vector<std::shared_ptr<Client>> clients = server_.Clients();
  if (clients.empty()) return finish();
  const LameDuckPlan plan = PlanLameDuckCloses(duration_, grace_period_, clients.size());
  for (auto& client : clients) client->NotifyLameDuck();
  // The grace period lets several servers enter lame duck mode before their clients move, so
  // they do not reconnect to each other.
  if (!Sleep(grace_period_)) return;
  LOG_INFO("Closing existing clients");
  std::mt19937_64 random{std::random_device{}()};
  for (size_t i = 0; i < clients.size(); ++i) {
    clients[i]->RequestClose(CloseReason::kServerShutdown);
    if (i + 1 == clients.size()) break;
    if (plan.batch == 1 || i % plan.batch == 0) {
      const int64_t si = plan.interval.count();
      int64_t pause = std::uniform_int_distribution<int64_t>(0, si - 1)(random);
      if (pause < si / 2) pause = si / 2;
      if (!Sleep(nanoseconds(pause))) return;
    }
  }
  finish();
}

}  // namespace spate::server

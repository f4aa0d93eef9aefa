#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>

namespace spate::server {

class Server;

// How lame duck mode spaces the closing of `num_clients` clients (nats-server's rule): the
// closes share the duration left after the grace period (at least 1 s), one client per
// `interval`, which is capped at 1 s; with more clients than nanoseconds in that window,
// `batch` clients are closed between pauses of 1 ns. Each pause is a random time between half
// the interval and the interval.
struct LameDuckPlan {
  std::chrono::nanoseconds interval{0};
  size_t batch = 1;
};
LameDuckPlan PlanLameDuckCloses(std::chrono::nanoseconds duration,
                                std::chrono::nanoseconds grace_period, size_t num_clients);

// Lame duck mode (SIGUSR2, `--signal ldm`), as nats-server runs it: stop accepting (the
// listener is closed), tell every client that takes async INFO with an INFO carrying
// "ldm":true, wait the grace period, then close the clients spread over the rest of the
// duration (PlanLameDuckCloses), and report that the server may shut down. Existing clients are
// served until their turn. The owner then calls Server::Shutdown, which stops JetStream as on
// any shutdown.
// Lifecycle: Start once; Stop (or the destructor) cuts it short and joins the thread.
// Threading: Start/Stop/started/finished from one thread (main's signal loop); the work runs on
// its own thread and calls `on_done` there once all clients were closed (or none was open).
class LameDuck {
 public:
  LameDuck(Server& server, std::chrono::nanoseconds duration, std::chrono::nanoseconds grace_period,
           std::function<void()> on_done);
  ~LameDuck();
  LameDuck(const LameDuck&) = delete;
  LameDuck& operator=(const LameDuck&) = delete;

  void Start();
  void Stop();
  bool started() const { return thread_.joinable(); }
  bool finished() const;

 private:
  void Run();
  // Sleeps for `d`; false when Stop was called first.
  bool Sleep(std::chrono::nanoseconds d);

  Server& server_;
  const std::chrono::nanoseconds duration_;
  const std::chrono::nanoseconds grace_period_;
  const std::function<void()> on_done_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;      // under mu_
  bool finished_ = false;  // under mu_
};

}  // namespace spate::server

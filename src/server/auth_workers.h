#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace spate::server {

// Threads for the authentication checks that are too slow for an event loop: one bcrypt
// comparison costs ~100 ms of CPU, and run inline it would stall every connection of the loop
// (a flood of failed logins would stall the server). Jobs run in submission order.
// Threading: Submit from any thread; jobs run on the workers and must hand their result back
// to a loop themselves (EventLoop::Post).
class AuthWorkers {
 public:
  AuthWorkers(size_t threads, size_t max_queued);
  ~AuthWorkers() { Stop(); }
  // Finishes the running jobs, drops the queued ones; later Submits fail. Idempotent; not from
  // a worker.
  void Stop();
  AuthWorkers(const AuthWorkers&) = delete;
  AuthWorkers& operator=(const AuthWorkers&) = delete;

  // False when max_queued jobs already wait: the caller refuses the login at once rather than
  // let the backlog (and its memory) grow without bound.
  bool Submit(std::function<void()> job);

 private:
  void Run();

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;  // under mu_
  bool stopping_ = false;                   // under mu_
  std::vector<std::thread> threads_;
};

}  // namespace spate::server

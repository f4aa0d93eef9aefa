#pragma once

#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace spate::server {

// Something that reacts to readiness of one file descriptor on one loop.
class IoHandler {
 public:
  virtual ~IoHandler() = default;
  virtual void OnEvent(uint32_t events) = 0;
};

// One epoll loop on one thread. Owns nothing but the epoll and wake fds; handlers are owned by
// whoever registered them and must be removed before they die.
// Threading: Add/Modify/Remove/Post/Stop are safe from any thread (epoll_ctl is thread-safe,
// the task queue is locked). Everything else runs on the loop's thread.
class EventLoop {
 public:
  using Task = std::function<void()>;

  explicit EventLoop(int index);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  int index() const { return index_; }
  bool Add(int fd, uint32_t events, IoHandler* handler);
  bool Modify(int fd, uint32_t events, IoHandler* handler);
  void Remove(int fd);

  // Runs `task` on the loop thread soon; wakes the loop once per batch of posts.
  void Post(Task task);
  // Runs `task` on the loop thread once `delay` has passed (millisecond precision). From any
  // thread.
  void RunAfter(std::chrono::nanoseconds delay, Task task);
  // Called on the loop thread after each batch of I/O events (the flush point).
  void SetAfterBatch(std::function<void()> fn) { after_batch_ = std::move(fn); }
  // Called on the loop thread about every `period`.
  void SetTicker(std::chrono::milliseconds period, std::function<void()> fn);
  // Another function for the same tick; before Run() or on the loop thread.
  void AddTicker(std::function<void()> fn) { more_tickers_.push_back(std::move(fn)); }

  void Run();   // blocks until Stop()
  void Stop();  // from any thread
  bool InLoopThread() const { return std::this_thread::get_id() == thread_id_; }

 private:
  void DrainTasks();
  void RunDueTimers(std::chrono::steady_clock::time_point now);
  struct Timer {
    std::chrono::steady_clock::time_point due;
    uint64_t order;
    Task task;
    bool operator>(const Timer& o) const { return due != o.due ? due > o.due : order > o.order; }
  };

  const int index_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stop_requested_{false};  // set before Run() starts is honoured too
  std::thread::id thread_id_;
  std::mutex tasks_mu_;
  std::vector<Task> tasks_;    // guarded by tasks_mu_
  bool wake_pending_ = false;  // guarded by tasks_mu_
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;  // tasks_mu_
  uint64_t timer_order_ = 0;                                                    // tasks_mu_
  std::function<void()> after_batch_;
  std::function<void()> ticker_;
  std::vector<std::function<void()>> more_tickers_;
  std::chrono::milliseconds tick_period_{100};
};

}  // namespace spate::server

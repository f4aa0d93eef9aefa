#include "server/event_loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include "common/assert.h"
#include "common/logging.h"

namespace spate::server {
namespace {
// Marks the wake fd in epoll data; handlers are never at this address.
IoHandler* const kWakeTag = nullptr;
constexpr int kMaxEvents = 256;
}  // namespace

EventLoop::EventLoop(int index) : index_(index) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  SPATE_ASSERT(epoll_fd_ >= 0 && wake_fd_ >= 0, "epoll/eventfd creation failed: errno %d", errno);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = kWakeTag;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
}

EventLoop::~EventLoop() {
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

bool EventLoop::Add(int fd, uint32_t events, IoHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  return ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool EventLoop::Modify(int fd, uint32_t events, IoHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  return ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void EventLoop::Remove(int fd) { ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

void EventLoop::Post(Task task) {
  bool wake = false;
  {
    std::lock_guard lock(tasks_mu_);
    tasks_.push_back(std::move(task));
    wake = !wake_pending_;
    wake_pending_ = true;
  }
  if (wake) {
    uint64_t one = 1;
    ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
    (void)ignored;
  }
}

void EventLoop::SetTicker(std::chrono::milliseconds period, std::function<void()> fn) {
  tick_period_ = period;
  ticker_ = std::move(fn);
}

void EventLoop::RunAfter(std::chrono::nanoseconds delay, Task task) {
  bool wake = false;
  {
    std::lock_guard lock(tasks_mu_);
    auto due = std::chrono::steady_clock::now() + delay;
    // Only a timer earlier than every other one changes how long the loop may sleep.
    wake = timers_.empty() || due < timers_.top().due;
    timers_.push(Timer{due, timer_order_++, std::move(task)});
  }
  if (wake && !InLoopThread()) {
    uint64_t one = 1;
    ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
    (void)ignored;
  }
}

void EventLoop::RunDueTimers(std::chrono::steady_clock::time_point now) {
  std::vector<Task> due;
  {
    std::lock_guard lock(tasks_mu_);
    while (!timers_.empty() && timers_.top().due <= now) {
      due.push_back(std::move(const_cast<Timer&>(timers_.top()).task));
      timers_.pop();
    }
  }
  for (Task& t : due) t();
}

void EventLoop::Stop() {
  stop_requested_.store(true);
  Post([] {});
}

void EventLoop::DrainTasks() {
  // Consume the wake-up before taking the tasks. The other order loses wake-ups: a Post between
  // the swap and the read would see wake_pending_ false, write the eventfd, and have that write
  // eaten by the read, leaving its task queued with wake_pending_ set, so no later Post would
  // wake the loop either.
  uint64_t count;
  ssize_t ignored = ::read(wake_fd_, &count, sizeof count);
  (void)ignored;
  std::vector<Task> batch;
  {
    std::lock_guard lock(tasks_mu_);
    batch.swap(tasks_);
    wake_pending_ = false;
  }
  for (Task& t : batch) t();
}

void EventLoop::Run() {
  thread_id_ = std::this_thread::get_id();
  epoll_event events[kMaxEvents];
  auto next_tick = std::chrono::steady_clock::now() + tick_period_;
  while (!stop_requested_.load(std::memory_order_relaxed)) {
    auto now = std::chrono::steady_clock::now();
    auto wake_at = next_tick;
    {
      std::lock_guard lock(tasks_mu_);
      if (!timers_.empty() && timers_.top().due < wake_at) wake_at = timers_.top().due;
    }
    int timeout_ms = 0;
    if (wake_at > now) {
      // Round up so a timer never fires before its time.
      timeout_ms = static_cast<int>(
          (std::chrono::duration_cast<std::chrono::microseconds>(wake_at - now).count() + 999) /
          1000);
    }
    int n = ::epoll_wait(epoll_fd_, events, kMaxEvents, timeout_ms);
    if (n < 0 && errno != EINTR) {
      LOG_ERROR("epoll_wait failed: errno %d", errno);
      break;
    }
    bool tasks = false;
    for (int i = 0; i < n; ++i) {
      auto* handler = static_cast<IoHandler*>(events[i].data.ptr);
      if (handler == kWakeTag) {
        tasks = true;
        continue;
      }
      handler->OnEvent(events[i].events);
    }
    if (tasks) DrainTasks();
    now = std::chrono::steady_clock::now();
    RunDueTimers(now);
    if (after_batch_) after_batch_();
    if (now >= next_tick) {
      next_tick = now + tick_period_;
      if (ticker_) ticker_();
      for (auto& fn : more_tickers_) fn();
      if (after_batch_) after_batch_();
    }
  }
  DrainTasks();
}

}  // namespace spate::server

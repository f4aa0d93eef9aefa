#include "server/event_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace spate::server {
namespace {

bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return pred();
}

TEST(EventLoopTest, PostedTasksRunOnTheLoopThreadInOrder) {
  EventLoop loop(0);
  std::thread t([&] { loop.Run(); });
  std::vector<int> seen;
  std::atomic<bool> on_loop{true};
  std::atomic<int> done{0};
  for (int i = 0; i < 100; ++i) {
    loop.Post([&, i] {
      if (!loop.InLoopThread()) on_loop = false;
      seen.push_back(i);
      done.fetch_add(1);
    });
  }
  ASSERT_TRUE(WaitFor([&] { return done.load() == 100; }, std::chrono::seconds(5)));
  loop.Stop();
  t.join();
  EXPECT_TRUE(on_loop.load());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen[static_cast<size_t>(i)], i);
}

TEST(EventLoopTest, TickerAndAfterBatchRun) {
  EventLoop loop(0);
  std::atomic<int> ticks{0}, batches{0};
  loop.SetTicker(std::chrono::milliseconds(5), [&] { ticks.fetch_add(1); });
  loop.SetAfterBatch([&] { batches.fetch_add(1); });
  std::thread t([&] { loop.Run(); });
  EXPECT_TRUE(WaitFor([&] { return ticks.load() >= 3; }, std::chrono::seconds(5)));
  EXPECT_GT(batches.load(), 0);
  loop.Stop();
  t.join();
}

// Other threads post one task at a time and wait for it (as store threads post PubAcks): every
// task must run. A wake-up lost between taking the tasks and reading the eventfd would leave a
// task queued forever, and with it every later one.
TEST(EventLoopTest, NoPostFromAnotherThreadIsLost) {
  EventLoop loop(0);
  std::thread t([&] { loop.Run(); });
  constexpr int kThreads = 3;
  constexpr int kRounds = 20000;
  std::atomic<int> lost{0};
  std::vector<std::thread> posters;
  for (int p = 0; p < kThreads; ++p) {
    posters.emplace_back([&] {
      for (int i = 0; i < kRounds && lost.load() == 0; ++i) {
        std::atomic<bool> ran{false};
        loop.Post([&ran] { ran.store(true); });
        // Spin (yielding) rather than sleep: the race needs posts close together.
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (!ran.load() && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::yield();
        }
        if (!ran.load()) lost.fetch_add(1);
      }
    });
  }
  for (auto& th : posters) th.join();
  loop.Stop();
  t.join();
  EXPECT_EQ(lost.load(), 0) << "a posted task never ran";
}

TEST(EventLoopTest, RunAfterFiresOnTimeAndInOrder) {
  EventLoop loop(0);
  // A ticker far away: only the timers can wake the loop in time.
  loop.SetTicker(std::chrono::seconds(10), [] {});
  std::thread t([&] { loop.Run(); });
  std::vector<int> order;
  std::atomic<int> done{0};
  const auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration first_at{};
  loop.RunAfter(std::chrono::milliseconds(30), [&] {
    order.push_back(2);
    done.fetch_add(1);
  });
  loop.RunAfter(std::chrono::milliseconds(10), [&] {
    order.push_back(1);
    first_at = std::chrono::steady_clock::now() - start;
    done.fetch_add(1);
  });
  ASSERT_TRUE(WaitFor([&] { return done.load() == 2; }, std::chrono::seconds(5)));
  loop.Stop();
  t.join();
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  // Not before its time, and long before the ticker would have woken the loop.
  EXPECT_GE(first_at, std::chrono::milliseconds(10));
  EXPECT_LT(first_at, std::chrono::seconds(2));
}

}  // namespace
}  // namespace spate::server

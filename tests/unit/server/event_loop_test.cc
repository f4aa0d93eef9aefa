#include "server/event_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

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

}  // namespace
}  // namespace spate::server

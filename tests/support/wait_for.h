#pragma once

#include <chrono>
#include <thread>

namespace spate::test {

// Polls `predicate` until it returns true or `deadline` has passed. Returns the last result, so a
// test asserts on it: ASSERT_TRUE(WaitFor([&] { return received == 10; }, 5s)).
// This is the only way tests wait for something to happen: never sleep for a fixed time.
template <class Predicate>
bool WaitFor(Predicate&& predicate, std::chrono::milliseconds deadline,
             std::chrono::milliseconds poll_interval = std::chrono::milliseconds(1)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (true) {
    if (predicate()) return true;
    if (std::chrono::steady_clock::now() >= until) return predicate();
    std::this_thread::sleep_for(poll_interval);
  }
}

}  // namespace spate::test

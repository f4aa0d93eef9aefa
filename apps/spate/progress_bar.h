#pragma once

#include <chrono>
#include <cstdint>
#include <string>

// A one-line progress bar redrawn in place ("\r"), at most ten times a second. It draws only
// when enabled (the caller passes isatty(stdout) && !--json), so pipes and scripts never see
// control characters. Threading: one thread.
namespace spate::cli {

class ProgressBar {
 public:
  ProgressBar(std::string label, uint64_t total, bool enabled);
  void Update(uint64_t done);
  void Finish();  // clears the line

 private:
  void Draw(uint64_t done);
  std::string label_;
  uint64_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace spate::cli

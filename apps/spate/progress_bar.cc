#include "progress_bar.h"

#include <algorithm>
#include <cstdio>

#include "format.h"

namespace spate::cli {

constexpr int kWidth = 40;

ProgressBar::ProgressBar(std::string label, uint64_t total, bool enabled)
    : label_(std::move(label)), total_(std::max<uint64_t>(total, 1)), enabled_(enabled) {}

void ProgressBar::Update(uint64_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && done < total_) return;
  last_draw_ = now;
  Draw(done);
}

void ProgressBar::Draw(uint64_t done) {
  done = std::min(done, total_);
  const int filled = static_cast<int>(done * kWidth / total_);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');
  std::printf("\r%s [%s] %3d%% %s/%s", label_.c_str(), bar.c_str(),
              static_cast<int>(done * 100 / total_), HumanCount(done).c_str(),
              HumanCount(total_).c_str());
  std::fflush(stdout);
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (!enabled_ || !drawn_) return;
  std::printf("\r\033[K");  // back to column 0 and erase the line
  std::fflush(stdout);
  drawn_ = false;
}

}  // namespace spate::cli

#include "common/logging.h"

#include <fcntl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <ctime>

namespace spate {
namespace {
constexpr const char* kLabels[] = {"[FTL] ", "[ERR] ", "[WRN] ", "[INF] ", "[DBG] ", "[TRC] "};
}

Logger& Logger::Get() {
  static Logger logger;
  return logger;
}

bool Logger::Configure(const LogOptions& opts) {
  opts_ = opts;
  log_time_.store(opts.log_time, std::memory_order_relaxed);
  LogLevel max = opts.trace ? LogLevel::kTrace : opts.debug ? LogLevel::kDebug : LogLevel::kInfo;
  max_level_.store(static_cast<uint8_t>(max), std::memory_order_relaxed);
  return Reopen();
}

// Other threads may be writing through the current descriptor number while this runs, so that
// number is never closed (it could be reused at once by a client socket, which would then get
// log lines): the new file is put behind the same number with dup2, and a switch back to stderr
// points the old number at stderr.
bool Logger::Reopen() {
  const int current = fd_.load(std::memory_order_relaxed);
  if (opts_.file.empty()) {
    if (current != 2) {
      fd_.store(2, std::memory_order_relaxed);
      ::dup2(2, current);  // one descriptor kept per switch back to stderr; rare
    }
    return true;
  }
  int fd = ::open(opts_.file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return false;
  if (current == 2) {
    fd_.store(fd, std::memory_order_relaxed);
    return true;
  }
  const bool replaced = ::dup3(fd, current, O_CLOEXEC) >= 0;
  ::close(fd);
  return replaced;
}

void Logger::Write(LogLevel level, const char* fmt, ...) {
  char buf[4096];
  size_t n =
      static_cast<size_t>(std::snprintf(buf, sizeof buf, "[%d] ", static_cast<int>(::getpid())));
  if (log_time_.load(std::memory_order_relaxed)) {
    timeval tv;
    ::gettimeofday(&tv, nullptr);
    tm local;
    ::localtime_r(&tv.tv_sec, &local);
    n += std::strftime(buf + n, sizeof buf - n, "%Y/%m/%d %H:%M:%S", &local);
    n += static_cast<size_t>(
        std::snprintf(buf + n, sizeof buf - n, ".%06ld ", static_cast<long>(tv.tv_usec)));
  }
  const char* label = kLabels[static_cast<int>(level)];
  n += static_cast<size_t>(std::snprintf(buf + n, sizeof buf - n, "%s", label));
  va_list ap;
  va_start(ap, fmt);
  int w = std::vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
  va_end(ap);
  if (w < 0) w = 0;
  n += static_cast<size_t>(w);
  if (n > sizeof buf - 1) n = sizeof buf - 1;
  buf[n++] = '\n';
  ssize_t ignored = ::write(fd_.load(std::memory_order_relaxed), buf, n);
  (void)ignored;
}

}  // namespace spate

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
  LogLevel max = opts.trace ? LogLevel::kTrace : opts.debug ? LogLevel::kDebug : LogLevel::kInfo;
  max_level_.store(static_cast<uint8_t>(max), std::memory_order_relaxed);
  return Reopen();
}

bool Logger::Reopen() {
  int fd = 2;
  if (!opts_.file.empty()) {
    fd = ::open(opts_.file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) return false;
  }
  int old = fd_.exchange(fd);
  if (old != 2 && old != fd) ::close(old);
  return true;
}

void Logger::Write(LogLevel level, const char* fmt, ...) {
  char buf[4096];
  size_t n =
      static_cast<size_t>(std::snprintf(buf, sizeof buf, "[%d] ", static_cast<int>(::getpid())));
  if (opts_.log_time) {
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

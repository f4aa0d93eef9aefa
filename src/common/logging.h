#pragma once

#include <atomic>
#include <string>

namespace spate {

// Log lines in nats-server's shape: "[pid] 2026/11/27 06:56:35.123456 [INF] text".
// One write(2) per line, so lines from several loops never interleave.
// Threading: every function is safe from any thread; Configure/Reopen run at startup or on
// SIGHUP/SIGUSR1 from the main thread.
enum class LogLevel : uint8_t { kFatal, kError, kWarn, kInfo, kDebug, kTrace };

struct LogOptions {
  bool debug = false;
  bool trace = false;
  bool log_time = true;
  std::string file;  // empty: stderr
};

class Logger {
 public:
  static Logger& Get();
  bool Configure(const LogOptions& opts);  // false if the log file cannot be opened
  bool Reopen();                           // for log rotation
  bool Enabled(LogLevel level) const {
    return static_cast<uint8_t>(level) <= max_level_.load(std::memory_order_relaxed);
  }
  void Write(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

 private:
  Logger() = default;
  std::atomic<uint8_t> max_level_{static_cast<uint8_t>(LogLevel::kInfo)};
  std::atomic<int> fd_{2};
  std::atomic<bool> log_time_{true};  // read by every Write; opts_ only by Configure/Reopen
  LogOptions opts_;
};

}  // namespace spate

#define SPATE_LOG(level, ...)                                                                    \
  do {                                                                                           \
    if (::spate::Logger::Get().Enabled(level)) ::spate::Logger::Get().Write(level, __VA_ARGS__); \
  } while (0)
#define LOG_INFO(...) SPATE_LOG(::spate::LogLevel::kInfo, __VA_ARGS__)
#define LOG_WARN(...) SPATE_LOG(::spate::LogLevel::kWarn, __VA_ARGS__)
#define LOG_ERROR(...) SPATE_LOG(::spate::LogLevel::kError, __VA_ARGS__)
#define LOG_FATAL(...) SPATE_LOG(::spate::LogLevel::kFatal, __VA_ARGS__)
#define LOG_DEBUG(...) SPATE_LOG(::spate::LogLevel::kDebug, __VA_ARGS__)
#define LOG_TRACE(...) SPATE_LOG(::spate::LogLevel::kTrace, __VA_ARGS__)

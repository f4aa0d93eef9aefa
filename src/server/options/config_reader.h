#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "conf/value.h"

namespace spate::server {

// Reads typed settings out of a parsed config tree and collects every problem as
// "file:line:col: message", so one run reports all mistakes at once (nats-server does the
// same). Each Read* returns false and records an error when the value has the wrong type or
// is out of range; the caller then leaves its option unchanged.
// Not thread-safe; one per ApplyConfigFile call.
class ConfigReader {
 public:
  void Error(const conf::Location& where, std::string_view message);
  // `unknown field "x"`, unless some $reference used the value: nats-server allows such
  // keys so blocks can define their own variables.
  void Unknown(const conf::MapEntry& entry);
  // A setting nats-server has and we do not implement yet; the server must not start with a
  // silently ignored setting.
  void Unsupported(const conf::MapEntry& entry, std::string_view where = {});

  bool ok() const { return errors_.empty(); }
  Status ToStatus() const;

  bool ReadString(const conf::MapEntry& entry, std::string* out);
  bool ReadBool(const conf::MapEntry& entry, bool* out);
  bool ReadInt(const conf::MapEntry& entry, int64_t* out);
  // ReadInt, then `min <= value <= max`.
  bool ReadIntInRange(const conf::MapEntry& entry, int64_t min, int64_t max, int64_t* out);
  // -1 (any free port, kRandomPort) through 65535.
  bool ReadPort(const conf::MapEntry& entry, int* out);
  // A duration: a string such as "2m" or "1h30m" (Go syntax), or an integer number of seconds
  // (nats-server's older form). An unquoted 2m is read by the format as 2,000,000; nats-server
  // then takes 2,000,000 seconds. We read it as two minutes, which is what it says; other
  // suffixed numbers (2k) are refused as ambiguous. Negative durations are errors.
  bool ReadDuration(const conf::MapEntry& entry, std::chrono::milliseconds* out);
  // An integer (size suffixes already applied by the parser, 1K = 1000, 1KB = 1024), or a
  // string such as "10G" whose single K/M/G/T suffix is a power of 1024, as nats-server reads
  // JetStream limits.
  bool ReadStorageSize(const conf::MapEntry& entry, int64_t* out);
  // "host:port", "[v6]:port" or a bare port number, as nats-server's `listen` and `http`.
  // An empty host (":4222") is left empty for the caller to default.
  bool ReadHostPort(const conf::MapEntry& entry, std::string* host, int* port, bool* has_host);

 private:
  bool WrongType(const conf::MapEntry& entry, std::string_view expected);

  std::vector<std::string> errors_;
};

// nats-server keys are case-insensitive ("Port" is "port").
std::string LowerKey(std::string_view key);

}  // namespace spate::server

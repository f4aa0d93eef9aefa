#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "client/connection.h"
#include "common/status.h"

namespace CLI {
class App;
}

namespace spate::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;

// What every verb shares: the connection flags (--server, credentials, TLS, --timeout), the
// output mode (--json) and how failures are reported. CLI11 binds the flags to this object, so
// it must outlive parsing; main() owns the one instance.
// Threading: main thread only, except Interrupted(), which any thread may poll.
class CliContext {
 public:
  CliContext();  // the default server: $SPATE_URL, then $NATS_URL, then nats://127.0.0.1:4222

  // Adds --server/-s, --user, --password, --token, --creds, --nkey, --tlsca/--tlscert/--tlskey/
  // --tlsfirst, --timeout and --json to one verb, so that each verb's
  // --help lists them.
  void AddConnectionOptions(CLI::App* verb);
  // Only --timeout and --json (verbs that talk HTTP to the monitoring port).
  void AddOutputOptions(CLI::App* verb);

  // Client options from the flags. `reconnect`: keep reconnecting (long-running verbs such as
  // sub); one-shot verbs fail fast instead.
  client::Options ConnectOptions(std::string_view verb, bool reconnect = false) const;
  Result<std::unique_ptr<client::Connection>> Connect(std::string_view verb,
                                                      bool reconnect = false) const;
  // Connects with `options` (from ConnectOptions, possibly adjusted); errors name the server.
  Result<std::unique_ptr<client::Connection>> Connect(client::Options options) const;

  const std::string& server() const { return server_; }
  std::chrono::milliseconds timeout() const;
  bool json() const { return json_; }

  // Prints "spate: <verb>: <message>" on stderr and returns kExitFailure.
  int Fail(std::string_view verb, std::string_view message) const;
  int Fail(std::string_view verb, const Status& status) const;

  // Indented JSON on stdout (single objects), or one object per line (streams of messages).
  // Invalid UTF-8 in payloads is replaced rather than aborting the output.
  static void PrintJson(const nlohmann::json& j);
  static void PrintJsonLine(const nlohmann::json& j);

  // The verb that ran stores its exit code here; main() returns it.
  void set_exit_code(int code) { exit_code_ = code; }
  int exit_code() const { return exit_code_; }

  // SIGINT/SIGTERM set a flag instead of killing the process, so that long-running verbs (sub,
  // reply, bench) stop their loops, drain and print what they have.
  static void InstallInterruptHandler();
  static bool Interrupted();

 private:
  std::string server_;
  std::string user_, password_, token_;
  std::string creds_file_, nkey_file_;
  client::TlsOptions tls_;
  std::string timeout_text_ = "5s";
  bool json_ = false;
  int exit_code_ = kExitOk;
};

}  // namespace spate::cli

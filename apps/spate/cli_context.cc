#include "cli_context.h"

#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "parse_units.h"

namespace spate::cli {
namespace {

std::atomic<bool> g_interrupted{false};

void OnInterrupt(int) { g_interrupted.store(true, std::memory_order_relaxed); }

// "a,b" -> {"a", "b"}: the nats CLI takes a comma-separated server list in one flag.
std::vector<std::string> SplitServers(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

CLI::Validator DurationValidator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        auto d = ParseDuration(text);
        return d.ok() ? std::string() : d.status().message();
      },
      "DURATION");
}

}  // namespace

CliContext::CliContext() {
  if (const char* url = std::getenv("SPATE_URL"); url != nullptr && *url != '\0') {
    server_ = url;
  } else if (const char* nats = std::getenv("NATS_URL"); nats != nullptr && *nats != '\0') {
    server_ = nats;
  } else {
    server_ = "nats://127.0.0.1:4222";
  }
}

void CliContext::AddOutputOptions(CLI::App* verb) {
  verb->add_option("--timeout", timeout_text_, "Time to wait for the server (e.g. 500ms, 5s)")
      ->check(DurationValidator())
      ->capture_default_str();
  verb->add_flag("--json", json_, "Print JSON for scripts instead of text for people");
}

void CliContext::AddConnectionOptions(CLI::App* verb) {
  verb->add_option("-s,--server", server_,
                   "Server URL(s), comma separated (default: $SPATE_URL, $NATS_URL, "
                   "nats://127.0.0.1:4222)")
      ->capture_default_str();
  verb->add_option("--user", user_, "User name");
  verb->add_option("--password", password_, "Password");
  verb->add_option("--token", token_, "Authentication token");
  verb->add_option("--creds", creds_file_, "User credentials file (JWT and nkey seed)")
      ->check(CLI::ExistingFile);
  verb->add_option("--nkey", nkey_file_, "File holding a user nkey seed")->check(CLI::ExistingFile);
  verb->add_option("--tlsca", tls_.ca_file, "CA certificates (PEM) to verify the server with")
      ->check(CLI::ExistingFile);
  verb->add_option("--tlscert", tls_.cert_file, "Client certificate (PEM)")
      ->check(CLI::ExistingFile);
  verb->add_option("--tlskey", tls_.key_file, "Client certificate's private key (PEM)")
      ->check(CLI::ExistingFile);
  verb->add_flag("--tlsfirst", tls_.handshake_first,
                 "TLS handshake before the server's INFO (servers with handshake_first)");
  AddOutputOptions(verb);
}

std::chrono::milliseconds CliContext::timeout() const {
  auto d = ParseDuration(timeout_text_);
  if (!d.ok()) return std::chrono::milliseconds(5000);  // validated at parse time
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::duration_cast<std::chrono::milliseconds>(*d));
}

client::Options CliContext::ConnectOptions(std::string_view verb, bool reconnect) const {
  client::Options options;
  options.servers = SplitServers(server_);
  options.name = "spate " + std::string(verb);
  options.user = user_;
  options.password = password_;
  options.token = token_;
  options.creds_file = creds_file_;
  options.nkey_seed_file = nkey_file_;
  options.tls = tls_;
  // A CA or client certificate means the user wants TLS, as with the nats CLI.
  if (!tls_.ca_file.empty() || !tls_.cert_file.empty()) options.tls.required = true;
  options.connect_timeout = timeout();
  options.allow_reconnect = reconnect;
  options.max_reconnect_attempts = -1;
  return options;
}

Result<std::unique_ptr<client::Connection>> CliContext::Connect(std::string_view verb,
                                                                bool reconnect) const {
  return Connect(ConnectOptions(verb, reconnect));
}

Result<std::unique_ptr<client::Connection>> CliContext::Connect(client::Options options) const {
  if (options.servers.empty()) return Status::InvalidArgument("no server URL given");
  auto conn = client::Connection::Connect(std::move(options));
  if (!conn.ok()) {
    return Status(
        Status::Unavailable("cannot connect to " + server_ + ": " + conn.status().message()));
  }
  return conn;
}

int CliContext::Fail(std::string_view verb, std::string_view message) const {
  std::cout.flush();
  std::cerr << "spate: " << verb << ": " << message << std::endl;
  return kExitFailure;
}

int CliContext::Fail(std::string_view verb, const Status& status) const {
  return Fail(verb, status.message());
}

void CliContext::PrintJson(const nlohmann::json& j) {
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

void CliContext::PrintJsonLine(const nlohmann::json& j) {
  std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

void CliContext::InstallInterruptHandler() {
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

bool CliContext::Interrupted() { return g_interrupted.load(std::memory_order_relaxed); }

}  // namespace spate::cli

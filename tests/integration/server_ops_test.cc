// Process operations as an operator runs them: `--signal <command>[=<pid>]`, lame duck mode and
// the PID file, against spate-server and (where the behaviour is common) Debian's nats-server.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "integration/server_fixture.h"
#include "support/temp_dir.h"
#include "support/wait_for.h"
#include "support/wire_client.h"

namespace spate::test {
namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CommandResult RunBinary(const std::string& binary, const std::string& args) {
  CommandResult r;
  const std::string cmd = binary + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool FileExists(const std::string& path) { return std::ifstream(path).good(); }

// Short enough for a test: nats-server's minimum duration (30s) with a short grace period.
// With few clients the closes are at most 1s apart, so lame duck mode ends within seconds.
constexpr char kLameDuckConfig[] = "lame_duck_duration: \"30s\"\nlame_duck_grace_period: \"1s\"\n";

// Connects, reads INFO and sends CONNECT with `protocol` and a PING (the client is then fully
// registered, which nats-server requires before it sends an async INFO).
bool Register(WireClient& wire, int port, int protocol) {
  return wire.Connect(port) && wire.ReadLine() &&
         wire.Send("CONNECT {\"verbose\":false,\"protocol\":" + std::to_string(protocol) +
                   "}\r\nPING\r\n") &&
         wire.ReadLine() == "PONG\r\n";
}

enum class Kind { kSpate, kNats };

class ServerOpsTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::kNats && ::access(TestServer::NatsServerBinary().c_str(), X_OK) != 0) {
      GTEST_SKIP() << "no " << TestServer::NatsServerBinary();
    }
  }
  bool nats() const { return GetParam() == Kind::kNats; }
  std::string Binary() const {
    return nats() ? TestServer::NatsServerBinary() : TestServer::SpateBinary();
  }
  // A server with a PID file (pid_file_) and `config`.
  std::unique_ptr<TestServer> StartServer(const std::string& config = "") {
    TestServerOptions options;
    options.args = {"-P", pid_file_};
    options.config = config;
    auto server = nats() ? TestServer::NatsServer(options) : TestServer::Spate(options);
    EXPECT_TRUE(server->Start()) << server->error();
    return server;
  }
  CommandResult Signal(const std::string& arg) { return RunBinary(Binary(), "--signal " + arg); }
  // Waits for the process to exit on its own; its wait status, or -1.
  int WaitExit(TestServer& server, std::chrono::milliseconds deadline) {
    if (!WaitFor([&] { return !server.Running(); }, deadline)) return -1;
    return server.exit_status();
  }

  TempDir dir_;
  const std::string pid_file_ = dir_.path() + "/server.pid";
};

TEST_P(ServerOpsTest, ReloadByPidFileReachesTheServer) {
  auto server = StartServer("debug: false\n");
  const size_t before = server->Log().size();
  CommandResult r = Signal("reload=" + pid_file_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "");
  // nats-server: "Reloaded server configuration"; spate-server says reload is not supported yet.
  EXPECT_TRUE(
      WaitFor([&] { return server->Log().substr(before).find("eload") != std::string::npos; }, 5s))
      << server->Log();
  EXPECT_TRUE(server->Running());
}

TEST_P(ServerOpsTest, QuitByPidStopsTheServer) {
  auto server = StartServer();
  CommandResult r = Signal("quit=" + std::to_string(server->pid()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const int status = WaitExit(*server, 5s);
  ASSERT_TRUE(WIFEXITED(status)) << server->Log();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(server->Log().find("Server Exiting.."), std::string::npos) << server->Log();
  // spate-server removes its PID file on exit; nats-server (2.9 to 2.12) leaves it behind.
  if (!nats()) {
    EXPECT_FALSE(FileExists(pid_file_));
  }
}

TEST_P(ServerOpsTest, BadSignalArguments) {
  const std::string prefix = nats() ? "nats-server: " : "spate-server: ";
  CommandResult r = Signal("bogus=1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.output, prefix + "unknown signal \"bogus\"\n");
  r = Signal("quit=abc");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.output, prefix + "invalid pid: abc\n");
  r = Signal("quit=1=2=3");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.output, prefix + "invalid signal parameters: [2 3]\n");
}

TEST_P(ServerOpsTest, LameDuckModeTellsClientsThenClosesThem) {
  auto server = StartServer(kLameDuckConfig);
  WireClient async_info, old_client;
  ASSERT_TRUE(Register(async_info, server->port(), 1));
  ASSERT_TRUE(Register(old_client, server->port(), 0));  // no async INFO for protocol 0

  CommandResult r = Signal("ldm=" + pid_file_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::optional<std::string> info = async_info.ReadLine(5s);
  ASSERT_TRUE(info) << server->Log();
  EXPECT_EQ(info->rfind("INFO {", 0), 0u) << *info;
  EXPECT_NE(info->find("\"ldm\":true"), std::string::npos) << *info;
  EXPECT_NE(info->find("\"client_id\":"), std::string::npos) << *info;
  EXPECT_EQ(info->find("\"nonce\""), std::string::npos) << *info;

  // During the grace period the server still serves its clients but accepts no new ones.
  ASSERT_TRUE(async_info.Send("SUB ldm.x 1\r\nPUB ldm.x 2\r\nhi\r\nPING\r\n"));
  EXPECT_EQ(async_info.ReadLine(), "MSG ldm.x 1 2\r\n");
  EXPECT_EQ(async_info.ReadLine(), "hi\r\n");
  EXPECT_EQ(async_info.ReadLine(), "PONG\r\n");
  WireClient late;
  EXPECT_FALSE(late.Connect(server->port())) << "the listener should be closed";

  std::string unread;
  EXPECT_TRUE(old_client.ExpectClosed(10s, &unread));
  EXPECT_EQ(unread, "") << "a protocol 0 client gets no INFO";
  EXPECT_TRUE(async_info.ExpectClosed(10s));
  const int status = WaitExit(*server, 10s);
  ASSERT_TRUE(WIFEXITED(status)) << server->Log();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const std::string log = server->Log();
  EXPECT_NE(log.find("Entering lame duck mode, stop accepting new clients"), std::string::npos)
      << log;
  EXPECT_NE(log.find("Closing existing clients"), std::string::npos) << log;
  EXPECT_LT(log.find("Entering lame duck mode"), log.find("Closing existing clients")) << log;
  if (!nats()) {
    EXPECT_FALSE(FileExists(pid_file_));
  }
}

TEST_P(ServerOpsTest, LameDuckModeWithoutClientsExitsAtOnce) {
  auto server = StartServer(kLameDuckConfig);
  ASSERT_EQ(::kill(server->pid(), SIGUSR2), 0);
  const int status = WaitExit(*server, 5s);
  ASSERT_TRUE(WIFEXITED(status)) << server->Log();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(server->Log().find("Closing existing clients"), std::string::npos) << server->Log();
}

// As nats-server: during lame duck mode SIGTERM and a second SIGUSR2 are ignored (the graceful
// shutdown goes on), and SIGINT shuts the server down at once.
TEST_P(ServerOpsTest, DuringLameDuckModeOnlySigintCutsItShort) {
  // debug: nats-server 2.9 logs the signals it traps at debug level.
  auto server =
      StartServer("debug: true\nlame_duck_duration: \"30s\"\nlame_duck_grace_period: \"20s\"\n");
  WireClient wire;
  ASSERT_TRUE(Register(wire, server->port(), 1));
  ASSERT_EQ(::kill(server->pid(), SIGUSR2), 0);
  ASSERT_TRUE(wire.ReadLine(5s)) << server->Log();  // the INFO with "ldm":true
  ASSERT_EQ(::kill(server->pid(), SIGTERM), 0);
  ASSERT_TRUE(WaitFor(
      [&] { return server->Log().find("Trapped \"terminated\" signal") != std::string::npos; }, 5s))
      << server->Log();
  ASSERT_EQ(::kill(server->pid(), SIGUSR2), 0);
  const std::string usr2 = "Trapped \"user defined signal 2\" signal";
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string log = server->Log();
        return log.find(usr2) != log.rfind(usr2);
      },
      5s))
      << server->Log();
  ASSERT_TRUE(wire.Send("PING\r\n"));
  EXPECT_EQ(wire.ReadLine(), "PONG\r\n");
  EXPECT_TRUE(server->Running());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(server->pid(), SIGINT), 0);
  const int status = WaitExit(*server, 5s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  ASSERT_TRUE(WIFEXITED(status)) << server->Log();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(wire.ExpectClosed());
  const std::string log = server->Log();
  EXPECT_EQ(log.find("Entering lame duck mode"), log.rfind("Entering lame duck mode")) << log;
  EXPECT_EQ(log.find("Closing existing clients"), std::string::npos) << log;
}

INSTANTIATE_TEST_SUITE_P(Servers, ServerOpsTest, ::testing::Values(Kind::kSpate, Kind::kNats),
                         [](const auto& info) {
                           return info.param == Kind::kSpate ? "Spate" : "NatsServer";
                         });

// spate-server only: without a pid, --signal looks for processes named like the binary it runs
// as. nats-server looks for "nats-server", which other users of this machine may be running, so
// its "none" and "several" answers cannot be tested reliably. A link with a name of our own
// keeps this test to the servers it starts.
TEST(ServerOpsByName, FindsTheOneServerOrSaysWhy) {
  TempDir dir;
  const std::string name = "spt" + std::to_string(::getpid());  // comm keeps 15 bytes
  const std::string link = dir.path() + "/" + name;
  ASSERT_EQ(::symlink(TestServer::SpateBinary().c_str(), link.c_str()), 0);

  CommandResult r = RunBinary(link, "--signal quit");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "spate-server: no " + name + " processes running\n");

  TestServer first(link), second(link);
  ASSERT_TRUE(first.Start()) << first.error();
  ASSERT_TRUE(second.Start()) << second.error();
  r = RunBinary(link, "--signal reopen");
  EXPECT_EQ(r.exit_code, 1);
  const pid_t low = std::min(first.pid(), second.pid());
  const pid_t high = std::max(first.pid(), second.pid());
  EXPECT_EQ(r.output, "spate-server: multiple " + name + " processes running:\n" +
                          std::to_string(low) + "\n" + std::to_string(high) + "\n");

  second.Stop();
  r = RunBinary(link, "--signal quit");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(WaitFor([&] { return !first.Running(); }, 5s)) << first.Log();
  EXPECT_TRUE(WIFEXITED(first.exit_status()) && WEXITSTATUS(first.exit_status()) == 0);
}

}  // namespace
}  // namespace spate::test

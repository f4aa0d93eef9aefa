// The spate-server binary as an operator meets it: -t, bad configs, bad flags, clean shutdown.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "integration/server_fixture.h"
#include "support/temp_dir.h"
#include "support/wait_for.h"
#include "support/wire_client.h"

namespace spate::test {
namespace {

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

RunResult RunServer(const std::string& args) {
  RunResult r;
  std::string cmd = TestServer::SpateBinary() + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string WriteFile(const TempDir& dir, const std::string& name, const std::string& text) {
  std::string path = dir.path() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(ServerCliTest, CheckConfigAcceptsAValidFile) {
  TempDir dir;
  std::string conf = WriteFile(dir, "ok.conf", "port: 4333\nmax_payload: 2MB\n");
  RunResult r = RunServer("-t -c " + conf);
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(ServerCliTest, CheckConfigReportsFileAndLineOfAnUnknownKey) {
  TempDir dir;
  std::string conf = WriteFile(dir, "bad.conf", "port: 4333\n\nbogus_setting: 1\n");
  RunResult r = RunServer("-t -c " + conf);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("bad.conf:3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bogus_setting"), std::string::npos) << r.output;
}

TEST(ServerCliTest, InvalidConfigRefusesToStart) {
  TempDir dir;
  std::string conf = WriteFile(dir, "bad.conf", "max_payload: \"lots\"\n");
  RunResult r = RunServer("-a 127.0.0.1 -p -1 -c " + conf);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("bad.conf:1"), std::string::npos) << r.output;
}

TEST(ServerCliTest, UnknownFlagIsAnError) {
  RunResult r = RunServer("--no-such-flag");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("no-such-flag"), std::string::npos) << r.output;
}

TEST(ServerCliTest, VersionAndHelp) {
  RunResult v = RunServer("--version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.output.find("spate-server"), std::string::npos) << v.output;
  RunResult h = RunServer("--help");
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.output.find("--port"), std::string::npos) << h.output;
}

TEST(ServerCliTest, SigtermShutsDownCleanlyAndClosesClients) {
  auto server = TestServer::Spate();
  ASSERT_TRUE(server->Start()) << server->error();
  WireClient wire;
  ASSERT_TRUE(wire.Connect(server->port()));
  ASSERT_TRUE(wire.ReadLine());
  ASSERT_TRUE(wire.Send("CONNECT {\"verbose\":false}\r\nPING\r\n"));
  ASSERT_EQ(wire.ReadLine(), "PONG\r\n");
  server->Stop();  // SIGTERM first; SIGKILL only after the stop deadline
  EXPECT_TRUE(wire.ExpectClosed());
  ASSERT_TRUE(WIFEXITED(server->exit_status())) << server->Log();
  EXPECT_EQ(WEXITSTATUS(server->exit_status()), 0);
  EXPECT_NE(server->Log().find("Server Exiting.."), std::string::npos) << server->Log();
}

TEST(ServerCliTest, DebugAndTraceLogging) {
  TestServerOptions options;
  options.args = {"-DV"};
  auto server = TestServer::Spate(options);
  ASSERT_TRUE(server->Start()) << server->error();
  WireClient wire;
  ASSERT_TRUE(wire.Connect(server->port()));
  ASSERT_TRUE(wire.ReadLine());
  ASSERT_TRUE(wire.Send("CONNECT {\"verbose\":false}\r\nSUB trace.me 1\r\nPING\r\n"));
  ASSERT_EQ(wire.ReadLine(), "PONG\r\n");
  wire.Close();
  server->Stop();
  std::string log = server->Log();
  EXPECT_NE(log.find("[DBG]"), std::string::npos) << log;
  EXPECT_NE(log.find("[TRC]"), std::string::npos) << log;
  EXPECT_NE(log.find("SUB trace.me 1"), std::string::npos) << log;
}

// A port that was free a moment ago (the test needs a fixed one: with -l the listen line goes to
// the log file, where TestServer does not look for it).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(ServerCliTest, LogFileAndPidFile) {
  TempDir dir;
  const std::string log = dir.path() + "/spate.log";
  const std::string pid_file = dir.path() + "/spate.pid";
  const int port = FreePort();
  const std::string bin = TestServer::SpateBinary();
  const std::string port_arg = std::to_string(port);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl(bin.c_str(), bin.c_str(), "-a", "127.0.0.1", "-p", port_arg.c_str(), "-l", log.c_str(),
            "-P", pid_file.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  bool ready =
      WaitFor([&] { return ReadFile(log).find("Server is ready") != std::string::npos; }, 10s);
  if (ready) {
    EXPECT_NE(ReadFile(log).find("Listening for client connections on 127.0.0.1:" + port_arg),
              std::string::npos);
    EXPECT_EQ(ReadFile(pid_file), std::to_string(pid));
    WireClient wire;
    EXPECT_TRUE(wire.Connect(port));
    EXPECT_TRUE(wire.ReadLine());
  }
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(ready) << ReadFile(log);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(ReadFile(log).find("Server Exiting.."), std::string::npos) << ReadFile(log);
  EXPECT_FALSE(std::ifstream(pid_file).good()) << "pid file should be removed on exit";
}

// Log rotation: rename the file, send SIGUSR1 (`--signal reopen=<pid>`), and the server writes
// on in a new file at the old path. Same on nats-server.
TEST(ServerCliTest, ReopenSignalStartsANewLogFile) {
  for (const std::string& bin : {TestServer::SpateBinary(), TestServer::NatsServerBinary()}) {
    SCOPED_TRACE(bin);
    if (::access(bin.c_str(), X_OK) != 0) continue;
    TempDir dir;
    const std::string log = dir.path() + "/server.log";
    const std::string rotated = log + ".1";
    const std::string port_arg = std::to_string(FreePort());
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::execl(bin.c_str(), bin.c_str(), "-a", "127.0.0.1", "-p", port_arg.c_str(), "-l",
              log.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const bool ready =
        WaitFor([&] { return ReadFile(log).find("Server is ready") != std::string::npos; }, 10s);
    bool reopened = false;
    if (ready) {
      EXPECT_EQ(::rename(log.c_str(), rotated.c_str()), 0);
      const std::string cmd = bin + " --signal reopen=" + std::to_string(pid) + " 2>&1";
      EXPECT_EQ(std::system(cmd.c_str()), 0);
      reopened = WaitFor(
          [&] { return ReadFile(log).find("File log re-opened") != std::string::npos; }, 5s);
    }
    ::kill(pid, SIGINT);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(ready) << ReadFile(log);
    EXPECT_TRUE(reopened) << "old: " << ReadFile(rotated) << "\nnew: " << ReadFile(log);
    EXPECT_NE(ReadFile(rotated).find("Server is ready"), std::string::npos);
    EXPECT_EQ(ReadFile(log).find("Server is ready"), std::string::npos);
    EXPECT_NE(ReadFile(log).find("Server Exiting.."), std::string::npos) << ReadFile(log);
  }
}

}  // namespace
}  // namespace spate::test

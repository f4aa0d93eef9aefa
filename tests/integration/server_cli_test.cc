// The spate-server binary as an operator meets it: -t, bad configs, bad flags, clean shutdown.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "integration/server_fixture.h"
#include "support/temp_dir.h"
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

}  // namespace
}  // namespace spate::test

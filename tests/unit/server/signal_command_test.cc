// `--signal <command>[=<pid>]` without processes: the running servers and kill are stand-ins.

#include "server/signal_command.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <utility>
#include <vector>

#include "support/temp_dir.h"

namespace spate::server {
namespace {

class SignalCommandTest : public ::testing::Test {
 protected:
  SignalSystem System() {
    SignalSystem s;
    s.process_name = "spate-server";
    s.list_pids = [this] { return running_; };
    s.kill = [this](int pid, int signal) {
      sent_.emplace_back(pid, signal);
      return pid == dead_pid_ ? ESRCH : 0;
    };
    return s;
  }
  Status Send(std::string_view arg) { return SendSignalCommand(arg, System()); }

  std::vector<int> running_;
  int dead_pid_ = -1;
  std::vector<std::pair<int, int>> sent_;  // (pid, signal)
};

TEST_F(SignalCommandTest, CommandsMapToNatsServersSignals) {
  EXPECT_EQ(*CommandToSignal("stop"), SIGKILL);
  EXPECT_EQ(*CommandToSignal("quit"), SIGINT);
  EXPECT_EQ(*CommandToSignal("term"), SIGTERM);
  EXPECT_EQ(*CommandToSignal("reopen"), SIGUSR1);
  EXPECT_EQ(*CommandToSignal("reload"), SIGHUP);
  EXPECT_EQ(*CommandToSignal("ldm"), SIGUSR2);
  EXPECT_EQ(CommandToSignal("restart").status().message(), "unknown signal \"restart\"");
}

TEST_F(SignalCommandTest, ExplicitPid) {
  ASSERT_TRUE(Send("ldm=1234").ok());
  EXPECT_EQ(sent_, (std::vector<std::pair<int, int>>{{1234, SIGUSR2}}));
}

TEST_F(SignalCommandTest, PidFromAPidFile) {
  spate::test::TempDir dir;
  const std::string path = dir.WriteFile("s.pid", "4321\n");
  ASSERT_TRUE(Send("reload=" + path).ok());
  EXPECT_EQ(sent_, (std::vector<std::pair<int, int>>{{4321, SIGHUP}}));
}

TEST_F(SignalCommandTest, TheOneRunningServer) {
  running_ = {77};
  ASSERT_TRUE(Send("quit").ok());
  EXPECT_EQ(sent_, (std::vector<std::pair<int, int>>{{77, SIGINT}}));
}

TEST_F(SignalCommandTest, NoneOrSeveralRunning) {
  EXPECT_EQ(Send("quit").message(), "no spate-server processes running");
  running_ = {10, 11};
  EXPECT_EQ(Send("quit").message(), "multiple spate-server processes running:\n10\n11");
  EXPECT_TRUE(sent_.empty());
}

TEST_F(SignalCommandTest, PidPrefixWithStarPicksEveryMatch) {
  running_ = {120, 125, 130};
  ASSERT_TRUE(Send("term=12*").ok());
  EXPECT_EQ(sent_, (std::vector<std::pair<int, int>>{{120, SIGTERM}, {125, SIGTERM}}));
  EXPECT_EQ(Send("term=9*").message(), "no spate-server processes running");
}

TEST_F(SignalCommandTest, BadInput) {
  EXPECT_EQ(Send("quit=abc").message(), "invalid pid: abc");
  EXPECT_EQ(Send("quit=1=2=3").message(), "invalid signal parameters: [2 3]");
  EXPECT_EQ(Send("bogus=5").message(), "unknown signal \"bogus\"");
  // As nats-server, a missing server is reported before an unknown command.
  EXPECT_EQ(Send("bogus").message(), "no spate-server processes running");
  EXPECT_TRUE(sent_.empty());
}

TEST_F(SignalCommandTest, KillFailureNamesThePid) {
  dead_pid_ = 99;
  EXPECT_EQ(Send("quit=99").message(), "signal \"quit\" 99: no such process");
}

TEST(FindProcessesByName, ReadsCommAndSkipsSelf) {
  spate::test::TempDir proc;
  auto add = [&](const std::string& pid, const std::string& comm) {
    ::mkdir((proc.path() + "/" + pid).c_str(), 0755);
    proc.WriteFile(pid + "/comm", comm + "\n");
  };
  add("12", "spate-server");
  add("7", "spate-server");
  add("30", "nats-server");
  add("40", "spate-server");  // ourselves
  add("self", "spate-server");
  add("55", "a-very-long-pro");  // the kernel keeps 15 bytes of the name
  EXPECT_EQ(FindProcessesByName(proc.path(), "spate-server", 40), (std::vector<int>{7, 12}));
  EXPECT_EQ(FindProcessesByName(proc.path(), "a-very-long-process-name", 0),
            (std::vector<int>{55}));
}

}  // namespace
}  // namespace spate::server

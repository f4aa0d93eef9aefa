#include "integration/cli_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/wait_for.h"

namespace spate::test {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string CliProcess::Binary() {
  if (const char* bin = std::getenv("SPATE_CLI_BIN"); bin != nullptr && *bin != '\0') return bin;
  return SPATE_DEFAULT_CLI_BIN;
}

CliProcess::CliProcess(std::vector<std::string> args, std::string stdin_data) : dir_("spate-cli") {
  const std::string in_path = dir_.WriteFile("stdin", stdin_data);
  const std::string out_path = dir_.path() + "/stdout";
  const std::string err_path = dir_.path() + "/stderr";
  const std::string binary = Binary();
  std::vector<std::string> argv_storage = {binary};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const int in = ::open(in_path.c_str(), O_RDONLY);
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
}

CliProcess::~CliProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

bool CliProcess::Wait(std::chrono::milliseconds deadline) {
  if (pid_ <= 0) return true;
  int status = 0;
  const bool exited = WaitFor([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, deadline,
                              std::chrono::milliseconds(2));
  if (!exited) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return false;
  }
  pid_ = -1;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return true;
}

bool CliProcess::WaitForStderr(const std::string& text, std::chrono::milliseconds deadline) {
  return WaitFor([&] { return err().find(text) != std::string::npos; }, deadline,
                 std::chrono::milliseconds(2));
}

std::string CliProcess::out() const { return ReadAll(dir_.path() + "/stdout"); }
std::string CliProcess::err() const { return ReadAll(dir_.path() + "/stderr"); }

std::unique_ptr<CliProcess> RunCli(std::vector<std::string> args, std::string stdin_data) {
  auto p = std::make_unique<CliProcess>(std::move(args), std::move(stdin_data));
  p->Wait();
  return p;
}

}  // namespace spate::test

#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace spate::test {

// The `spate` CLI as a child process: arguments as given (no shell), standard input from a file
// (empty by default, so verbs that read a piped body see EOF), stdout and stderr captured in
// files of its own temp dir so that a running process (sub, reply) can be polled.
// The destructor kills a process still running. Threading: one thread.
class CliProcess {
 public:
  // $SPATE_CLI_BIN, else the build's bin/spate.
  static std::string Binary();

  explicit CliProcess(std::vector<std::string> args, std::string stdin_data = "");
  ~CliProcess();
  CliProcess(const CliProcess&) = delete;
  CliProcess& operator=(const CliProcess&) = delete;

  // Waits up to `deadline` for the exit; false (and the process killed) when it is still running.
  bool Wait(std::chrono::milliseconds deadline = std::chrono::milliseconds(20000));
  // Polls stderr until it contains `text`.
  bool WaitForStderr(const std::string& text, std::chrono::milliseconds deadline);

  int exit_code() const { return exit_code_; }  // -1 while running or when killed by a signal
  std::string out() const;
  std::string err() const;

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// Runs to completion (20 s at most) and returns the process for its exit code and output.
std::unique_ptr<CliProcess> RunCli(std::vector<std::string> args, std::string stdin_data = "");

}  // namespace spate::test

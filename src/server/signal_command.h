#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace spate::server {

// `spate-server --signal <command>[=<pid>]` (also `-sl`): sends a running server the signal
// for <command>, with nats-server's mapping and messages. <pid> is a process id, a path to a
// PID file, or a prefix ending in '*' that picks every running server whose pid starts with
// it. Without <pid> exactly one server must be running.
//
// The system calls are behind SignalSystem so tests can run the logic without processes.

// The signal nats-server sends for `command`: stop SIGKILL, quit SIGINT, term SIGTERM,
// reopen SIGUSR1, reload SIGHUP, ldm SIGUSR2. Unknown: `unknown signal "<command>"`.
Result<int> CommandToSignal(std::string_view command);

struct SignalSystem {
  std::string process_name;                      // used in messages ("no ... processes running")
  std::function<std::vector<int>()> list_pids;   // running servers, this process excluded
  std::function<int(int pid, int signal)> kill;  // 0, or the errno
};

// Parses `arg` ("<command>[=<pid>]") and sends the signal. The error's message is what
// nats-server prints after "<binary>: ".
Status SendSignalCommand(std::string_view arg, const SignalSystem& system);

// Pids under `proc_dir` (normally /proc) whose command name (`comm`, which the kernel cuts to
// 15 bytes) is `name`, without `self_pid`, in increasing order.
std::vector<int> FindProcessesByName(const std::string& proc_dir, std::string_view name,
                                     int self_pid);

// The real thing: /proc, ::kill. `process_name` is the basename this binary runs under, so a
// server started through a renamed copy or link is found by the same name.
SignalSystem SystemSignals(std::string process_name);

}  // namespace spate::server

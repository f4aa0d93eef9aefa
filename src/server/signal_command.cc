#include "server/signal_command.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iterator>

namespace spate::server {
namespace {

// Go's strconv.Atoi for a pid: optional sign and decimal digits, nothing else.
bool ParsePid(std::string_view text, int* out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

// nats-server's maybeReadPidFile: the contents of the file if `arg` names a readable one,
// else `arg` itself. Surrounding whitespace (a trailing newline) is dropped, which
// nats-server does not do.
std::string MaybeReadPidFile(std::string_view arg) {
  std::ifstream in{std::string(arg)};
  if (!in.good()) return std::string(arg);
  std::string text(std::istreambuf_iterator<char>(in), {});
  if (in.bad()) return std::string(arg);
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// Joins pieces; `"text" + std::string` trips g++ 12's -Wrestrict false positive (GCC PR 105329).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p);
  return out;
}

// Go's error text for an errno: strerror with a lower-case first letter.
std::string ErrnoText(int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace

Result<int> CommandToSignal(std::string_view command) {
  if (command == "stop") return SIGKILL;
  if (command == "quit") return SIGINT;
  if (command == "term") return SIGTERM;
  if (command == "reopen") return SIGUSR1;
  if (command == "reload") return SIGHUP;
  if (command == "ldm") return SIGUSR2;
  return Status::InvalidArgument(Cat({"unknown signal \"", command, "\""}));
}

Status SendSignalCommand(std::string_view arg, const SignalSystem& system) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t eq = arg.find('=', start);
    parts.push_back(arg.substr(start, eq == std::string_view::npos ? eq : eq - start));
    if (eq == std::string_view::npos) break;
    start = eq + 1;
  }
  if (parts.size() > 2) {
    std::string rest;  // Go's %v of a []string: "[a b]"
    for (size_t i = 2; i < parts.size(); ++i) {
      if (i > 2) rest += ' ';
      rest.append(parts[i]);
    }
    return Status::InvalidArgument(Cat({"invalid signal parameters: [", rest, "]"}));
  }
  const std::string_view command = parts[0];
  const std::string pid_expr = parts.size() == 2 ? MaybeReadPidFile(parts[1]) : std::string();

  // The order of the checks is nats-server's: the pid, the running servers, then the command.
  const bool glob = !pid_expr.empty() && pid_expr.back() == '*';
  const std::string pid_text = glob ? pid_expr.substr(0, pid_expr.size() - 1) : pid_expr;
  std::vector<int> pids;
  if (!pid_text.empty()) {
    int pid = 0;
    if (!ParsePid(pid_text, &pid)) return Status::InvalidArgument(Cat({"invalid pid: ", pid_text}));
    pids.push_back(pid);
  }
  if (pid_text.empty() || glob) {
    pids = system.list_pids();
    if (glob) {
      std::erase_if(pids, [&](int pid) { return !std::to_string(pid).starts_with(pid_text); });
    }
  }
  if (pids.size() > 1 && !glob) {
    std::string text = Cat({"multiple ", system.process_name, " processes running:"});
    for (int pid : pids) text.append("\n").append(std::to_string(pid));
    return Status::InvalidArgument(text);
  }
  if (pids.empty()) {
    return Status::NotFound(Cat({"no ", system.process_name, " processes running"}));
  }
  SPATE_ASSIGN_OR_RETURN(int signal, CommandToSignal(command));
  std::string errors;
  for (int pid : pids) {
    if (int err = system.kill(pid, signal); err != 0) {
      if (!errors.empty()) errors += "\n";
      errors += Cat({"signal \"", command, "\" ", std::to_string(pid), ": ", ErrnoText(err)});
    }
  }
  if (!errors.empty()) return Status::IoError(errors);
  return Status::Ok();
}

std::vector<int> FindProcessesByName(const std::string& proc_dir, std::string_view name,
                                     int self_pid) {
  constexpr size_t kCommMax = 15;  // TASK_COMM_LEN - 1
  const std::string_view wanted = name.substr(0, kCommMax);
  std::vector<int> pids;
  DIR* dir = ::opendir(proc_dir.c_str());
  if (dir == nullptr) return pids;
  while (dirent* entry = ::readdir(dir)) {
    int pid = 0;
    if (!ParsePid(entry->d_name, &pid) || pid <= 0 || pid == self_pid) continue;
    std::ifstream in(proc_dir + "/" + entry->d_name + "/comm");
    std::string comm;
    if (!std::getline(in, comm)) continue;  // gone meanwhile
    if (comm == wanted) pids.push_back(pid);
  }
  ::closedir(dir);
  std::sort(pids.begin(), pids.end());
  return pids;
}

SignalSystem SystemSignals(std::string process_name) {
  SignalSystem system;
  system.process_name = process_name;
  system.list_pids = [name = std::move(process_name)] {
    return FindProcessesByName("/proc", name, static_cast<int>(::getpid()));
  };
  system.kill = [](int pid, int signal) { return ::kill(pid, signal) == 0 ? 0 : errno; };
  return system;
}

}  // namespace spate::server

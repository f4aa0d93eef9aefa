#include "bench/e2e/bench_options.h"

#include <unistd.h>

#include <climits>
#include <sstream>

namespace spate::bench {
namespace {

std::string DirectoryOfThisBinary() {
  char path[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return ".";
  std::string exe(path, static_cast<size_t>(n));
  const size_t slash = exe.rfind('/');
  return slash == std::string::npos ? "." : exe.substr(0, slash);
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

}  // namespace

std::string BenchUsage() {
  return R"(usage: spate-e2e-bench [options]
Starts server A and server B (one at a time, a fresh process per scenario and round, on
127.0.0.1 with a random port), drives both with the NATS C client and prints per scenario the
median of each server, the min..max spread and the ratio A/B.

  --a PATH          server A binary (default: spate-server next to this binary)
  --b PATH          server B binary (default: /usr/sbin/nats-server)
  --a-name NAME     display name of A (default: spate)
  --b-name NAME     display name of B (default: nats)
  --self            run A against itself (B := A) to show the run-to-run noise
  --rounds N        A/B rounds (default: 5; 2 with --quick)
  --scenarios LIST  comma-separated scenario names, or prefixes ending in '*' such as
                    'js-*' (default: all; see --list)
  --quick           smoke run: 2 rounds, a tenth of the messages, 1,000 requests, 200 conns,
                    1,000 consumers
  --json FILE       write every raw sample and the summary as JSON
  --max-other-cpu PCT
                    rerun a sample (up to 3 times) when other processes used more than PCT% of
                    a CPU during it; for shared machines (default: off)
  --keep-logs       keep the server logs (kept anyway when a sample fails)
  --list            list the scenarios and exit
)";
}

Result<BenchOptions> ParseBenchOptions(int argc, char** argv) {
  BenchOptions options;
  options.a_path = DirectoryOfThisBinary() + "/spate-server";
  bool rounds_given = false;
  bool a_name_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    std::string value;
    bool has_inline_value = false;
    if (const size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_inline_value = true;
    }
    auto take_value = [&]() -> Result<std::string> {
      if (has_inline_value) return value;
      if (i + 1 >= argc) return Status::InvalidArgument(flag + " needs a value\n" + BenchUsage());
      return std::string(argv[++i]);
    };
    if (flag == "--help" || flag == "-h") {
      options.help = true;
    } else if (flag == "--quick") {
      options.quick = true;
    } else if (flag == "--self") {
      options.self = true;
    } else if (flag == "--keep-logs") {
      options.keep_logs = true;
    } else if (flag == "--list") {
      options.list = true;
    } else if (flag == "--a") {
      SPATE_ASSIGN_OR_RETURN(options.a_path, take_value());
    } else if (flag == "--b") {
      SPATE_ASSIGN_OR_RETURN(options.b_path, take_value());
    } else if (flag == "--a-name") {
      SPATE_ASSIGN_OR_RETURN(options.a_name, take_value());
      a_name_given = true;
    } else if (flag == "--b-name") {
      SPATE_ASSIGN_OR_RETURN(options.b_name, take_value());
    } else if (flag == "--json") {
      SPATE_ASSIGN_OR_RETURN(options.json_path, take_value());
    } else if (flag == "--scenarios") {
      SPATE_ASSIGN_OR_RETURN(const std::string list, take_value());
      options.scenarios = SplitCommas(list);
    } else if (flag == "--max-other-cpu") {
      SPATE_ASSIGN_OR_RETURN(const std::string text, take_value());
      char* end = nullptr;
      options.max_other_cpu = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || options.max_other_cpu < 0) {
        return Status::InvalidArgument("--max-other-cpu wants a percentage, got " + text);
      }
    } else if (flag == "--rounds") {
      SPATE_ASSIGN_OR_RETURN(const std::string text, take_value());
      char* end = nullptr;
      const long rounds = std::strtol(text.c_str(), &end, 10);
      if (end == text.c_str() || *end != '\0' || rounds < 1 || rounds > 1000) {
        return Status::InvalidArgument("--rounds wants 1..1000, got " + text);
      }
      options.rounds = static_cast<int>(rounds);
      rounds_given = true;
    } else {
      return Status::InvalidArgument("unknown option " + flag + "\n" + BenchUsage());
    }
  }
  if (options.quick && !rounds_given) options.rounds = 2;
  if (options.self) {
    options.b_path = options.a_path;
    if (!a_name_given && options.a_path.find("nats-server") != std::string::npos) {
      options.a_name = "nats";
    }
    options.b_name = options.a_name + "#2";
    options.a_name += "#1";
  }
  if (options.a_name == options.b_name) {
    return Status::InvalidArgument("--a-name and --b-name must differ");
  }
  return options;
}

}  // namespace spate::bench

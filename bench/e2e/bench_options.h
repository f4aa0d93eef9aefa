#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace spate::bench {

// Command line of spate-e2e-bench, validated once in ParseBenchOptions.
struct BenchOptions {
  std::string a_path;  // default: spate-server next to this binary
  std::string b_path = "/usr/sbin/nats-server";
  std::string a_name = "spate";
  std::string b_name = "nats";
  int rounds = 5;
  std::vector<std::string> scenarios;  // empty: all
  bool quick = false;                  // few rounds, small counts: a smoke run
  bool self = false;                   // B is the same binary as A, to show the noise
  bool keep_logs = false;
  // When > 0: a sample during which other processes used more than this much CPU (percent of one
  // CPU) is run again, up to `max_attempts` times in all; the last attempt is kept regardless.
  double max_other_cpu = 0;
  int max_attempts = 3;
  bool list = false;  // print the scenarios and exit
  bool help = false;  // print the usage and exit
  std::string json_path;
};

// Returns InvalidArgument, with the usage text appended, on bad input.
Result<BenchOptions> ParseBenchOptions(int argc, char** argv);

std::string BenchUsage();

}  // namespace spate::bench

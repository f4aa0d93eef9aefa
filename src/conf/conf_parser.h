#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "conf/value.h"

namespace spate::conf {

struct ParseOptions {
  // Resolves `$NAME` when no enclosing block defines NAME. Empty: the process environment.
  // Tests pass their own so they need not touch the real environment.
  std::function<std::optional<std::string>(const std::string& name)> lookup_env;
};

// Parses a file in the NATS configuration format into a map. Every value and key carries its
// file, line and column; errors read "file:line:col: message". `include` paths are relative to
// the directory of the file that includes them.
Result<Value> ParseFile(const std::string& path, const ParseOptions& options = {});

// The same for text held in memory; `source_name` stands for the file in locations and
// errors, and relative includes are resolved against the current directory.
Result<Value> ParseString(std::string_view text, std::string source_name = "<string>",
                          const ParseOptions& options = {});

}  // namespace spate::conf

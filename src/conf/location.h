#pragma once

#include <string>

namespace spate::conf {

// Where a value or key starts in a config file. Lines and columns count from 1; the column
// counts bytes, so a tab is one column.
struct Location {
  std::string file;  // as given to the parser (or the resolved include path); never empty
  int line = 0;
  int column = 0;

  // "file:line:col", the prefix of every config error (nats-server reports the same shape).
  std::string ToString() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
};

}  // namespace spate::conf

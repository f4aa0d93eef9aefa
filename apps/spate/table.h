#pragma once

#include <string>
#include <vector>

// A plain text table for people: a header row, a rule, and left-aligned columns (numbers are
// right-aligned when every cell of the column looks like one). Scripts use --json instead.
namespace spate::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void AddRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  std::string Render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace spate::cli

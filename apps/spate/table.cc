#include "table.h"

#include <algorithm>
#include <cctype>

namespace spate::cli {
namespace {

// Display width: counts UTF-8 code points, not bytes, so "µs" lines up.
size_t Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool LooksNumeric(const std::string& s) {
  if (s.empty()) return false;
  return std::isdigit(static_cast<unsigned char>(s.front())) &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) {
           return std::isdigit(c) || c == ',' || c == '.' || c == ' ' || std::isalpha(c) ||
                  c == '/' || (c & 0x80);
         });
}

}  // namespace

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

std::string Table::Render() const {
  const size_t cols = headers_.size();
  std::vector<size_t> width(cols);
  std::vector<bool> numeric(cols, !rows_.empty());
  for (size_t c = 0; c < cols; ++c) width[c] = Width(headers_[c]);
  for (const auto& row : rows_) {
    for (size_t c = 0; c < cols; ++c) {
      width[c] = std::max(width[c], Width(row[c]));
      if (!LooksNumeric(row[c])) numeric[c] = false;
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < cols; ++c) {
      const std::string pad(width[c] - Width(cells[c]), ' ');
      if (c > 0) out += "  ";
      if (numeric[c]) {
        out += pad + cells[c];
      } else {
        out += cells[c];
        if (c + 1 < cols) out += pad;
      }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(headers_);
  size_t total = 0;
  for (size_t c = 0; c < cols; ++c) total += width[c] + (c > 0 ? 2 : 0);
  out += std::string(total, '-') + "\n";
  for (const auto& row : rows_) out += line(row);
  return out;
}

}  // namespace spate::cli

#include <charconv>

#include "client/msg.h"

namespace spate::client {
namespace {

constexpr std::string_view kVersion = "NATS/1.0";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string_view> Headers::Get(std::string_view key) const {
  for (const auto& [k, v] : fields) {
    if (k == key) return std::string_view(v);
  }
  return std::nullopt;
}

std::string Headers::Encode() const {
  std::string out(kVersion);
  if (status != 0) {
    out += ' ';
    out += std::to_string(status);
    if (!description.empty()) {
      out += ' ';
      out += description;
    }
  }
  out += "\r\n";
  for (const auto& [k, v] : fields) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

Result<Headers> Headers::Parse(std::string_view block) {
  Headers h;
  size_t eol = block.find('\n');
  std::string_view line = Trim(block.substr(0, eol));
  if (!line.starts_with(kVersion)) return Status::InvalidArgument("header block without NATS/1.0");
  line = Trim(line.substr(kVersion.size()));
  if (!line.empty()) {
    const size_t space = line.find(' ');
    const std::string_view code = line.substr(0, space);
    int status = 0;
    const auto [ptr, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
    if (ec == std::errc() && ptr == code.data() + code.size()) h.status = status;
    if (space != std::string_view::npos) h.description = Trim(line.substr(space + 1));
  }
  while (eol != std::string_view::npos) {
    const size_t start = eol + 1;
    eol = block.find('\n', start);
    line = Trim(block.substr(start, eol == std::string_view::npos ? block.npos : eol - start));
    if (line.empty()) continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Status::InvalidArgument("header line without a key: '" + std::string(line) + "'");
    }
    h.fields.emplace_back(std::string(Trim(line.substr(0, colon))),
                          std::string(Trim(line.substr(colon + 1))));
  }
  return h;
}

}  // namespace spate::client

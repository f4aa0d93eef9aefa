// Header blocks both ways: Headers (owning, strict) and HeadersView (in place, lenient). Both
// read the status line and trim fields the same way, so ToHeaders() equals Parse() on any block
// Parse() accepts.
#include <charconv>

#include "client/msg.h"
#include "client/msg_view.h"

namespace spate::client {
namespace {

constexpr std::string_view kVersion = "NATS/1.0";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The first line of `block`, trimmed, and what follows its '\n' (empty when there is none).
std::string_view FirstLine(std::string_view block, std::string_view* rest) {
  const size_t eol = block.find('\n');
  *rest = eol == std::string_view::npos ? std::string_view() : block.substr(eol + 1);
  return Trim(block.substr(0, eol));
}

// "NATS/1.0 408 Request Timeout": the code (0 when absent or not a number) and the text after it.
// `line` must start with kVersion.
void ParseStatusLine(std::string_view line, int* status, std::string_view* description) {
  *status = 0;
  *description = {};
  line = Trim(line.substr(kVersion.size()));
  if (line.empty()) return;
  const size_t space = line.find(' ');
  const std::string_view code = line.substr(0, space);
  int value = 0;
  const auto [ptr, ec] = std::from_chars(code.data(), code.data() + code.size(), value);
  if (ec == std::errc() && ptr == code.data() + code.size()) *status = value;
  if (space != std::string_view::npos) *description = Trim(line.substr(space + 1));
}

// Splits a trimmed, non-empty field line at its first ':'; false when there is no key.
bool SplitField(std::string_view line, std::string_view* key, std::string_view* value) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  *key = Trim(line.substr(0, colon));
  *value = Trim(line.substr(colon + 1));
  return true;
}

}  // namespace

// ---- Headers ----

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
  std::string_view rest;
  const std::string_view status_line = FirstLine(block, &rest);
  if (!status_line.starts_with(kVersion)) {
    return Status::InvalidArgument("header block without NATS/1.0");
  }
  std::string_view description;
  ParseStatusLine(status_line, &h.status, &description);
  h.description = description;
  while (!rest.empty()) {
    const std::string_view line = FirstLine(rest, &rest);
    if (line.empty()) continue;
    std::string_view key, value;
    if (!SplitField(line, &key, &value)) {
      return Status::InvalidArgument("header line without a key: '" + std::string(line) + "'");
    }
    h.fields.emplace_back(std::string(key), std::string(value));
  }
  return h;
}

// ---- HeadersView ----

int HeadersView::status() const {
  std::string_view rest;
  const std::string_view line = FirstLine(block_, &rest);
  if (!line.starts_with(kVersion)) return 0;
  int status = 0;
  std::string_view description;
  ParseStatusLine(line, &status, &description);
  return status;
}

std::string_view HeadersView::description() const {
  std::string_view rest;
  const std::string_view line = FirstLine(block_, &rest);
  if (!line.starts_with(kVersion)) return {};
  int status = 0;
  std::string_view description;
  ParseStatusLine(line, &status, &description);
  return description;
}

HeadersView::Iterator HeadersView::begin() const {
  std::string_view rest;
  FirstLine(block_, &rest);  // the status line
  return Iterator(rest);
}

void HeadersView::Iterator::Advance() {
  while (!rest_.empty()) {
    const std::string_view line = FirstLine(rest_, &rest_);
    if (!line.empty() && SplitField(line, &field_.first, &field_.second)) return;
  }
  done_ = true;
  rest_ = {};
}

std::optional<std::string_view> HeadersView::Get(std::string_view key) const {
  for (const auto& [k, v] : *this) {
    if (k == key) return v;
  }
  return std::nullopt;
}

Headers HeadersView::ToHeaders() const {
  Headers h;
  h.status = status();
  h.description = description();
  for (const auto& [k, v] : *this) h.fields.emplace_back(std::string(k), std::string(v));
  return h;
}

}  // namespace spate::client

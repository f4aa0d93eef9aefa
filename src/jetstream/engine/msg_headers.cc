#include "jetstream/engine/msg_headers.h"

#include <charconv>

namespace spate::jetstream {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string_view> FindHeader(std::string_view headers, std::string_view key) {
  size_t pos = headers.find("\r\n");
  while (pos != std::string_view::npos) {
    size_t start = pos + 2;
    size_t end = headers.find("\r\n", start);
    if (end == std::string_view::npos || end == start) return std::nullopt;
    std::string_view line = headers.substr(start, end - start);
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 &&
        line[key.size()] == ':') {
      return Trim(line.substr(key.size() + 1));
    }
    pos = end;
  }
  return std::nullopt;
}

std::optional<uint64_t> FindUintHeader(std::string_view headers, std::string_view key) {
  auto v = FindHeader(headers, key);
  if (!v || v->empty()) return std::nullopt;
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || ptr != v->data() + v->size()) return std::nullopt;
  return n;
}

HeaderWriter::HeaderWriter(std::string_view status, std::string_view description) {
  out_ = "NATS/1.0";
  if (!status.empty()) {
    out_.push_back(' ');
    out_.append(status);
    if (!description.empty()) {
      out_.push_back(' ');
      out_.append(description);
    }
  }
  out_.append("\r\n");
}

HeaderWriter& HeaderWriter::Add(std::string_view key, std::string_view value) {
  out_.append(key).append(": ").append(value).append("\r\n");
  return *this;
}

HeaderWriter& HeaderWriter::Add(std::string_view key, uint64_t value) {
  return Add(key, std::string_view(std::to_string(value)));
}

HeaderWriter& HeaderWriter::AddLinesOf(std::string_view headers) {
  size_t first = headers.find("\r\n");
  if (first == std::string_view::npos) return *this;
  std::string_view lines = headers.substr(first + 2);
  while (lines.size() >= 2 && lines.substr(lines.size() - 2) == "\r\n") lines.remove_suffix(2);
  if (!lines.empty()) out_.append(lines).append("\r\n");
  return *this;
}

std::string HeaderWriter::Finish() {
  out_.append("\r\n");
  return std::move(out_);
}

}  // namespace spate::jetstream

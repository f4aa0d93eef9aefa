#include "auth/creds.h"

#include <vector>

#include "auth/nkey.h"

namespace spate::auth {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// "---- anything ----": at least three dashes on each side (the pattern nats.go matches).
bool IsMarker(std::string_view line) {
  line = Trim(line);
  return line.size() >= 6 && line.substr(0, 3) == "---" && line.substr(line.size() - 3) == "---";
}

// The characters nats.go accepts inside a block: word characters, '-', '.' and '='.
bool IsBlockContent(std::string_view line) {
  if (line.empty()) return false;
  for (char c : line) {
    bool word = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-' || c == '.' || c == '=';
    if (!word) return false;
  }
  return true;
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    lines.push_back(Trim(text.substr(0, end)));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return lines;
}

// Contents of each "marker / content / marker" block, in order.
std::vector<std::string_view> FindBlocks(const std::vector<std::string_view>& lines) {
  std::vector<std::string_view> blocks;
  for (size_t i = 0; i + 2 < lines.size(); ++i) {
    if (IsMarker(lines[i]) && IsBlockContent(lines[i + 1]) && IsMarker(lines[i + 2])) {
      blocks.push_back(lines[i + 1]);
      i += 2;
    }
  }
  return blocks;
}

}  // namespace

Result<Creds> ParseCreds(std::string_view text) {
  std::vector<std::string_view> lines = SplitLines(text);
  std::vector<std::string_view> blocks = FindBlocks(lines);
  if (blocks.empty()) return Status::InvalidArgument("creds: no JWT block found");
  std::string_view seed;
  if (blocks.size() > 1) {
    seed = blocks[1];
  } else {
    for (std::string_view line : lines) {
      if (line.substr(0, 2) == "SU") {
        seed = line;
        break;
      }
    }
  }
  if (seed.empty()) return Status::InvalidArgument("creds: no nkey seed found");
  auto pair = ParseSeed(seed);
  if (!pair.ok()) return Status::InvalidArgument("creds: seed: " + pair.error().message());
  if (pair->type() != KeyType::kUser) {
    return Status::InvalidArgument("creds: the seed is not a user seed");
  }
  return Creds{.jwt = std::string(blocks[0]), .seed = SecretString(std::string(seed))};
}

std::string FormatCreds(std::string_view jwt, std::string_view seed) {
  std::string out;
  out.reserve(jwt.size() + seed.size() + 512);
  out += "-----BEGIN NATS USER JWT-----\n";
  out += jwt;
  out += "\n------END NATS USER JWT------\n\n";
  out += "************************* IMPORTANT *************************\n";
  out += "NKEY Seed printed below can be used to sign and prove identity.\n";
  out += "NKEYs are sensitive and should be treated as secrets.\n\n";
  out += "-----BEGIN USER NKEY SEED-----\n";
  out += seed;
  out += "\n------END USER NKEY SEED------\n\n";
  out += "*************************************************************\n";
  return out;
}

}  // namespace spate::auth

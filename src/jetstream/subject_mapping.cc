#include "jetstream/subject_mapping.h"

#include <cctype>
#include <charconv>
#include <string>
#include <vector>

#include "routing/subject.h"

namespace spate::jetstream {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

bool ParseInt(std::string_view text, int* out) {
  text = Trim(text);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsFunctionToken(std::string_view token) {
  return token.size() > 4 && token.starts_with("{{") && token.ends_with("}}");
}

// A parsed destination token: the wildcard indexes it uses. Returns false when the token is a
// malformed or unknown function.
bool WildcardIndexes(std::string_view token, std::vector<int>* indexes) {
  indexes->clear();
  if (token.size() > 1 && token[0] == '$') {
    int index;
    if (!ParseInt(token.substr(1), &index)) return true;  // a literal that starts with '$'
    indexes->push_back(index);
    return true;
  }
  if (!IsFunctionToken(token)) return true;
  std::string_view body = Trim(token.substr(2, token.size() - 4));
  size_t open = body.find('(');
  if (open == std::string_view::npos || body.back() != ')') return false;
  const std::string name = Lower(Trim(body.substr(0, open)));
  std::vector<std::string_view> args = Split(body.substr(open + 1, body.size() - open - 2), ',');
  auto int_arg = [&](size_t i, int* out) { return i < args.size() && ParseInt(args[i], out); };
  int index = 0, number = 0;
  if (name == "wildcard") {
    if (args.size() != 1 || !int_arg(0, &index)) return false;
    indexes->push_back(index);
  } else if (name == "partition") {
    if (args.size() < 2 || !int_arg(0, &number)) return false;
    for (size_t i = 1; i < args.size(); ++i) {
      if (!int_arg(i, &index)) return false;
      indexes->push_back(index);
    }
  } else if (name == "split") {
    if (args.size() != 2 || !int_arg(0, &index) || Trim(args[1]).empty()) return false;
    indexes->push_back(index);
  } else if (name == "splitfromleft" || name == "splitfromright" || name == "slicefromleft" ||
             name == "slicefromright" || name == "left" || name == "right") {
    if (args.size() != 2 || !int_arg(0, &index) || !int_arg(1, &number)) return false;
    indexes->push_back(index);
  } else {
    return false;
  }
  return true;
}

}  // namespace

bool IsValidMappingDestination(std::string_view destination) {
  if (destination.empty()) return true;
  bool after_full_wildcard = false;
  std::vector<int> unused;
  for (std::string_view token : Split(destination, '.')) {
    if (token.empty() || after_full_wildcard) return false;
    if (IsFunctionToken(token)) {
      if (!WildcardIndexes(token, &unused)) return false;
      continue;
    }
    if (token == ">") {
      after_full_wildcard = true;
    } else if (token.find_first_of("\t\n\f\r ") != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool IsValidTransform(std::string_view source, std::string_view destination) {
  if (destination.empty()) return true;
  if (source.empty()) source = ">";
  if (!routing::IsValidSubject(source, true) || !routing::IsValidSubject(destination, true)) {
    return false;
  }
  int source_wildcards = 0;
  bool source_full = false, destination_full = false;
  for (std::string_view token : Split(source, '.')) {
    if (token == "*") ++source_wildcards;
    if (token == ">") source_full = true;
  }
  std::vector<int> indexes;
  for (std::string_view token : Split(destination, '.')) {
    if (token == "*") return false;
    if (token == ">") destination_full = true;
    if (!WildcardIndexes(token, &indexes)) return false;
    for (int index : indexes) {
      if (index < 1 || index > source_wildcards) return false;
    }
  }
  return source_full == destination_full;
}

}  // namespace spate::jetstream

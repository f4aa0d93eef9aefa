#include "jetstream/engine/subject_transform.h"

#include <cctype>
#include <charconv>

#include "jetstream/subject_mapping.h"

namespace spate::jetstream {
namespace {

std::vector<std::string_view> Tokens(std::string_view s, char sep = '.') {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

std::string_view Trim(std::string_view t) {
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  return t;
}

bool Int(std::string_view t, int* out) {
  t = Trim(t);
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
  return ec == std::errc() && p == t.data() + t.size();
}

uint32_t Fnv1a(std::string_view key) {
  uint32_t h = 2166136261u;
  for (char c : key) {
    h ^= static_cast<uint8_t>(c);
    h *= 16777619u;
  }
  return h;
}

std::string JoinNonEmpty(const std::vector<std::string_view>& parts) {
  std::string out;
  for (auto p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out.push_back('.');
    out.append(p);
  }
  return out;
}

}  // namespace

std::optional<SubjectTransform> SubjectTransform::Make(std::string_view source,
                                                       std::string_view destination) {
  if (!IsValidTransform(source, destination)) return std::nullopt;
  SubjectTransform t;
  if (source.empty()) source = ">";
  for (auto tok : Tokens(source)) t.source_.emplace_back(tok);
  if (destination.empty()) destination = source;
  int star = 0;
  for (auto tok : Tokens(destination)) {
    Token d;
    if (tok == ">") {
      d.fn = Fn::kRest;
    } else if (tok == "*") {
      d.fn = Fn::kWildcard;
      d.indexes.push_back(star++);
    } else if (tok.size() > 1 && tok[0] == '$' && Int(tok.substr(1), &d.n)) {
      d.fn = Fn::kWildcard;
      d.indexes.push_back(d.n - 1);
    } else if (tok.size() > 4 && tok.starts_with("{{") && tok.ends_with("}}")) {
      std::string_view body = Trim(tok.substr(2, tok.size() - 4));
      size_t open = body.find('(');
      if (open == std::string_view::npos || body.back() != ')') return std::nullopt;
      std::string name;
      for (char c : Trim(body.substr(0, open))) {
        name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      }
      std::vector<std::string_view> args =
          Tokens(body.substr(open + 1, body.size() - open - 2), ',');
      auto index = [&](size_t i) {
        int v = 0;
        if (i < args.size() && Int(args[i], &v)) d.indexes.push_back(v - 1);
      };
      auto number = [&](size_t i) {
        if (i < args.size()) (void)Int(args[i], &d.n);
      };
      if (name == "wildcard") {
        d.fn = Fn::kWildcard;
        index(0);
      } else if (name == "partition") {
        d.fn = Fn::kPartition;
        number(0);
        for (size_t i = 1; i < args.size(); ++i) index(i);
      } else if (name == "split") {
        d.fn = Fn::kSplit;
        index(0);
        if (args.size() > 1) d.literal = std::string(Trim(args[1]));
      } else {
        static const std::pair<const char*, Fn> kTwoArg[] = {{"splitfromleft", Fn::kSplitLeft},
                                                             {"splitfromright", Fn::kSplitRight},
                                                             {"slicefromleft", Fn::kSliceLeft},
                                                             {"slicefromright", Fn::kSliceRight},
                                                             {"left", Fn::kLeft},
                                                             {"right", Fn::kRight}};
        bool found = false;
        for (auto& [n, fn] : kTwoArg) {
          if (name == n) {
            d.fn = fn;
            found = true;
          }
        }
        if (!found) return std::nullopt;
        index(0);
        number(1);
      }
    } else {
      d.literal = std::string(tok);
    }
    t.dest_.push_back(std::move(d));
  }
  return t;
}

std::optional<std::string> SubjectTransform::Apply(std::string_view subject) const {
  std::vector<std::string_view> tokens = Tokens(subject);
  std::vector<std::string_view> wild;
  std::string rest;
  for (size_t i = 0; i < source_.size(); ++i) {
    const std::string& s = source_[i];
    if (s == ">") {
      if (i >= tokens.size()) return std::nullopt;
      size_t offset = static_cast<size_t>(tokens[i].data() - subject.data());
      rest = std::string(subject.substr(offset));
      tokens.resize(i);
      break;
    }
    if (i >= tokens.size()) return std::nullopt;
    if (s == "*") {
      wild.push_back(tokens[i]);
    } else if (s != tokens[i]) {
      return std::nullopt;
    }
    if (i + 1 == source_.size() && tokens.size() != source_.size()) return std::nullopt;
  }
  auto at = [&](int i) -> std::string_view {
    return i >= 0 && static_cast<size_t>(i) < wild.size() ? wild[static_cast<size_t>(i)]
                                                          : std::string_view();
  };
  std::string out;
  for (const Token& d : dest_) {
    if (!out.empty()) out.push_back('.');
    std::string_view tok = d.indexes.empty() ? std::string_view() : at(d.indexes[0]);
    const size_t n = d.n > 0 ? static_cast<size_t>(d.n) : 0;
    switch (d.fn) {
      case Fn::kLiteral:
        out.append(d.literal);
        break;
      case Fn::kRest:
        out.append(rest);
        break;
      case Fn::kWildcard:
        out.append(tok);
        break;
      case Fn::kPartition: {
        std::string key;
        for (int i : d.indexes) key.append(at(i));
        out.append(std::to_string(d.n > 0 ? Fnv1a(key) % static_cast<uint32_t>(d.n) : 0));
        break;
      }
      case Fn::kSplit: {
        std::vector<std::string_view> parts;
        size_t start = 0;
        while (!d.literal.empty()) {
          size_t pos = tok.find(d.literal, start);
          parts.push_back(tok.substr(start, pos == std::string_view::npos ? pos : pos - start));
          if (pos == std::string_view::npos) break;
          start = pos + d.literal.size();
        }
        out.append(d.literal.empty() ? std::string(tok) : JoinNonEmpty(parts));
        break;
      }
      case Fn::kSplitLeft:
        if (n > 0 && n < tok.size()) {
          out.append(tok.substr(0, n)).append(".").append(tok.substr(n));
        } else {
          out.append(tok);
        }
        break;
      case Fn::kSplitRight:
        if (n > 0 && n < tok.size()) {
          out.append(tok.substr(0, tok.size() - n)).append(".").append(tok.substr(tok.size() - n));
        } else {
          out.append(tok);
        }
        break;
      case Fn::kSliceLeft: {
        std::vector<std::string_view> parts;
        for (size_t i = 0; n > 0 && i < tok.size(); i += n) parts.push_back(tok.substr(i, n));
        out.append(n == 0 ? std::string(tok) : JoinNonEmpty(parts));
        break;
      }
      case Fn::kSliceRight: {
        std::vector<std::string_view> parts;
        if (n > 0) {
          size_t first = tok.size() % n;
          if (first > 0) parts.push_back(tok.substr(0, first));
          for (size_t i = first; i < tok.size(); i += n) parts.push_back(tok.substr(i, n));
        }
        out.append(n == 0 ? std::string(tok) : JoinNonEmpty(parts));
        break;
      }
      case Fn::kLeft:
        out.append(tok.substr(0, std::min(n, tok.size())));
        break;
      case Fn::kRight:
        out.append(n >= tok.size() ? tok : tok.substr(tok.size() - n));
        break;
    }
  }
  return out;
}

}  // namespace spate::jetstream

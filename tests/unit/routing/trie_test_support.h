#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "routing/subject_trie.h"

namespace spate::routing::test_support {

// Joins strings and numbers: Cat("s", 3) is "s3". (Spelled out because g++ 12 at -O3 warns
// falsely, -Wrestrict, on `"literal" + std::to_string(n)`: GCC bug 105651.)
template <class... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  auto append = [&out](const auto& part) {
    if constexpr (std::is_arithmetic_v<std::decay_t<decltype(part)>>) {
      out += std::to_string(part);
    } else {
      out += part;
    }
  };
  (append(parts), ...);
  return out;
}

// A subscription with a name, so results read as lists of names.
struct NamedSub : Subscription {
  std::string name;
};

inline std::shared_ptr<NamedSub> MakeSub(std::string name, std::string subject,
                                         std::string queue = "") {
  auto sub = std::make_shared<NamedSub>();
  sub->name = std::move(name);
  sub->subject = std::move(subject);
  sub->queue = std::move(queue);
  return sub;
}

inline const std::string& NameOf(const SubscriptionRef& sub) {
  return static_cast<const NamedSub&>(*sub).name;
}

// Plain subscribers of a result, sorted by name.
inline std::vector<std::string> PlainNames(const MatchResult& result) {
  std::vector<std::string> names;
  for (const SubscriptionRef& sub : result.plain) names.push_back(NameOf(sub));
  std::sort(names.begin(), names.end());
  return names;
}

// Queue groups of a result: name -> sorted member names. Also checks that group names are
// distinct, since a map would hide a duplicate.
inline std::map<std::string, std::vector<std::string>> QueueNames(const MatchResult& result) {
  std::map<std::string, std::vector<std::string>> groups;
  for (const MatchResult::QueueGroup& group : result.queues) {
    auto [it, inserted] = groups.emplace(group.name, std::vector<std::string>{});
    if (!inserted) it->second.push_back("<duplicate group>");
    for (const SubscriptionRef& sub : group.members) it->second.push_back(NameOf(sub));
    std::sort(it->second.begin(), it->second.end());
  }
  return groups;
}

}  // namespace spate::routing::test_support

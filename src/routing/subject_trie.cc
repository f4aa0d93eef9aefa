#include "routing/subject_trie.h"

#include <mutex>
#include <unordered_map>
#include <utility>

#include "common/assert.h"
#include "routing/string_hash.h"
#include "routing/subject.h"
#include "routing/subject_tokens.h"
#include "routing/subscriber_list.h"

namespace spate::routing {

struct TrieNode;

// The children of one trie position: literal tokens by name, plus at most one '*' and one '>'.
// Invariant: every child is in use (has subscribers or children); Remove prunes the rest.
struct TrieLevel {
  std::unordered_map<std::string, std::unique_ptr<TrieNode>, StringHash, std::equal_to<>> literals;
  std::unique_ptr<TrieNode> single_wildcard;  // '*'
  std::unique_ptr<TrieNode> full_wildcard;    // '>'; always a leaf, since '>' is only last
  bool empty() const { return literals.empty() && !single_wildcard && !full_wildcard; }
};

struct QueueSubscribers {
  std::string name;
  SubscriberList members;  // never empty while in a node
};

// One token position of subscribed subjects: the subscriptions whose subject ends here and the
// positions below.
struct TrieNode {
  TrieLevel children;
  SubscriberList plain;
  std::vector<QueueSubscribers> queues;  // one entry per queue name; few per node in practice
  bool unused() const { return plain.empty() && queues.empty() && children.empty(); }
};

namespace {

// Generations come from one process-wide counter: unique across tries, monotonic within one.
std::atomic<uint64_t> g_last_generation{0};
uint64_t NextGeneration() { return g_last_generation.fetch_add(1, std::memory_order_relaxed) + 1; }

// The result of every match that finds nothing. The aliasing constructor with an empty owner
// gives a non-null pointer without a control block, so copying it touches no reference count
// and threads that keep matching nothing do not contend on a shared counter.
const MatchResult kEmptyResult;
const MatchResultRef kEmptyResultRef(MatchResultRef(), &kEmptyResult);

// Gathers the subscriptions of the matching nodes into one MatchResult, merging queue groups
// of the same name found at different nodes.
class ResultBuilder {
 public:
  void Add(const TrieNode& node) {
    const auto& plain = node.plain.items();
    result_.plain.insert(result_.plain.end(), plain.begin(), plain.end());
    if (node.queues.empty()) return;
    // The first node with queue groups holds distinct names: no merging needed.
    const bool merge = !result_.queues.empty();
    for (const QueueSubscribers& group : node.queues) {
      const auto& members = group.members.items();
      std::vector<SubscriptionRef>* out = merge ? FindGroup(group.name) : nullptr;
      if (out == nullptr) {
        result_.queues.push_back({group.name, {}});
        out = &result_.queues.back().members;
        if (!by_name_.empty()) by_name_.emplace(group.name, result_.queues.size() - 1);
      }
      out->insert(out->end(), members.begin(), members.end());
    }
  }

  MatchResultRef Finish() {
    if (result_.empty()) return kEmptyResultRef;
    return std::make_shared<const MatchResult>(std::move(result_));
  }

 private:
  static constexpr size_t kLinearSearchLimit = 8;

  std::vector<SubscriptionRef>* FindGroup(std::string_view name) {
    if (result_.queues.size() <= kLinearSearchLimit) {
      for (MatchResult::QueueGroup& group : result_.queues) {
        if (group.name == name) return &group.members;
      }
      return nullptr;
    }
    if (by_name_.empty()) {
      for (size_t i = 0; i < result_.queues.size(); ++i) {
        by_name_.emplace(result_.queues[i].name, i);
      }
    }
    const auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &result_.queues[it->second].members;
  }

  MatchResult result_;
  // Built only when many groups need merging. std::string keys: views into result_.queues
  // would dangle when the vector grows (short names live inside the string object).
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> by_name_;
};

// Adds to `out` every node under `level` matching tokens [token, end), which is non-empty.
// Literal descent is a loop; only '*' branches recurse, so depth is bounded by the number of
// '*' nodes on the path.
void CollectMatches(const TrieLevel* level, const std::string_view* token,
                    const std::string_view* end, ResultBuilder& out) {
  for (;;) {
    if (level->full_wildcard) out.Add(*level->full_wildcard);
    const bool last = token + 1 == end;
    if (const TrieNode* star = level->single_wildcard.get()) {
      if (last) {
        out.Add(*star);
      } else if (!star->children.empty()) {
        CollectMatches(&star->children, token + 1, end, out);
      }
    }
    if (level->literals.empty()) return;
    const auto it = level->literals.find(*token);
    if (it == level->literals.end()) return;
    const TrieNode& node = *it->second;
    if (last) {
      out.Add(node);
      return;
    }
    level = &node.children;
    ++token;
  }
}

}  // namespace

SubjectTrie::SubjectTrie() : root_(std::make_unique<TrieLevel>()), gen_(NextGeneration()) {}

SubjectTrie::~SubjectTrie() = default;

void SubjectTrie::Insert(SubscriptionRef sub) {
  SPATE_ASSERT(sub != nullptr, "null subscription inserted");
  SPATE_ASSERT(IsValidSubject(sub->subject), "invalid subject inserted: '%s'",
               sub->subject.c_str());
  std::unique_lock lock(mu_);
  TrieLevel* level = root_.get();
  TrieNode* node = nullptr;
  TokenCursor cursor(sub->subject);
  std::string_view token;
  while (cursor.Next(&token)) {
    std::unique_ptr<TrieNode>* slot;
    if (IsSingleWildcard(token)) {
      slot = &level->single_wildcard;
    } else if (IsFullWildcard(token)) {
      slot = &level->full_wildcard;
    } else {
      auto it = level->literals.find(token);
      if (it == level->literals.end()) it = level->literals.emplace(token, nullptr).first;
      slot = &it->second;
    }
    if (*slot == nullptr) *slot = std::make_unique<TrieNode>();
    node = slot->get();
    level = &node->children;
  }

  bool added;
  if (sub->queue.empty()) {
    added = node->plain.Add(sub);
  } else {
    QueueSubscribers* group = nullptr;
    for (QueueSubscribers& candidate : node->queues) {
      if (candidate.name == sub->queue) {
        group = &candidate;
        break;
      }
    }
    if (group == nullptr) group = &node->queues.emplace_back(QueueSubscribers{sub->queue, {}});
    added = group->members.Add(sub);
  }
  SPATE_ASSERT(added, "subscription inserted twice: subject '%s' queue '%s'", sub->subject.c_str(),
               sub->queue.c_str());
  count_.fetch_add(1, std::memory_order_relaxed);
  inserts_.fetch_add(1, std::memory_order_relaxed);
  gen_.store(NextGeneration(), std::memory_order_release);
}

bool SubjectTrie::Remove(const Subscription* sub) {
  if (sub == nullptr) return false;
  struct Step {
    TrieLevel* parent;
    std::string_view token;
    TrieNode* node;
  };
  std::vector<Step> path;
  path.reserve(16);

  std::unique_lock lock(mu_);
  TrieLevel* level = root_.get();
  TokenCursor cursor(sub->subject);
  std::string_view token;
  while (cursor.Next(&token)) {
    TrieNode* child;
    if (IsSingleWildcard(token)) {
      child = level->single_wildcard.get();
    } else if (IsFullWildcard(token)) {
      child = level->full_wildcard.get();
    } else {
      const auto it = level->literals.find(token);
      child = it == level->literals.end() ? nullptr : it->second.get();
    }
    if (child == nullptr) return false;
    path.push_back({level, token, child});
    level = &child->children;
  }
  if (path.empty()) return false;

  TrieNode* node = path.back().node;
  if (sub->queue.empty()) {
    if (!node->plain.Remove(sub)) return false;
  } else {
    auto group = node->queues.begin();
    while (group != node->queues.end() && group->name != sub->queue) ++group;
    if (group == node->queues.end() || !group->members.Remove(sub)) return false;
    if (group->members.empty()) node->queues.erase(group);
  }

  // Prune from the leaf up while nodes are left with nothing.
  for (size_t i = path.size(); i-- > 0;) {
    const Step& step = path[i];
    if (!step.node->unused()) break;
    if (IsSingleWildcard(step.token)) {
      step.parent->single_wildcard.reset();
    } else if (IsFullWildcard(step.token)) {
      step.parent->full_wildcard.reset();
    } else {
      step.parent->literals.erase(step.parent->literals.find(step.token));
    }
  }
  count_.fetch_sub(1, std::memory_order_relaxed);
  removes_.fetch_add(1, std::memory_order_relaxed);
  gen_.store(NextGeneration(), std::memory_order_release);
  return true;
}

MatchResultRef SubjectTrie::MatchLocked(std::string_view subject) const {
  const SubjectTokens tokens(subject);
  if (subject.empty() || tokens.has_empty_token()) return kEmptyResultRef;
  ResultBuilder builder;
  const auto span = tokens.tokens();
  CollectMatches(root_.get(), span.data(), span.data() + span.size(), builder);
  return builder.Finish();
}

MatchResultRef SubjectTrie::Match(std::string_view subject, MatchCache* cache) const {
  if (cache == nullptr) {
    uncached_matches_.fetch_add(1, std::memory_order_relaxed);
    std::shared_lock lock(mu_);
    return MatchLocked(subject);
  }
  MatchCacheStats& stats = cache->mutable_stats();
  if (MatchResultRef hit = cache->Find(subject, gen_.load(std::memory_order_acquire))) {
    ++stats.hits;
    return hit;
  }
  uint64_t gen;
  MatchResultRef result;
  {
    std::shared_lock lock(mu_);
    // Writers change the trie and the generation under the write lock, so this generation
    // is exactly the state the result was computed from.
    gen = gen_.load(std::memory_order_relaxed);
    result = MatchLocked(subject);
  }
  const auto fanout = static_cast<uint32_t>(result->plain.size() + result->queues.size());
  ++stats.misses;
  stats.fanout_total += fanout;
  if (fanout > stats.fanout_max) stats.fanout_max = fanout;
  cache->Put(subject, gen, result);
  return result;
}

namespace {

size_t CountNodes(const TrieLevel& level) {
  size_t count = 0;
  auto visit = [&count](const TrieNode& node) { count += 1 + CountNodes(node.children); };
  for (const auto& [token, node] : level.literals) visit(*node);
  if (level.single_wildcard) visit(*level.single_wildcard);
  if (level.full_wildcard) visit(*level.full_wildcard);
  return count;
}

}  // namespace

size_t SubjectTrie::NodeCount() const {
  std::shared_lock lock(mu_);
  return CountNodes(*root_);
}

}  // namespace spate::routing

#include "server/delivery.h"

#include "server/account.h"
#include "server/client.h"
#include "server/loop_context.h"
#include "server/subscription.h"

namespace spate::server {
namespace {

// Counts a delivery against the subscription's max. Returns false once the max was reached;
// the delivery that reaches it removes the subscription (exactly one caller wins Remove).
bool ClaimDelivery(Account& account, ServerSubscription& sub,
                   const std::shared_ptr<routing::Subscription>& ref) {
  uint64_t n = sub.delivered.fetch_add(1, std::memory_order_relaxed) + 1;
  uint64_t max = sub.max.load(std::memory_order_relaxed);
  if (max == 0) return true;
  if (n > max) return false;
  if (n == max && account.subs().Remove(&sub) && sub.client != nullptr) {
    sub.client->ForgetSubscription(std::static_pointer_cast<ServerSubscription>(ref));
  }
  return true;
}

void RunInternal(LoopContext& ctx, const ServerSubscription& sub, const InternalMsg& msg) {
  ++ctx.internal_depth;
  sub.internal(ctx, msg);
  --ctx.internal_depth;
}

bool DeliverInternal(LoopContext& ctx, Account& account, const routing::SubscriptionRef& ref,
                     std::string_view subject, std::string_view reply, std::string_view headers,
                     std::string_view payload) {
  auto& sub = static_cast<ServerSubscription&>(*ref);
  if (!ClaimDelivery(account, sub, ref)) return false;
  if (ctx.internal_depth == 0) {
    RunInternal(ctx, sub, InternalMsg{subject, reply, headers, payload});
    return true;
  }
  // Published from inside a handler (a stream's PubAck to a subject another stream stores):
  // run it after the current one instead of re-entering, which could take the same locks.
  auto keep = std::static_pointer_cast<ServerSubscription>(ref);
  std::string bytes;
  bytes.reserve(subject.size() + reply.size() + headers.size() + payload.size());
  bytes.append(subject).append(reply).append(headers).append(payload);
  size_t s = subject.size(), r = reply.size(), h = headers.size();
  ctx.loop.Post([&ctx, keep, bytes = std::move(bytes), s, r, h] {
    std::string_view all(bytes);
    RunInternal(ctx, *keep,
                InternalMsg{all.substr(0, s), all.substr(s, r), all.substr(s + r, h),
                            all.substr(s + r + h)});
  });
  return true;
}

bool DeliverTo(LoopContext& ctx, Account& account, const routing::SubscriptionRef& ref,
               int64_t now_ns, std::string_view subject, std::string_view reply,
               std::string_view headers, std::string_view payload) {
  auto& sub = static_cast<ServerSubscription&>(*ref);
  if (sub.client == nullptr) {
    return DeliverInternal(ctx, account, ref, subject, reply, headers, payload);
  }
  if (sub.client->closed()) return false;
  if (!sub.client->AllowDelivery(subject, reply, now_ns)) return false;
  if (!ClaimDelivery(account, sub, ref)) return false;
  if (!sub.client->QueueMsg(sub, subject, reply, headers, payload)) return false;
  sub.client->NoteDelivery(now_ns);
  ctx.flush.Add(sub.client);
  return true;
}

}  // namespace

size_t DeliverMessage(LoopContext& ctx, Account& account, const Client* publisher, bool echo,
                      std::string_view route_subject, std::string_view reply,
                      std::string_view headers, std::string_view payload,
                      std::string_view shown_subject) {
  routing::MatchResultRef match =
      account.subs().Match(route_subject, account.cache(ctx.loop.index()));
  const std::string_view subject = shown_subject.empty() ? route_subject : shown_subject;
  size_t delivered = 0;
  // The publisher's read time stands for "now": no clock read per delivery.
  const int64_t now_ns = publisher != nullptr ? publisher->read_time_ns() : WallClockNs();
  for (const routing::SubscriptionRef& ref : match->plain) {
    const auto& sub = static_cast<const ServerSubscription&>(*ref);
    if (!echo && sub.client.get() == publisher) continue;
    if (DeliverTo(ctx, account, ref, now_ns, subject, reply, headers, payload)) ++delivered;
  }
  for (const auto& group : match->queues) {
    // Start at a random member and move on until one takes the message, so a closed or
    // exhausted member never swallows it.
    size_t n = group.members.size();
    size_t start = n == 1 ? 0 : ctx.rng() % n;
    for (size_t i = 0; i < n; ++i) {
      const routing::SubscriptionRef& ref = group.members[(start + i) % n];
      const auto& sub = static_cast<const ServerSubscription&>(*ref);
      if (!echo && sub.client.get() == publisher) continue;
      if (DeliverTo(ctx, account, ref, now_ns, subject, reply, headers, payload)) {
        ++delivered;
        break;
      }
    }
  }
  if (delivered > 0) {
    account.msgs_out.fetch_add(delivered, std::memory_order_relaxed);
    account.bytes_out.fetch_add(delivered * (headers.size() + payload.size()),
                                std::memory_order_relaxed);
  }
  return delivered;
}

void FlushSet::Add(const std::shared_ptr<Client>& client) {
  // Most batches touch a handful of receivers: a linear scan beats hashing until fan-out grows.
  if (pending_.size() < kLinearLimit) {
    for (const auto& c : pending_) {
      if (c.get() == client.get()) return;
    }
    pending_.push_back(client);
    if (pending_.size() == kLinearLimit) {
      for (const auto& c : pending_) seen_.insert(c.get());
    }
    return;
  }
  if (seen_.insert(client.get()).second) pending_.push_back(client);
}

void FlushSet::FlushAll() {
  // Flushing can post work but never adds to this set, so iterating in place is safe.
  for (auto& c : pending_) c->Flush();
  pending_.clear();
  seen_.clear();
}

}  // namespace spate::server

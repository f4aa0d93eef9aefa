#include "client/nuid.h"

#include <random>

namespace spate::client {
namespace {

constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr uint64_t kBase = 62;
constexpr size_t kPrefixLen = 12, kSeqLen = 10;
constexpr uint64_t kMaxSeq = 839299365868340224ULL;  // 62^10
constexpr uint64_t kMinInc = 33, kMaxInc = 333;

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

}  // namespace

Nuid::Nuid() {
  Reseed();
  seq_ = Rng()() % kMaxSeq;
  inc_ = kMinInc + Rng()() % (kMaxInc - kMinInc);
}

void Nuid::Reseed() {
  prefix_.resize(kPrefixLen);
  for (char& c : prefix_) c = kDigits[Rng()() % kBase];
}

std::string Nuid::Next() {
  seq_ += inc_;
  if (seq_ >= kMaxSeq) {
    Reseed();
    seq_ = Rng()() % kMaxSeq;
    inc_ = kMinInc + Rng()() % (kMaxInc - kMinInc);
  }
  std::string out = prefix_;
  out.resize(kPrefixLen + kSeqLen);
  uint64_t v = seq_;
  for (size_t i = kPrefixLen + kSeqLen; i > kPrefixLen; --i) {
    out[i - 1] = kDigits[v % kBase];
    v /= kBase;
  }
  return out;
}

std::string NewInbox() {
  thread_local Nuid nuid;
  return "_INBOX." + nuid.Next();
}

}  // namespace spate::client

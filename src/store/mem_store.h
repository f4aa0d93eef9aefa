#pragma once

#include <memory>

#include "store/indexed_store.h"

namespace spate::store {

// A stream kept in memory only. Durability is immediate (there is nothing more to wait for), so
// DurableCallbacks run inline, before AppendAsync returns.
// Threading: as StreamStore (owner thread only).
class MemStore final : public IndexedStore {
 public:
  explicit MemStore(const StoreLimits& limits = {}) : IndexedStore(limits) {}

  Status Sync() override { return Status::Ok(); }
  Status Stop() override;

 protected:
  Result<uint64_t> WriteMsg(uint64_t seq, std::string_view subject, std::string_view headers,
                            std::string_view payload, int64_t timestamp_ns) override;
  Status ReadMsg(uint64_t seq, const MsgMeta& meta, StoredMsg* out) override;
  Status PersistRemovals(std::span<const uint64_t>, bool) override { return Status::Ok(); }
  Status PersistFloor(uint64_t, bool) override { return Status::Ok(); }
  void OnRemoved(uint64_t seq, const MsgMeta& meta) override;
  void OnWritten(StreamSeq seq, DurableCallback on_durable) override;
  Status WaitDurable() override { return Status::Ok(); }

 private:
  SeqIndex<StoredMsg> msgs_;  // same sequences as index()
};

}  // namespace spate::store

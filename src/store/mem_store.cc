#include "store/mem_store.h"

namespace spate::store {

Result<uint64_t> MemStore::WriteMsg(uint64_t seq, std::string_view subject,
                                    std::string_view headers, std::string_view payload,
                                    int64_t timestamp_ns) {
  StoredMsg msg;
  msg.Assign(StreamSeq{seq}, timestamp_ns, subject, headers, payload);
  msgs_.Add(seq, std::move(msg));
  return uint64_t{0};
}

Status MemStore::ReadMsg(uint64_t seq, const MsgMeta&, StoredMsg* out) {
  const StoredMsg* msg = msgs_.Find(seq);
  if (msg == nullptr) return Status::Internal("memory store index and messages disagree");
  *out = *msg;
  return Status::Ok();
}

void MemStore::OnRemoved(uint64_t seq, const MsgMeta&) { msgs_.Remove(seq); }

void MemStore::OnWritten(StreamSeq seq, DurableCallback on_durable) {
  if (on_durable) on_durable(seq, Status::Ok());
}

Status MemStore::Stop() {
  set_stopped();
  return Status::Ok();
}

}  // namespace spate::store

// Mirrors and sources within this server: a copier reads new messages of the origin stream and
// appends them here (stream.h: SourceCursor). Positions are kept in <stream>/sources.json.
#include <filesystem>

#include "common/logging.h"
#include "jetstream/engine/consumer.h"
#include "jetstream/engine/file_util.h"
#include "jetstream/engine/msg_headers.h"
#include "jetstream/engine/stream.h"
#include "jetstream/json_codec.h"

namespace spate::jetstream {

using server::LoopContext;

void Stream::BuildSourcesLocked() {
  std::vector<SourceState> old = std::move(sources_);
  sources_.clear();
  std::vector<StreamSource> configs = config_.sources;
  if (config_.mirror) configs.insert(configs.begin(), *config_.mirror);
  for (StreamSource& c : configs) {
    SourceState s;
    s.config = c;
    if (!c.filter_subject.empty()) s.filters.push_back(c.filter_subject);
    for (const auto& t : c.subject_transforms) {
      if (!t.source.empty()) s.filters.push_back(t.source);
      if (auto tr = SubjectTransform::Make(t.source, t.destination)) {
        s.transforms.push_back(std::move(*tr));
      }
    }
    for (const SourceState& o : old) {
      if (o.config.name == c.name) s.next_seq = o.next_seq;
    }
    sources_.push_back(std::move(s));
  }
}

void Stream::LoadSourcePositionsLocked() {
  auto text = ReadWholeFile(dir_ + "/sources.json");
  if (!text.ok()) return;
  nlohmann::json j = ParseJson(*text);
  if (!j.is_object()) return;
  for (SourceState& s : sources_) {
    if (j.contains(s.config.name) && j[s.config.name].is_number_unsigned()) {
      s.next_seq = j[s.config.name].get<uint64_t>();
    }
  }
}

void Stream::SaveSourcePositionsLocked() {
  if (memory_) return;
  nlohmann::json j = nlohmann::json::object();
  for (const SourceState& s : sources_) j[s.config.name] = s.next_seq;
  // Written to the OS, not synced: after a power loss the copier may copy a few messages again.
  if (Status st = WriteFileAtomic(dir_ + "/sources.json", j.dump(), false); !st.ok()) {
    LOG_ERROR("Stream '%s': saving source positions: %s", name_.c_str(), st.message().c_str());
  }
}

std::vector<Stream::SourceCursor> Stream::SourceCursors() {
  std::lock_guard lock(mu_);
  std::vector<SourceCursor> out;
  for (const SourceState& s : sources_) {
    uint64_t next = s.next_seq != 0 ? s.next_seq : std::max<uint64_t>(s.config.opt_start_seq, 1);
    out.push_back(SourceCursor{s.config.name, s.filters, next});
  }
  return out;
}

std::vector<store::StoredMsg> Stream::ReadFrom(const std::vector<std::string>& filters,
                                               uint64_t start, size_t max, uint64_t* last_seq) {
  std::lock_guard lock(mu_);
  std::vector<store::StoredMsg> out;
  *last_seq = store_->State().last_seq.value;
  // Caught up: nothing more matches up to *last_seq, so the copier may move past it.
  uint64_t seq = std::max<uint64_t>(start, 1);
  while (out.size() < max) {
    Result<store::StoredMsg> best = Status::NotFound("");
    if (filters.empty()) {
      best = store_->LoadNext("", StreamSeq{seq});
    } else {
      for (const auto& f : filters) {
        auto m = store_->LoadNext(f, StreamSeq{seq});
        if (m.ok() && (!best.ok() || m->seq() < best->seq())) best = std::move(m);
      }
    }
    if (!best.ok()) break;
    seq = best->seq().value + 1;
    out.push_back(std::move(*best));
  }
  if (out.size() < max) *last_seq |= kCaughtUpBit;
  return out;
}

void Stream::AppendSourced(LoopContext& ctx, size_t index, std::vector<store::StoredMsg>& msgs,
                           uint64_t origin_last, bool origin_missing) {
  std::lock_guard lock(mu_);
  if (stopped_ || index >= sources_.size()) return;
  SourceState& s = sources_[index];
  const bool mirror = config_.mirror.has_value() && index == 0;
  s.missing = origin_missing;
  if (origin_missing) return;
  const int64_t now = server::WallClockNs();
  const bool caught_up = (origin_last & kCaughtUpBit) != 0;
  origin_last &= ~kCaughtUpBit;
  bool all_copied = true;
  uint64_t next = s.next_seq != 0 ? s.next_seq : std::max<uint64_t>(s.config.opt_start_seq, 1);
  const int64_t start_time = s.config.opt_start_time.value_or(0);
  for (store::StoredMsg& m : msgs) {
    if (m.seq().value < next) continue;
    if (m.timestamp_ns() < start_time) {
      next = m.seq().value + 1;
      continue;
    }
    std::string_view subject = m.subject();
    std::optional<std::string> mapped;
    for (const auto& t : s.transforms) {
      if ((mapped = t.Apply(subject))) break;
    }
    if (mapped) subject = *mapped;
    std::string headers;
    if (!mirror) {
      // Where the message came from, as nats-server marks sourced messages.
      HeaderWriter h;
      h.AddLinesOf(m.headers());
      h.Add("Nats-Stream-Source", s.config.name + " " + std::to_string(m.seq().value));
      headers = h.Finish();
    } else {
      headers.assign(m.headers());
    }
    auto r = store_->AppendAsync(subject, headers, m.payload(), mirror ? m.timestamp_ns() : now,
                                 [](StreamSeq, Status) {});
    if (!r.ok()) {
      LOG_WARN("Stream '%s': copying from '%s' stopped at %llu: %s", name_.c_str(),
               s.config.name.c_str(), static_cast<unsigned long long>(m.seq().value),
               r.status().message().c_str());
      all_copied = false;
      break;
    }
    for (auto& [n, c] : consumers_) c->OnAppended(r->value, subject);
    next = m.seq().value + 1;
    s.last_active_ns = now;
  }
  if (caught_up && all_copied) next = std::max(next, origin_last + 1);
  if (next != s.next_seq) {
    s.next_seq = next;
    SaveSourcePositionsLocked();
    ReaccountLocked();
    DeliverToConsumersLocked(ctx);
  }
  s.lag = origin_last >= s.next_seq ? origin_last - s.next_seq + 1 : 0;
}

StreamSourceInfo Stream::SourceInfoLocked(const SourceState& s, int64_t now_ns) const {
  StreamSourceInfo info;
  info.name = s.config.name;
  info.external = s.config.external;
  info.lag = s.lag;
  info.active = s.last_active_ns == 0 ? Duration(-1) : Duration(now_ns - s.last_active_ns);
  info.filter_subject = s.config.filter_subject;
  info.subject_transforms = s.config.subject_transforms;
  if (s.missing) {
    info.error = MakeApiError(ApiErrorId::kStreamNotFound);
  }
  return info;
}

}  // namespace spate::jetstream

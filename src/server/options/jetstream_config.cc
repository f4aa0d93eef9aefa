#include <string>

#include "server/options/config_sections.h"

namespace spate::server {

using conf::MapEntry;
using conf::Value;

void ApplyJetStream(const MapEntry& entry, ConfigReader* reader, JetStreamOptions* js,
                    bool* store_dir_seen) {
  const Value& v = entry.value;
  if (v.is(Value::Kind::kBool)) {
    js->enabled = v.AsBool();
    return;
  }
  if (v.is(Value::Kind::kString)) {
    const std::string word = LowerKey(v.AsString());
    if (word == "enabled" || word == "enable") {
      js->enabled = true;
    } else if (word == "disabled" || word == "disable") {
      js->enabled = false;
    } else {
      reader->Error(v.location(), "expected 'enabled' or 'disabled' for \"" + entry.key +
                                      "\", found '" + v.AsString() + "'");
    }
    return;
  }
  if (!v.is(Value::Kind::kMap)) {
    reader->Error(v.location(), "expected a map, bool or string to define JetStream, found " +
                                    std::string(Value::KindName(v.kind())));
    return;
  }
  bool enable = true;  // a block, even an empty one, enables JetStream
  for (const MapEntry& e : v.entries()) {
    const std::string key = LowerKey(e.key);
    if (key == "store" || key == "store_dir" || key == "storedir") {
      if (*store_dir_seen) {
        reader->Error(e.key_location, "duplicate 'store_dir' configuration");
        continue;
      }
      *store_dir_seen = true;
      reader->ReadString(e, &js->store_dir);
    } else if (key == "sync" || key == "sync_interval") {
      if (e.value.is(Value::Kind::kString) && LowerKey(e.value.AsString()) == "always") {
        js->sync_always = true;
        js->sync_interval = std::chrono::milliseconds(0);
        continue;
      }
      std::chrono::milliseconds interval{0};
      if (!reader->ReadDuration(e, &interval)) continue;
      if (interval.count() == 0) {
        reader->Error(e.value.location(),
                      "invalid value for \"" + e.key + "\": use \"always\" or a positive duration");
        continue;
      }
      js->sync_always = false;
      js->sync_interval = interval;
    } else if (key == "max_memory_store" || key == "max_mem_store" || key == "max_mem") {
      int64_t size = 0;
      if (!reader->ReadStorageSize(e, &size)) continue;
      if (size < -1) {
        reader->Error(e.value.location(), "invalid value for \"" + e.key + "\": negative size");
        continue;
      }
      js->max_memory = size;
    } else if (key == "max_file_store" || key == "max_file") {
      int64_t size = 0;
      if (!reader->ReadStorageSize(e, &size)) continue;
      if (size < -1) {
        reader->Error(e.value.location(), "invalid value for \"" + e.key + "\": negative size");
        continue;
      }
      js->max_store = size;
    } else if (key == "domain") {
      reader->ReadString(e, &js->domain);
    } else if (key == "enable" || key == "enabled") {
      reader->ReadBool(e, &enable);
    } else if (key == "strict" || key == "key" || key == "ek" || key == "encryption_key" ||
               key == "prev_key" || key == "prev_ek" || key == "prev_encryption_key" ||
               key == "cipher" || key == "extension_hint" || key == "limits" || key == "tpm" ||
               key == "unique_tag" || key == "max_outstanding_catchup" ||
               key == "max_buffered_size" || key == "max_buffered_msgs" ||
               key == "request_queue_limit" || key == "info_queue_limit" || key == "meta_compact" ||
               key == "meta_compact_size" || key == "meta_compact_sync" ||
               key == "max_concurrent_io") {
      reader->Unsupported(e, "jetstream");
    } else {
      reader->Unknown(e);
    }
  }
  js->enabled = enable;
}

}  // namespace spate::server

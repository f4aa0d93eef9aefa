#include <set>
#include <string>

#include "routing/subject.h"
#include "server/options/config_sections.h"

namespace spate::server {
namespace {

using conf::MapEntry;
using conf::Value;

std::string KindOf(const Value& v) { return std::string(Value::KindName(v.kind())); }

// `jetstream: enabled | disabled | true | false | { max_mem, max_file, ... }` in an account.
void ReadAccountJetStream(const MapEntry& entry, ConfigReader* reader,
                          std::optional<AccountJetStreamLimits>* out) {
  const Value& v = entry.value;
  if (v.is(Value::Kind::kBool)) {
    if (v.AsBool()) {
      *out = AccountJetStreamLimits{};
    } else {
      out->reset();
    }
    return;
  }
  if (v.is(Value::Kind::kString)) {
    const std::string word = LowerKey(v.AsString());
    if (word == "enabled" || word == "enable") {
      *out = AccountJetStreamLimits{};
    } else if (word == "disabled" || word == "disable") {
      out->reset();
    } else {
      reader->Error(v.location(), "expected 'enabled' or 'disabled' for string value, got '" +
                                      v.AsString() + "'");
    }
    return;
  }
  if (!v.is(Value::Kind::kMap)) {
    reader->Error(v.location(),
                  "expected map, bool or string to define JetStream, got " + KindOf(v));
    return;
  }
  AccountJetStreamLimits limits;
  for (const MapEntry& e : v.entries()) {
    const std::string key = LowerKey(e.key);
    if (key == "max_memory" || key == "max_mem" || key == "mem" || key == "memory") {
      reader->ReadStorageSize(e, &limits.max_memory);
    } else if (key == "max_store" || key == "max_file" || key == "max_disk" || key == "store" ||
               key == "disk") {
      reader->ReadStorageSize(e, &limits.max_store);
    } else if (key == "max_streams" || key == "streams") {
      reader->ReadInt(e, &limits.max_streams);
    } else if (key == "max_consumers" || key == "consumers") {
      reader->ReadInt(e, &limits.max_consumers);
    } else if (key == "max_ack_pending") {
      reader->ReadInt(e, &limits.max_ack_pending);
    } else if (key == "max_bytes_required" || key == "max_stream_bytes" || key == "max_bytes") {
      reader->ReadBool(e, &limits.max_bytes_required);
    } else if (key == "mem_max_stream_bytes" || key == "memory_max_stream_bytes") {
      reader->ReadStorageSize(e, &limits.memory_max_stream_bytes);
    } else if (key == "disk_max_stream_bytes" || key == "store_max_stream_bytes") {
      reader->ReadStorageSize(e, &limits.store_max_stream_bytes);
    } else {
      reader->Unknown(e);
    }
  }
  *out = limits;
}

// The `accounts: [A, B]` list of an export: who may import it.
void ReadAccountNames(const MapEntry& e, ConfigReader* reader, std::vector<std::string>* out) {
  if (!e.value.is(Value::Kind::kArray)) {
    reader->Error(e.value.location(), "expected an array of account names, got " + KindOf(e.value));
    return;
  }
  for (const Value& item : e.value.items()) {
    if (!item.is(Value::Kind::kString)) {
      reader->Error(item.location(), "expected an account name, got " + KindOf(item));
      continue;
    }
    out->push_back(item.AsString());
  }
}

void ReadExports(const MapEntry& entry, ConfigReader* reader, std::vector<AccountExport>* out) {
  if (!entry.value.is(Value::Kind::kArray)) {
    reader->Error(entry.value.location(), "exports should be an array, got " + KindOf(entry.value));
    return;
  }
  for (const Value& item : entry.value.items()) {
    if (!item.is(Value::Kind::kMap)) {
      reader->Error(item.location(), "export should be a map, got " + KindOf(item));
      continue;
    }
    AccountExport x;
    bool has_subject = false;
    for (const MapEntry& e : item.entries()) {
      const std::string key = LowerKey(e.key);
      if (key == "stream" || key == "service") {
        if (has_subject) {
          reader->Error(e.key_location, "export can not be both a stream and a service");
          continue;
        }
        x.service = key == "service";
        has_subject = reader->ReadString(e, &x.subject);
        if (has_subject && !routing::IsValidSubject(x.subject)) {
          reader->Error(e.value.location(), "invalid export subject \"" + x.subject + "\"");
          has_subject = false;
        }
      } else if (key == "accounts") {
        ReadAccountNames(e, reader, &x.accounts);
      } else if (key == "response" || key == "response_type" || key == "threshold" ||
                 key == "response_threshold" || key == "latency" ||
                 key == "account_token_position" || key == "advertise" || key == "allow_trace") {
        reader->Unsupported(e, "an export");
      } else {
        reader->Unknown(e);
      }
    }
    if (!has_subject) {
      reader->Error(item.location(), "export needs a stream or a service subject");
      continue;
    }
    out->push_back(std::move(x));
  }
}

// `{stream: {account: A, subject: x}, prefix: p}` or `{service: {account: A, subject: x}, to: y}`.
void ReadImports(const MapEntry& entry, ConfigReader* reader, std::vector<AccountImport>* out) {
  if (!entry.value.is(Value::Kind::kArray)) {
    reader->Error(entry.value.location(), "imports should be an array, got " + KindOf(entry.value));
    return;
  }
  for (const Value& item : entry.value.items()) {
    if (!item.is(Value::Kind::kMap)) {
      reader->Error(item.location(), "import should be a map, got " + KindOf(item));
      continue;
    }
    AccountImport x;
    bool has_source = false;
    for (const MapEntry& e : item.entries()) {
      const std::string key = LowerKey(e.key);
      if (key == "stream" || key == "service") {
        x.service = key == "service";
        if (!e.value.is(Value::Kind::kMap)) {
          reader->Error(e.value.location(),
                        "import source should be a map, got " + KindOf(e.value));
          continue;
        }
        for (const MapEntry& s : e.value.entries()) {
          const std::string skey = LowerKey(s.key);
          if (skey == "account") {
            reader->ReadString(s, &x.account);
          } else if (skey == "subject") {
            reader->ReadString(s, &x.subject);
          } else {
            reader->Unknown(s);
          }
        }
        has_source = !x.account.empty() && routing::IsValidSubject(x.subject);
        if (!has_source) {
          reader->Error(e.value.location(), "import needs an account and a valid subject");
        }
      } else if (key == "prefix") {
        reader->ReadString(e, &x.prefix);
      } else if (key == "to" || key == "local_subject") {
        reader->ReadString(e, &x.to);
      } else if (key == "share" || key == "allow_trace") {
        reader->Unsupported(e, "an import");
      } else {
        reader->Unknown(e);
      }
    }
    if (!has_source) continue;
    if (!x.to.empty() && !routing::IsValidSubject(x.to)) {
      reader->Error(item.location(), "invalid import subject \"" + x.to + "\"");
      continue;
    }
    out->push_back(std::move(x));
  }
}

}  // namespace

void ApplyAccounts(const MapEntry& entry, ConfigReader* reader, AuthOptions* auth) {
  const Value& v = entry.value;
  if (v.is(Value::Kind::kArray)) {
    // `accounts: [A, B]`: bare names, no users.
    for (const Value& item : v.items()) {
      if (!item.is(Value::Kind::kString)) {
        reader->Error(item.location(), "expected an account name, got " + KindOf(item));
        continue;
      }
      auth->accounts.push_back(AccountConfig{item.AsString(), {}, {}, {}});
    }
    return;
  }
  if (!v.is(Value::Kind::kMap)) {
    reader->Error(v.location(), "expected map to define accounts, got " + KindOf(v));
    return;
  }
  std::set<std::string> users_seen;
  for (const UserEntry& u : auth->users) users_seen.insert(u.user.empty() ? u.nkey : u.user);
  for (const MapEntry& a : v.entries()) {
    if (a.key == "$G") {
      reader->Error(a.key_location, "\"$G\" is a reserved account name");
      continue;
    }
    AccountConfig account{a.key, {}, {}, {}};
    if (!a.value.is(Value::Kind::kMap)) {
      reader->Error(a.value.location(),
                    "expected map to define an account, got " + KindOf(a.value));
      continue;
    }
    for (const MapEntry& e : a.value.entries()) {
      const std::string key = LowerKey(e.key);
      if (key == "users") {
        if (!e.value.is(Value::Kind::kArray)) {
          reader->Error(e.value.location(),
                        "expected users field to be an array, found " + KindOf(e.value));
          continue;
        }
        for (const Value& item : e.value.items()) {
          UserEntry user;
          if (!ReadUserEntry(item, reader, &user)) continue;
          if (!users_seen.insert(user.user.empty() ? user.nkey : user.user).second) {
            reader->Error(item.location(), "duplicate user \"" + user.user + "\" detected");
            continue;
          }
          user.account = a.key;
          auth->users.push_back(std::move(user));
        }
      } else if (key == "jetstream") {
        ReadAccountJetStream(e, reader, &account.jetstream);
      } else if (key == "exports") {
        ReadExports(e, reader, &account.exports);
      } else if (key == "imports") {
        ReadImports(e, reader, &account.imports);
      } else if (key == "default_permissions" || key == "mappings" || key == "maps" ||
                 key == "limits" || key == "nkey" || key == "trace_dest" ||
                 key == "trace_dest_sampling" || key == "msg_trace") {
        reader->Unsupported(e, "an account");
      } else {
        reader->Unknown(e);
      }
    }
    auth->accounts.push_back(std::move(account));
  }
}

}  // namespace spate::server

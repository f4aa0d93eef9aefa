#include <set>
#include <string>

#include "auth/nkey.h"
#include "server/options/config_sections.h"

namespace spate::server {
using conf::MapEntry;
using conf::Value;

bool ReadUserEntry(const Value& item, ConfigReader* reader, UserEntry* user) {
  if (!item.is(Value::Kind::kMap)) {
    reader->Error(item.location(), "expected user entry to be a map, found " +
                                       std::string(Value::KindName(item.kind())));
    return false;
  }
  bool ok = true;
  for (const MapEntry& e : item.entries()) {
    const std::string key = LowerKey(e.key);
    if (key == "user" || key == "username") {
      ok &= reader->ReadString(e, &user->user);
    } else if (key == "pass" || key == "password") {
      ok &= reader->ReadString(e, &user->password);
    } else if (key == "permission" || key == "permissions") {
      Permissions p;
      if (ReadPermissions(e, reader, &p)) {
        user->permissions = std::move(p);
      } else {
        ok = false;
      }
    } else if (key == "nkey") {
      if (reader->ReadString(e, &user->nkey) &&
          !auth::IsValidPublicKey(user->nkey, auth::KeyType::kUser)) {
        reader->Error(e.value.location(), "not a valid user nkey: \"" + user->nkey + "\"");
        ok = false;
      }
    } else if (key == "authorization" || key == "allowed_connection_types" ||
               key == "connection_types" || key == "clients" || key == "proxy_required") {
      reader->Unsupported(e, "a user entry");
      ok = false;
    } else {
      reader->Unknown(e);
      if (!e.value.used_as_variable()) ok = false;
    }
  }
  if (ok && !user->user.empty() && !user->nkey.empty()) {
    reader->Error(item.location(), "a user entry can not have both a user and an nkey");
    return false;
  }
  if (ok && user->user.empty() && user->nkey.empty()) {
    reader->Error(item.location(), "user entry requires a user");
    return false;
  }
  return ok;
}

void ApplyAuthorization(const MapEntry& entry, ConfigReader* reader, AuthOptions* auth) {
  if (!entry.value.is(Value::Kind::kMap)) {
    reader->Error(entry.value.location(), "expected a map for \"" + entry.key + "\", found " +
                                              std::string(Value::KindName(entry.value.kind())));
    return;
  }
  AuthOptions parsed;
  // Top-level keys that land in AuthOptions too; keep them (and users of `accounts`).
  parsed.no_auth_user = auth->no_auth_user;
  parsed.accounts = auth->accounts;
  parsed.system_account = auth->system_account;
  for (const UserEntry& u : auth->users) {
    if (!u.account.empty()) parsed.users.push_back(u);
  }
  bool has_users_key = false;
  for (const MapEntry& e : entry.value.entries()) {
    const std::string key = LowerKey(e.key);
    if (key == "user" || key == "username") {
      reader->ReadString(e, &parsed.user);
    } else if (key == "pass" || key == "password") {
      reader->ReadString(e, &parsed.password);
    } else if (key == "token") {
      reader->ReadString(e, &parsed.token);
    } else if (key == "timeout") {
      parsed.timeout_set = true;
      // Seconds, possibly fractional (0.5), or a duration string.
      const Value& v = e.value;
      if (v.is(Value::Kind::kFloat)) {
        if (v.AsFloat() < 0) {
          reader->Error(v.location(), "invalid value for \"timeout\": can not be negative");
        } else {
          parsed.timeout = std::chrono::milliseconds(static_cast<int64_t>(v.AsFloat() * 1000));
        }
      } else {
        reader->ReadDuration(e, &parsed.timeout);
      }
    } else if (key == "users") {
      has_users_key = true;
      if (!e.value.is(Value::Kind::kArray)) {
        reader->Error(e.value.location(), "expected users field to be an array, found " +
                                              std::string(Value::KindName(e.value.kind())));
        continue;
      }
      std::set<std::string> seen;
      for (const UserEntry& u : parsed.users) seen.insert(u.user.empty() ? u.nkey : u.user);
      for (const Value& item : e.value.items()) {
        UserEntry user;
        if (!ReadUserEntry(item, reader, &user)) continue;
        if (!seen.insert(user.user.empty() ? user.nkey : user.user).second) {
          reader->Error(item.location(), "duplicate user \"" + user.user + "\" detected");
          continue;
        }
        parsed.users.push_back(std::move(user));
      }
    } else if (key == "default_permission" || key == "default_permissions") {
      Permissions p;
      if (ReadPermissions(e, reader, &p)) parsed.default_permissions = std::move(p);
    } else if (key == "permissions" || key == "auth_callout" || key == "auth_hook" ||
               key == "proxy_required") {
      reader->Unsupported(e, "authorization");
    } else {
      reader->Unknown(e);
    }
  }
  // The same combinations nats-server refuses.
  const conf::Location& where = entry.key_location;
  if ((!parsed.user.empty() || !parsed.password.empty()) && !parsed.token.empty()) {
    reader->Error(where, "cannot have a user/pass and token");
  }
  if (has_users_key && !parsed.user.empty()) {
    reader->Error(where, "can not have a single user/pass and a users array");
  }
  if (has_users_key && !parsed.token.empty()) {
    reader->Error(where, "can not have a token and a users array");
  }
  *auth = std::move(parsed);
}

}  // namespace spate::server

#include "auth/claims_json.h"

#include <limits>

namespace spate::auth::internal {
namespace {

using nlohmann::json;

// Reads typed fields of one JSON object. The first error wins and carries the field's path
// ("nats.limits.subs"); later reads after an error are harmless no-ops in effect.
class Fields {
 public:
  Fields(const json* object, std::string path, Status* error)
      : object_(object), path_(std::move(path)), error_(error) {}

  // Null when the field is absent or JSON null (Go leaves the target untouched for both).
  const json* Find(const char* key) const {
    if (object_ == nullptr) return nullptr;
    auto it = object_->find(key);
    if (it == object_->end() || it->is_null()) return nullptr;
    return &*it;
  }

  void String(const char* key, std::string* out) {
    if (const json* v = Find(key)) {
      if (v->is_string()) {
        *out = v->get_ref<const std::string&>();
      } else {
        Fail(key, "expected a string");
      }
    }
  }

  void Int(const char* key, int64_t* out) {
    if (const json* v = Find(key); v != nullptr && !ToInt(*v, out)) {
      Fail(key, "expected a 64-bit integer");
    }
  }

  void Bool(const char* key, bool* out) {
    if (const json* v = Find(key)) {
      if (v->is_boolean()) {
        *out = v->get<bool>();
      } else {
        Fail(key, "expected true or false");
      }
    }
  }

  void Strings(const char* key, std::vector<std::string>* out) {
    if (const json* v = Find(key)) {
      if (!v->is_array()) return Fail(key, "expected an array of strings");
      out->clear();
      for (const json& item : *v) {
        if (!item.is_string()) return Fail(key, "expected an array of strings");
        out->push_back(item.get<std::string>());
      }
    }
  }

  // An array of strings, or one comma-separated string (Go's CIDRList accepts both).
  void StringsOrCommaList(const char* key, std::vector<std::string>* out) {
    const json* v = Find(key);
    if (v == nullptr || !v->is_string()) return Strings(key, out);
    out->clear();
    std::string_view rest = v->get_ref<const std::string&>();
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) out->emplace_back(item);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }

  void IntMap(const char* key, std::map<std::string, int64_t>* out) {
    ForEachEntry(key, [&](const std::string& name, const json& value) {
      if (!ToInt(value, &(*out)[name])) Fail(key, "expected integers as values");
    });
  }

  // Calls read(name, value) for each non-null member of an object field.
  template <class ReadEntry>
  void ForEachEntry(const char* key, ReadEntry read) {
    Fields map = Object(key);
    if (map.object_ == nullptr) return;
    for (auto it = map.object_->begin(); it != map.object_->end(); ++it) {
      if (!it->is_null()) read(it.key(), *it);
    }
  }

  // Absent fields give a reader over nothing, so callers need no special case.
  Fields Object(const char* key) {
    const json* v = Find(key);
    if (v != nullptr && !v->is_object()) {
      Fail(key, "expected an object");
      v = nullptr;
    }
    return Fields(v, Path(key), error_);
  }

  // Calls read(fields, element) for each element of an array of objects.
  template <class ReadElement>
  void Array(const char* key, ReadElement read) {
    const json* v = Find(key);
    if (v == nullptr) return;
    if (!v->is_array()) return Fail(key, "expected an array");
    for (size_t i = 0; i < v->size(); ++i) {
      const json& item = (*v)[i];
      std::string path = Path(key) + "[" + std::to_string(i) + "]";
      if (!item.is_object()) {
        if (error_->ok())
          *error_ = Status::InvalidArgument("jwt: " + path + ": expected an object");
        return;
      }
      Fields element(&item, std::move(path), error_);
      read(element, item);
    }
  }

  void Fail(const char* key, const std::string& what) {
    if (error_->ok()) *error_ = Status::InvalidArgument("jwt: " + Path(key) + ": " + what);
  }

  bool present() const { return object_ != nullptr; }

  // A reader over an element found by hand (value must be an object), sharing our error.
  Fields Child(const json& value, std::string_view suffix) const {
    return Fields(&value, Path(suffix), error_);
  }

 private:
  static bool ToInt(const json& v, int64_t* out) {
    if (v.is_number_integer() && !v.is_number_unsigned()) {
      *out = v.get<int64_t>();
      return true;
    }
    if (v.is_number_unsigned() &&
        v.get<uint64_t>() <= uint64_t{std::numeric_limits<int64_t>::max()}) {
      *out = static_cast<int64_t>(v.get<uint64_t>());
      return true;
    }
    return false;
  }

  std::string Path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  const json* object_;
  std::string path_;
  Status* error_;
};

void ReadExportType(Fields& f, ExportType* out) {
  const json* v = f.Find("type");
  if (v == nullptr) return;
  if (v->is_string() && *v == "stream") {
    *out = ExportType::kStream;
  } else if (v->is_string() && *v == "service") {
    *out = ExportType::kService;
  } else {
    f.Fail("type", "expected \"stream\" or \"service\"");
  }
}

void ReadPermission(Fields f, Permission* out) {
  f.Strings("allow", &out->allow);
  f.Strings("deny", &out->deny);
}

void ReadPermissions(Fields& f, Permissions* out) {
  ReadPermission(f.Object("pub"), &out->pub);
  ReadPermission(f.Object("sub"), &out->sub);
  Fields resp = f.Object("resp");
  if (resp.present()) {
    ResponsePermission r;
    resp.Int("max", &r.max_msgs);
    resp.Int("ttl", &r.ttl_ns);
    out->resp = r;
  }
}

void ReadNatsLimits(Fields& f, NatsLimits* out) {
  f.Int("subs", &out->subs);
  f.Int("data", &out->data);
  f.Int("payload", &out->payload);
}

void ReadJetStreamLimits(Fields& f, JetStreamLimits* out) {
  f.Int("mem_storage", &out->mem_storage);
  f.Int("disk_storage", &out->disk_storage);
  f.Int("streams", &out->streams);
  f.Int("consumer", &out->consumer);
  f.Int("max_ack_pending", &out->max_ack_pending);
  f.Int("mem_max_stream_bytes", &out->mem_max_stream_bytes);
  f.Int("disk_max_stream_bytes", &out->disk_max_stream_bytes);
  f.Bool("max_bytes_required", &out->max_bytes_required);
}

// Go embeds Permissions, Limits and the user flags inline in the same object.
void ReadUserPermissionLimits(Fields& f, UserPermissionLimits* out) {
  ReadPermissions(f, &out->permissions);
  ReadNatsLimits(f, &out->limits);
  f.StringsOrCommaList("src", &out->src);
  f.Array("times", [&](Fields& t, const json&) {
    TimeRange range;
    t.String("start", &range.start);
    t.String("end", &range.end);
    out->times.push_back(std::move(range));
  });
  f.String("times_location", &out->locale);
  f.Bool("bearer_token", &out->bearer_token);
  f.Strings("allowed_connection_types", &out->allowed_connection_types);
}

void ReadSigningKeys(Fields& nats, std::vector<SigningKey>* out) {
  const json* v = nats.Find("signing_keys");
  if (v == nullptr) return;
  if (!v->is_array()) return nats.Fail("signing_keys", "expected an array");
  for (size_t i = 0; i < v->size(); ++i) {
    const json& item = (*v)[i];
    SigningKey key;
    if (item.is_string()) {
      key.key = item.get<std::string>();
    } else if (item.is_object()) {
      Fields scope = nats.Child(item, "signing_keys[" + std::to_string(i) + "]");
      std::string kind;
      scope.String("kind", &kind);
      // Treating an unknown scope as unscoped would grant more than its issuer meant.
      if (kind != "user_scope") {
        return nats.Fail("signing_keys", "unknown signing key scope \"" + kind + "\"");
      }
      key.scoped = true;
      scope.String("key", &key.key);
      scope.String("role", &key.role);
      Fields templ = scope.Object("template");
      ReadUserPermissionLimits(templ, &key.scope_template);
    } else {
      return nats.Fail("signing_keys", "expected strings or objects");
    }
    out->push_back(std::move(key));
  }
}

}  // namespace

Status ReadClaimsData(const json& payload, int version, ClaimsData* out) {
  Status error;
  Fields top(&payload, "", &error);
  top.String("jti", &out->id);
  top.Int("iat", &out->issued_at);
  top.Int("exp", &out->expires);
  top.Int("nbf", &out->not_before);
  top.String("iss", &out->issuer);
  top.String("sub", &out->subject);
  top.String("name", &out->name);
  // aud is a string in NATS tokens; other JWTs may use an array, which we do not need.
  if (const json* aud = top.Find("aud"); aud != nullptr && aud->is_string()) {
    out->audience = aud->get<std::string>();
  }
  Fields nats = top.Object("nats");
  out->version = version;
  if (version <= 1) {
    // v1 kept these at the top level.
    top.String("type", &out->type);
    top.Strings("tags", &out->tags);
    top.String("issuer_account", &out->issuer_account);
  } else {
    nats.String("type", &out->type);
    nats.Strings("tags", &out->tags);
    nats.String("issuer_account", &out->issuer_account);
  }
  return error;
}

Status ReadUserClaims(const json& payload, int version, UserClaims* out) {
  SPATE_RETURN_IF_ERROR(ReadClaimsData(payload, version, out));
  Status error;
  Fields top(&payload, "", &error);
  Fields nats = top.Object("nats");
  ReadUserPermissionLimits(nats, &out->user);
  return error;
}

Status ReadAccountClaims(const json& payload, int version, AccountClaims* out) {
  SPATE_RETURN_IF_ERROR(ReadClaimsData(payload, version, out));
  Status error;
  Fields top(&payload, "", &error);
  Fields nats = top.Object("nats");
  nats.Array("imports", [&](Fields& f, const json&) {
    Import imp;
    f.String("name", &imp.name);
    f.String("subject", &imp.subject);
    f.String("account", &imp.account);
    f.String("token", &imp.token);
    f.String("to", &imp.to);
    f.String("local_subject", &imp.local_subject);
    ReadExportType(f, &imp.type);
    f.Bool("share", &imp.share);
    out->imports.push_back(std::move(imp));
  });
  nats.Array("exports", [&](Fields& f, const json&) {
    Export exp;
    f.String("name", &exp.name);
    f.String("subject", &exp.subject);
    ReadExportType(f, &exp.type);
    f.Bool("token_req", &exp.token_req);
    f.IntMap("revocations", &exp.revocations);
    f.String("response_type", &exp.response_type);
    f.Int("response_threshold", &exp.response_threshold_ns);
    f.Int("account_token_position", &exp.account_token_position);
    f.Bool("advertise", &exp.advertise);
    out->exports.push_back(std::move(exp));
  });
  Fields limits = nats.Object("limits");
  ReadNatsLimits(limits, &out->limits.nats);
  limits.Int("imports", &out->limits.account.imports);
  limits.Int("exports", &out->limits.account.exports);
  limits.Bool("wildcards", &out->limits.account.wildcards);
  limits.Bool("disallow_bearer", &out->limits.account.disallow_bearer);
  limits.Int("conn", &out->limits.account.conn);
  limits.Int("leaf", &out->limits.account.leaf);
  ReadJetStreamLimits(limits, &out->limits.jetstream);
  limits.ForEachEntry("tiered_limits", [&](const std::string& tier, const json& value) {
    if (!value.is_object()) return limits.Fail("tiered_limits", "expected objects as values");
    Fields fields(&value, "nats.limits.tiered_limits." + tier, &error);
    ReadJetStreamLimits(fields, &out->limits.tiered[tier]);
  });
  ReadSigningKeys(nats, &out->signing_keys);
  nats.IntMap("revocations", &out->revocations);
  Fields defaults = nats.Object("default_permissions");
  ReadPermissions(defaults, &out->default_permissions);
  return error;
}

Status ReadOperatorClaims(const json& payload, int version, OperatorClaims* out) {
  SPATE_RETURN_IF_ERROR(ReadClaimsData(payload, version, out));
  Status error;
  Fields top(&payload, "", &error);
  Fields nats = top.Object("nats");
  // Operator signing keys are plain strings in every version.
  nats.Strings("signing_keys", &out->signing_keys);
  nats.String("system_account", &out->system_account);
  nats.String("account_server_url", &out->account_server_url);
  nats.Strings("operator_service_urls", &out->operator_service_urls);
  nats.Bool("strict_signing_key_usage", &out->strict_signing_key_usage);
  return error;
}

}  // namespace spate::auth::internal

#include <string>

#include "routing/subject.h"
#include "server/options/config_sections.h"

namespace spate::server {
namespace {

using conf::MapEntry;
using conf::Value;

// A subject, or for subscribe permissions "subject queue"; both parts must be valid.
bool ValidPermissionSubject(std::string_view text, bool allow_queue) {
  const size_t space = text.find(' ');
  if (space == std::string_view::npos) return routing::IsValidSubject(text);
  if (!allow_queue) return false;
  std::string_view subject = text.substr(0, space);
  std::string_view queue = text.substr(space + 1);
  while (!queue.empty() && queue.front() == ' ') queue.remove_prefix(1);
  return routing::IsValidSubject(subject) && !queue.empty() &&
         queue.find(' ') == std::string_view::npos;
}

// A string or an array of strings.
bool ReadSubjectList(const Value& v, ConfigReader* reader, bool allow_queue,
                     std::vector<std::string>* out) {
  std::vector<const Value*> items;
  if (v.is(Value::Kind::kString)) {
    items.push_back(&v);
  } else if (v.is(Value::Kind::kArray)) {
    for (const Value& item : v.items()) items.push_back(&item);
  } else {
    reader->Error(v.location(), "expected a subject or an array of subjects, found " +
                                    std::string(Value::KindName(v.kind())));
    return false;
  }
  bool ok = true;
  for (const Value* item : items) {
    if (!item->is(Value::Kind::kString)) {
      reader->Error(item->location(), "expected a subject string, found " +
                                          std::string(Value::KindName(item->kind())));
      ok = false;
      continue;
    }
    if (!ValidPermissionSubject(item->AsString(), allow_queue)) {
      reader->Error(item->location(), "invalid subject \"" + item->AsString() + "\"");
      ok = false;
      continue;
    }
    out->push_back(item->AsString());
  }
  return ok;
}

// `publish`/`subscribe`: a subject list (the allow list) or a map {allow, deny}.
bool ReadSubjectPermission(const MapEntry& entry, ConfigReader* reader, bool allow_queue,
                           SubjectPermission* out) {
  const Value& v = entry.value;
  if (!v.is(Value::Kind::kMap)) {
    out->has_allow = true;
    return ReadSubjectList(v, reader, allow_queue, &out->allow);
  }
  bool ok = true;
  for (const MapEntry& e : v.entries()) {
    const std::string key = LowerKey(e.key);
    if (key == "allow") {
      out->has_allow = true;
      ok &= ReadSubjectList(e.value, reader, allow_queue, &out->allow);
    } else if (key == "deny") {
      ok &= ReadSubjectList(e.value, reader, allow_queue, &out->deny);
    } else {
      reader->Unknown(e);
      if (!e.value.used_as_variable()) ok = false;
    }
  }
  return ok;
}

bool ReadResponsePermission(const MapEntry& entry, ConfigReader* reader,
                            std::optional<ResponsePermission>* out) {
  const Value& v = entry.value;
  if (v.is(Value::Kind::kBool)) {
    if (v.AsBool()) {
      *out = ResponsePermission{};
    } else {
      out->reset();
    }
    return true;
  }
  if (!v.is(Value::Kind::kMap)) {
    reader->Error(v.location(), "expected a bool or a map for \"" + entry.key + "\", found " +
                                    std::string(Value::KindName(v.kind())));
    return false;
  }
  ResponsePermission r;
  bool ok = true;
  for (const MapEntry& e : v.entries()) {
    const std::string key = LowerKey(e.key);
    if (key == "max" || key == "max_msgs" || key == "max_messages" || key == "max_responses") {
      int64_t n = 0;
      if (reader->ReadInt(e, &n)) {
        // nats-server: zero or less falls back to the default of one response.
        r.max_msgs = n <= 0 ? ResponsePermission{}.max_msgs : n;
      } else {
        ok = false;
      }
    } else if (key == "expires" || key == "expiration" || key == "ttl") {
      ok &= reader->ReadDuration(e, &r.expires);
    } else {
      reader->Unknown(e);
      if (!e.value.used_as_variable()) ok = false;
    }
  }
  *out = r;
  return ok;
}

}  // namespace

bool ReadPermissions(const MapEntry& entry, ConfigReader* reader, Permissions* out) {
  const Value& v = entry.value;
  if (!v.is(Value::Kind::kMap)) {
    reader->Error(v.location(), "expected a map for \"" + entry.key + "\", found " +
                                    std::string(Value::KindName(v.kind())));
    return false;
  }
  Permissions p;
  bool ok = true;
  for (const MapEntry& e : v.entries()) {
    const std::string key = LowerKey(e.key);
    if (key == "pub" || key == "publish" || key == "import") {
      p.publish.emplace();
      ok &= ReadSubjectPermission(e, reader, false, &*p.publish);
    } else if (key == "sub" || key == "subscribe" || key == "export") {
      p.subscribe.emplace();
      ok &= ReadSubjectPermission(e, reader, true, &*p.subscribe);
    } else if (key == "allow_responses" || key == "publish_allow_responses") {
      ok &= ReadResponsePermission(e, reader, &p.response);
    } else {
      reader->Unknown(e);
      if (!e.value.used_as_variable()) ok = false;
    }
  }
  // As nats-server: allowing responses without publish permissions allows nothing else.
  if (p.response && !p.publish) {
    p.publish.emplace();
    p.publish->has_allow = true;
  }
  *out = std::move(p);
  return ok;
}

}  // namespace spate::server

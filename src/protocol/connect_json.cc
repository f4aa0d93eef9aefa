#include "protocol/connect_json.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace spate::protocol {
namespace {

template <class T>
bool Merge(const nlohmann::json& j, const char* key, T* field) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) return false;
    *field = it->get<bool>();
  } else if constexpr (std::is_same_v<T, int>) {
    // Go decodes into an int: a fraction is a type error. Only 0 and 1 mean anything.
    if (!it->is_number_integer()) return false;
    const int64_t v = it->is_number_unsigned() && it->get<uint64_t>() > INT64_MAX
                          ? INT64_MAX
                          : it->get<int64_t>();
    *field = static_cast<int>(std::clamp<int64_t>(v, INT32_MIN, INT32_MAX));
  } else {
    if (!it->is_string()) return false;
    *field = it->get<std::string>();
  }
  return true;
}

}  // namespace

bool MergeConnectJson(std::string_view json, ConnectFields* fields) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return false;
  ConnectFields f = *fields;
  bool ok = Merge(j, "verbose", &f.verbose) && Merge(j, "pedantic", &f.pedantic) &&
            Merge(j, "echo", &f.echo) && Merge(j, "headers", &f.headers) &&
            Merge(j, "no_responders", &f.no_responders) && Merge(j, "protocol", &f.protocol) &&
            Merge(j, "name", &f.name) && Merge(j, "lang", &f.lang) &&
            Merge(j, "version", &f.version) && Merge(j, "user", &f.user) &&
            Merge(j, "pass", &f.pass) && Merge(j, "auth_token", &f.auth_token) &&
            Merge(j, "nkey", &f.nkey) && Merge(j, "sig", &f.sig) && Merge(j, "jwt", &f.jwt);
  if (!ok) return false;
  *fields = std::move(f);
  return true;
}

}  // namespace spate::protocol

#include "jetstream/api_error.h"

#include <iterator>

namespace spate::jetstream {
namespace {

constexpr ApiErrorSpec kTable[] = {
#define SPATE_API_ERROR(name, code, err_code, description) \
  {ApiErrorId::k##name, #name, code, err_code, description},
#include "jetstream/api_errors.inc"
#undef SPATE_API_ERROR
};

constexpr bool TableIndexedById() {
  for (size_t i = 0; i < std::size(kTable); ++i) {
    if (static_cast<size_t>(kTable[i].id) != i) return false;
  }
  return true;
}
static_assert(TableIndexedById(), "kTable[i].id must equal i");

}  // namespace

std::span<const ApiErrorSpec> AllApiErrors() { return kTable; }

const ApiErrorSpec& SpecOf(ApiErrorId id) { return kTable[static_cast<size_t>(id)]; }

ApiError MakeApiError(ApiErrorId id, std::initializer_list<ApiErrorArg> args) {
  const ApiErrorSpec& spec = SpecOf(id);
  ApiError error{.id = id, .code = spec.code, .err_code = spec.err_code, .description = {}};
  std::string_view text = spec.description;
  // One left-to-right pass: substituted values are never scanned again.
  while (!text.empty()) {
    size_t open = text.find('{');
    if (open == std::string_view::npos) break;
    size_t close = text.find('}', open);
    if (close == std::string_view::npos) break;
    error.description.append(text.substr(0, open));
    std::string_view key = text.substr(open + 1, close - open - 1);
    const ApiErrorArg* match = nullptr;
    for (const ApiErrorArg& arg : args) {
      if (arg.key == key) match = &arg;
    }
    if (match != nullptr) {
      error.description.append(match->value);
    } else {
      error.description.append(text.substr(open, close - open + 1));
    }
    text.remove_prefix(close + 1);
  }
  error.description.append(text);
  return error;
}

ApiError WrapUnless(ApiErrorId wrapper, const std::variant<ApiError, std::string>& cause) {
  if (const ApiError* inner = std::get_if<ApiError>(&cause)) return *inner;
  return MakeApiError(wrapper, {{"err", std::get<std::string>(cause)}});
}

nlohmann::ordered_json ToJson(const ApiError& error) {
  nlohmann::ordered_json out;
  out["code"] = error.code;
  if (error.err_code != 0) out["err_code"] = error.err_code;
  if (!error.description.empty()) out["description"] = error.description;
  return out;
}

}  // namespace spate::jetstream

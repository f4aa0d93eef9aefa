#include "client/api_error.h"

#include <charconv>
#include <string_view>

namespace spate::client {
namespace {

constexpr std::string_view kPrefix = "jetstream api error ";
constexpr std::string_view kErrCode = " (err_code ";
constexpr std::string_view kSep = "): ";

bool ReadInt(std::string_view* in, int* out) {
  const auto [end, ec] = std::from_chars(in->data(), in->data() + in->size(), *out);
  if (ec != std::errc()) return false;
  in->remove_prefix(static_cast<size_t>(end - in->data()));
  return true;
}

bool Consume(std::string_view* in, std::string_view what) {
  if (!in->starts_with(what)) return false;
  in->remove_prefix(what.size());
  return true;
}

}  // namespace

Status ApiErrorStatus(const ApiError& error) {
  std::string text = std::string(kPrefix) + std::to_string(error.code) + std::string(kErrCode) +
                     std::to_string(error.err_code) + std::string(kSep) + error.description;
  switch (error.code) {
    case 404:
      return Status::NotFound(std::move(text));
    case 400:
      return Status::InvalidArgument(std::move(text));
    case 503:
      return Status::Unavailable(std::move(text));
    default:
      return Status::Internal(std::move(text));
  }
}

std::optional<ApiError> GetApiError(const Status& status) {
  if (status.ok()) return std::nullopt;
  std::string_view in = status.message();
  ApiError out;
  if (!Consume(&in, kPrefix) || !ReadInt(&in, &out.code) || !Consume(&in, kErrCode) ||
      !ReadInt(&in, &out.err_code) || !Consume(&in, kSep)) {
    return std::nullopt;
  }
  out.description = std::string(in);
  return out;
}

bool IsApiError(const Status& status, int err_code) {
  const std::optional<ApiError> e = GetApiError(status);
  return e && e->err_code == err_code;
}

}  // namespace spate::client

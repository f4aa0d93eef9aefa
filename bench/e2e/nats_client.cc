#include "bench/e2e/nats_client.h"

namespace spate::bench {
namespace {

void OnClosed(natsConnection*, void* closure) {
  static_cast<ConnectionEvents*>(closure)->closed.fetch_add(1);
}

void OnAsyncError(natsConnection*, natsSubscription*, natsStatus err, void* closure) {
  auto* events = static_cast<ConnectionEvents*>(closure);
  events->last_error.store(err);
  events->async_errors.fetch_add(1);
}

struct OptionsDeleter {
  void operator()(natsOptions* opts) const { natsOptions_Destroy(opts); }
};

}  // namespace

void NatsConnectionDeleter::operator()(natsConnection* nc) const {
  natsConnection_Close(nc);
  natsConnection_Destroy(nc);
}

Status FromNats(natsStatus s, const std::string& what) {
  if (s == NATS_OK) return Status::Ok();
  std::string text = what + ": " + natsStatus_GetText(s);
  if (const char* detail = nats_GetLastError(nullptr); detail != nullptr && *detail != '\0') {
    text += std::string(" (") + detail + ")";
  }
  return Status::Unavailable(std::move(text));
}

Result<NatsConnection> Connect(const ConnectOptions& options) {
  natsOptions* raw_opts = nullptr;
  SPATE_RETURN_IF_ERROR(FromNats(natsOptions_Create(&raw_opts), "natsOptions_Create"));
  std::unique_ptr<natsOptions, OptionsDeleter> opts(raw_opts);
  natsStatus s = natsOptions_SetURL(opts.get(), options.url.c_str());
  if (s == NATS_OK) s = natsOptions_SetName(opts.get(), options.name.c_str());
  if (s == NATS_OK) s = natsOptions_SetAllowReconnect(opts.get(), false);
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts.get(), 5000);
  if (s == NATS_OK) s = natsOptions_UseGlobalMessageDelivery(opts.get(), true);
  // Client-side pending limits off: a loss must come from the server, not from our client.
  if (s == NATS_OK) s = natsOptions_SetMaxPendingMsgs(opts.get(), 10'000'000);
  if (s == NATS_OK) s = natsOptions_SetSendAsap(opts.get(), options.send_mode == SendMode::kAsap);
  if (s == NATS_OK && options.events != nullptr) {
    s = natsOptions_SetClosedCB(opts.get(), OnClosed, options.events);
    if (s == NATS_OK) s = natsOptions_SetErrorHandler(opts.get(), OnAsyncError, options.events);
  }
  SPATE_RETURN_IF_ERROR(FromNats(s, "natsOptions"));
  natsConnection* nc = nullptr;
  SPATE_RETURN_IF_ERROR(
      FromNats(natsConnection_Connect(&nc, opts.get()), "connect to " + options.url));
  return NatsConnection(nc);
}

Status InitNatsLibrary() {
  SPATE_RETURN_IF_ERROR(FromNats(nats_Open(-1), "nats_Open"));
  return FromNats(nats_SetMessageDeliveryPoolSize(1), "nats_SetMessageDeliveryPoolSize");
}

void CloseNatsLibrary() { nats_CloseAndWait(2000); }

}  // namespace spate::bench

#pragma once

namespace spate::server {

// The nats-server release whose client-visible behaviour we implement. Clients gate features on
// this, so it only moves when the behaviour behind it is really there.
inline constexpr const char* kNatsCompatVersion = "2.10.0";
inline constexpr const char* kSpateVersion = "0.1.0";

}  // namespace spate::server

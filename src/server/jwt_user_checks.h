#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/claims.h"
#include "common/status.h"

// The restrictions a user JWT places on where, when and how its user connects, checked as
// nats-server checks them at login.
namespace spate::server {

// `src`: the client's address must be in one of the CIDRs (none listed: any address).
Status CheckJwtSource(const std::vector<std::string>& src, std::string_view client_ip);

// `allowed_connection_types`: a plain client connection is "STANDARD"; a list without it
// (whatever else it names, known or not) refuses the login, as nats-server does.
Status CheckJwtConnectionType(const std::vector<std::string>& allowed);

// `times` (with `times_location`): `now` (unix seconds) must fall in one of the "15:04:05"
// ranges (a range may cross midnight), in the server's local time, or in UTC when the location
// says so. Returns how many seconds of the range are left (the login ends then), 0 without
// ranges. Other locations are refused: spate-server has no time zone database yet.
Result<int64_t> CheckJwtTimes(const std::vector<auth::TimeRange>& times, std::string_view location,
                              int64_t now);

}  // namespace spate::server

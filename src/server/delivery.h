#pragma once

#include <string_view>

#include "protocol/client_parser.h"

namespace spate::server {

class Account;
class Client;
struct LoopContext;

// Routes one published message to every matching subscription of `account`: all plain
// subscribers and one member of each queue group. Receivers are queued on `ctx.flush` and
// written once at the end of the batch. Returns the number of deliveries.
// Threading: runs on the publisher's loop (`ctx`), touching receivers only through their
// thread-safe output side.
size_t DeliverMessage(LoopContext& ctx, Account& account, const Client* publisher, bool echo,
                      std::string_view subject, std::string_view reply, std::string_view headers,
                      std::string_view payload);

}  // namespace spate::server

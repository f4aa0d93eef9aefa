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
// `shown_subject`, when not empty, is the subject receivers see in place of `subject` (which
// still decides who receives it): JetStream delivers a stored message to a consumer's deliver
// subject or a pull request's inbox under the message's own subject.
size_t DeliverMessage(LoopContext& ctx, Account& account, const Client* publisher, bool echo,
                      std::string_view subject, std::string_view reply, std::string_view headers,
                      std::string_view payload, std::string_view shown_subject = {});

}  // namespace spate::server

#include "pub_sub_commands.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <iterator>
#include <memory>
#include <thread>

#include "cli_context.h"
#include "client/errors.h"
#include "format.h"
#include "parse_units.h"

namespace spate::cli {
namespace {

using Clock = std::chrono::steady_clock;

// How long a blocking read waits before checking for Ctrl-C.
constexpr std::chrono::milliseconds kPollInterval{200};

// "Key:value" (or "Key: value") flags into headers, in the order given.
Result<client::Headers> ParseHeaderFlags(const std::vector<std::string>& flags) {
  client::Headers headers;
  for (const std::string& flag : flags) {
    const size_t colon = flag.find(':');
    if (colon == std::string::npos || colon == 0) {
      return Status::InvalidArgument("invalid header '" + flag + "' (expected Key:value)");
    }
    std::string value = flag.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    headers.Add(flag.substr(0, colon), std::move(value));
  }
  return headers;
}

// The body argument, or standard input when it was left out and input is piped in (as
// `echo hi | nats pub subject` works). An interactive terminal is not read: an empty body.
std::string BodyOrStdin(const CLI::Option* body_option, const std::string& body) {
  if (body_option->count() > 0 || ::isatty(STDIN_FILENO)) return body;
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

std::string ReceivedLine(uint64_t n, const client::Msg& msg) {
  std::string line = "[#" + std::to_string(n) + "] Received on \"" + msg.subject + "\"";
  if (!msg.reply.empty()) line += " with reply \"" + msg.reply + "\"";
  return line;
}

// One received message as the user asked for it: --json (one object per line), --raw (the body
// only) or a block with the subject, headers and body.
void PrintMsg(const CliContext& ctx, bool raw, uint64_t n, const client::Msg& msg) {
  if (ctx.json()) {
    CliContext::PrintJsonLine(MsgToJson(msg));
  } else if (raw) {
    std::cout << msg.data << std::endl;
  } else {
    const std::string headers = HeaderLines(msg.headers);
    std::cout << ReceivedLine(n, msg) << "\n";
    if (!headers.empty()) std::cout << headers << "\n";
    std::cout << msg.data << "\n" << std::endl;
  }
}

std::string DescribeRequestError(const Status& s, const std::string& subject,
                                 std::chrono::milliseconds timeout) {
  if (client::IsNoResponders(s))
    return "no responders available for request on \"" + subject + "\"";
  if (client::IsTimeout(s)) {
    return "no reply on \"" + subject + "\" within " + HumanDuration(timeout);
  }
  return s.message();
}

// ---- pub

struct PubArgs {
  std::string subject, body, reply;
  std::vector<std::string> headers;
  uint64_t count = 1;
  std::string sleep;
  CLI::Option* body_option = nullptr;
};

int RunPub(const CliContext& ctx, const PubArgs& args) {
  constexpr std::string_view kVerb = "pub";
  auto headers = ParseHeaderFlags(args.headers);
  if (!headers.ok()) return ctx.Fail(kVerb, headers.status());
  std::chrono::nanoseconds pause{0};
  if (!args.sleep.empty()) {
    auto d = ParseDuration(args.sleep);
    if (!d.ok()) return ctx.Fail(kVerb, d.status());
    pause = *d;
  }
  const std::string body = BodyOrStdin(args.body_option, args.body);
  auto conn = ctx.Connect(kVerb);
  if (!conn.ok()) return ctx.Fail(kVerb, conn.status());
  for (uint64_t i = 0; i < args.count && !CliContext::Interrupted(); ++i) {
    if (i > 0 && pause.count() > 0) std::this_thread::sleep_for(pause);  // the user's pacing
    Status s = (*conn)->Publish(args.subject, args.reply, *headers, body);
    if (!s.ok()) return ctx.Fail(kVerb, s);
  }
  // Only a PONG proves the server has every message.
  if (Status s = (*conn)->Flush(ctx.timeout()); !s.ok()) return ctx.Fail(kVerb, s);
  if (ctx.json()) {
    CliContext::PrintJson(
        {{"subject", args.subject}, {"count", args.count}, {"bytes", body.size()}});
  } else if (args.count == 1) {
    std::cout << "Published " << body.size() << " bytes to \"" << args.subject << "\"" << std::endl;
  } else {
    std::cout << "Published " << args.count << " messages of " << body.size() << " bytes to \""
              << args.subject << "\"" << std::endl;
  }
  return kExitOk;
}

// ---- sub

struct SubArgs {
  std::string subject, queue;
  uint64_t count = 0;
  bool raw = false;
};

int RunSub(const CliContext& ctx, const SubArgs& args) {
  constexpr std::string_view kVerb = "sub";
  CliContext::InstallInterruptHandler();
  auto conn = ctx.Connect(kVerb, /*reconnect=*/true);
  if (!conn.ok()) return ctx.Fail(kVerb, conn.status());
  auto sub = args.queue.empty() ? (*conn)->SubscribeSync(args.subject)
                                : (*conn)->QueueSubscribeSync(args.subject, args.queue);
  if (!sub.ok()) return ctx.Fail(kVerb, sub.status());
  if (args.count > 0) {
    if (Status s = sub->AutoUnsubscribe(args.count); !s.ok()) return ctx.Fail(kVerb, s);
  }
  // The server has the SUB once the PONG is back: only then say we are listening, so a script
  // (or a test) that waits for this line cannot publish too early.
  if (Status s = (*conn)->Flush(ctx.timeout()); !s.ok()) return ctx.Fail(kVerb, s);
  std::cerr << "Subscribing on \"" << args.subject << "\""
            << (args.queue.empty() ? "" : " in queue group \"" + args.queue + "\"")
            << (args.count > 0 ? " for " + std::to_string(args.count) + " messages" : "")
            << std::endl;
  uint64_t received = 0;
  while (!CliContext::Interrupted() && (args.count == 0 || received < args.count)) {
    auto msg = sub->NextMsg(kPollInterval);
    if (!msg.ok()) {
      if (client::IsTimeout(msg.status())) continue;
      return ctx.Fail(kVerb, msg.status());
    }
    PrintMsg(ctx, args.raw, ++received, *msg);
  }
  (*conn)->Close();
  return kExitOk;
}

// ---- req

struct ReqArgs {
  std::string subject, body;
  std::vector<std::string> headers;
  bool raw = false;
  CLI::Option* body_option = nullptr;
};

int RunReq(const CliContext& ctx, const ReqArgs& args) {
  constexpr std::string_view kVerb = "req";
  auto headers = ParseHeaderFlags(args.headers);
  if (!headers.ok()) return ctx.Fail(kVerb, headers.status());
  const std::string body = BodyOrStdin(args.body_option, args.body);
  auto conn = ctx.Connect(kVerb);
  if (!conn.ok()) return ctx.Fail(kVerb, conn.status());
  const Clock::time_point start = Clock::now();
  auto reply = (*conn)->Request(args.subject, *headers, body, ctx.timeout());
  const auto rtt = Clock::now() - start;
  if (!reply.ok()) {
    return ctx.Fail(kVerb, DescribeRequestError(reply.status(), args.subject, ctx.timeout()));
  }
  if (ctx.json()) {
    nlohmann::json j = MsgToJson(*reply);
    j["rtt_ns"] = std::chrono::duration_cast<std::chrono::nanoseconds>(rtt).count();
    CliContext::PrintJson(j);
  } else if (args.raw) {
    std::cout << reply->data << std::endl;
  } else {
    std::cout << "Received with rtt " << HumanDuration(rtt) << "\n";
    if (const std::string h = HeaderLines(reply->headers); !h.empty()) std::cout << h << "\n";
    std::cout << reply->data << std::endl;
  }
  return kExitOk;
}

// ---- reply

struct ReplyArgs {
  std::string subject, body, queue;
  std::vector<std::string> headers;
  uint64_t count = 0;
  bool echo = false;
  bool raw = false;
};

int RunReply(const CliContext& ctx, const ReplyArgs& args) {
  constexpr std::string_view kVerb = "reply";
  auto headers = ParseHeaderFlags(args.headers);
  if (!headers.ok()) return ctx.Fail(kVerb, headers.status());
  CliContext::InstallInterruptHandler();
  auto conn = ctx.Connect(kVerb, /*reconnect=*/true);
  if (!conn.ok()) return ctx.Fail(kVerb, conn.status());
  auto sub = args.queue.empty() ? (*conn)->SubscribeSync(args.subject)
                                : (*conn)->QueueSubscribeSync(args.subject, args.queue);
  if (!sub.ok()) return ctx.Fail(kVerb, sub.status());
  if (args.count > 0) {
    if (Status s = sub->AutoUnsubscribe(args.count); !s.ok()) return ctx.Fail(kVerb, s);
  }
  if (Status s = (*conn)->Flush(ctx.timeout()); !s.ok()) return ctx.Fail(kVerb, s);
  std::cerr << "Listening on \"" << args.subject << "\""
            << (args.queue.empty() ? "" : " in queue group \"" + args.queue + "\"") << std::endl;
  uint64_t answered = 0;
  while (!CliContext::Interrupted() && (args.count == 0 || answered < args.count)) {
    auto msg = sub->NextMsg(kPollInterval);
    if (!msg.ok()) {
      if (client::IsTimeout(msg.status())) continue;
      return ctx.Fail(kVerb, msg.status());
    }
    ++answered;
    PrintMsg(ctx, args.raw, answered, *msg);
    if (msg->reply.empty()) {
      std::cerr << "spate: reply: message on \"" << msg->subject
                << "\" has no reply subject; not answered" << std::endl;
      continue;
    }
    Status s = (*conn)->Publish(msg->reply, "", *headers, args.echo ? msg->data : args.body);
    if (!s.ok()) return ctx.Fail(kVerb, s);
  }
  // The last answers must leave before the connection closes.
  if (Status s = (*conn)->Flush(ctx.timeout()); !s.ok()) return ctx.Fail(kVerb, s);
  (*conn)->Close();
  return kExitOk;
}

}  // namespace

void AddPubSubCommands(CLI::App& app, CliContext& ctx) {
  {
    auto args = std::make_shared<PubArgs>();
    CLI::App* pub = app.add_subcommand("pub", "Publish a message");
    pub->add_option("subject", args->subject, "Subject to publish to")->required();
    args->body_option =
        pub->add_option("body", args->body, "Message body (default: standard input when piped)");
    pub->add_option("-H,--header", args->headers, "Header as Key:value (repeatable)");
    pub->add_option("--reply", args->reply, "Reply subject to send with the message");
    pub->add_option("--count", args->count, "Publish the message this many times")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    pub->add_option("--sleep", args->sleep, "Pause between messages when --count > 1 (e.g. 100ms)");
    ctx.AddConnectionOptions(pub);
    pub->footer(
        "Examples:\n"
        "  spate pub orders.new '{\"id\":1}'\n"
        "  spate pub orders.new hello -H Trace:abc --count 10\n"
        "  echo hello | spate pub orders.new");
    pub->callback([&ctx, args] { ctx.set_exit_code(RunPub(ctx, *args)); });
  }
  {
    auto args = std::make_shared<SubArgs>();
    CLI::App* sub = app.add_subcommand("sub", "Subscribe and print the messages that arrive");
    sub->add_option("subject", args->subject, "Subject, wildcards allowed (orders.*, orders.>)")
        ->required();
    sub->add_option("--queue", args->queue, "Join this queue group");
    sub->add_option("--count", args->count, "Exit after this many messages (0: until Ctrl-C)")
        ->capture_default_str();
    sub->add_flag("--raw", args->raw, "Print only the message bodies, one per line");
    ctx.AddConnectionOptions(sub);
    sub->footer(
        "Examples:\n"
        "  spate sub 'orders.>'\n"
        "  spate sub orders.new --queue workers --count 10 --raw\n"
        "  spate sub orders.new --json   # one JSON object per message");
    sub->callback([&ctx, args] { ctx.set_exit_code(RunSub(ctx, *args)); });
  }
  {
    auto args = std::make_shared<ReqArgs>();
    CLI::App* req = app.add_subcommand("req", "Send a request and print the reply");
    req->alias("request");
    req->add_option("subject", args->subject, "Subject to send the request to")->required();
    args->body_option =
        req->add_option("body", args->body, "Request body (default: standard input when piped)");
    req->add_option("-H,--header", args->headers, "Header as Key:value (repeatable)");
    req->add_flag("--raw", args->raw, "Print only the reply body");
    ctx.AddConnectionOptions(req);
    req->footer(
        "Examples:\n"
        "  spate req time.now ''\n"
        "  spate req orders.get '{\"id\":1}' --timeout 2s -H Auth:xyz");
    req->callback([&ctx, args] { ctx.set_exit_code(RunReq(ctx, *args)); });
  }
  {
    auto args = std::make_shared<ReplyArgs>();
    CLI::App* reply = app.add_subcommand("reply", "Answer requests on a subject with a fixed body");
    reply->add_option("subject", args->subject, "Subject to serve, wildcards allowed")->required();
    reply->add_option("body", args->body, "Body of every answer");
    reply->add_option("--queue", args->queue, "Join this queue group (share the load)");
    reply->add_option("--count", args->count, "Exit after this many requests (0: until Ctrl-C)")
        ->capture_default_str();
    reply->add_option("-H,--header", args->headers, "Header to add to every answer (Key:value)");
    reply->add_flag("--echo", args->echo, "Answer with the request's own body");
    reply->add_flag("--raw", args->raw, "Print only the request bodies");
    ctx.AddConnectionOptions(reply);
    reply->footer(
        "Examples:\n"
        "  spate reply time.now \"$(date)\"\n"
        "  spate reply echo.> --echo --queue echoers --count 100");
    reply->callback([&ctx, args] { ctx.set_exit_code(RunReply(ctx, *args)); });
  }
}

}  // namespace spate::cli

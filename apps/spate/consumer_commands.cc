#include "consumer_commands.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli_context.h"
#include "client/errors.h"
#include "format.h"
#include "js_support.h"
#include "parse_units.h"
#include "table.h"

namespace spate::cli {
namespace {

using client::ConsumerConfig;

// Flags that shape a consumer config; like the stream's, each applies only when given.
struct ConsumerFlags {
  std::string description, ack, deliver, replay, target, deliver_group;
  std::vector<std::string> filters;
  uint64_t start_seq = 0;
  int64_t max_deliver = 0, max_pending = 0, max_waiting = 0;
  std::string ack_wait, heartbeat, inactive_threshold;
  bool flow_control = false, headers_only = false;
  std::string config_file;
  std::vector<CLI::Option*> given;
};

struct ConsumerArgs {
  std::string stream, name;
  ConsumerFlags flags;
  uint64_t count = 1;  // next
  bool ack = true, raw = false;
};

bool Given(const CLI::Option* option) { return option != nullptr && option->count() > 0; }

void AddConfigFlags(CLI::App* verb, ConsumerFlags* f) {
  auto& g = f->given;
  g.push_back(verb->add_option("--description", f->description, "Description"));
  g.push_back(verb->add_option("--ack", f->ack, "Ack policy: explicit, all or none")
                  ->check(CLI::IsMember({"explicit", "all", "none"})));
  g.push_back(
      verb->add_option("--deliver", f->deliver, "Where to start: all, last, new, last-per-subject")
          ->check(CLI::IsMember({"all", "last", "new", "last-per-subject"})));
  g.push_back(verb->add_option("--start-seq", f->start_seq, "Start at this stream sequence"));
  g.push_back(verb->add_option("--replay", f->replay, "instant or original")
                  ->check(CLI::IsMember({"instant", "original"})));
  g.push_back(
      verb->add_option("--filter", f->filters, "Filter subjects, comma separated")->delimiter(','));
  g.push_back(verb->add_option("--max-deliver", f->max_deliver, "Deliveries per message"));
  g.push_back(verb->add_option("--max-pending", f->max_pending, "Unacknowledged messages allowed"));
  g.push_back(verb->add_option("--max-waiting", f->max_waiting, "Pull requests waiting at once"));
  g.push_back(verb->add_option("--wait", f->ack_wait, "Ack wait (e.g. 30s)"));
  g.push_back(verb->add_option("--target", f->target, "Push consumer: deliver to this subject"));
  g.push_back(verb->add_option("--deliver-group", f->deliver_group, "Push consumer: queue group"));
  g.push_back(verb->add_option("--heartbeat", f->heartbeat, "Push consumer: idle heartbeat"));
  g.push_back(verb->add_flag("--flow-control", f->flow_control, "Push consumer: flow control"));
  g.push_back(verb->add_flag("--headers-only", f->headers_only, "Deliver headers, not bodies"));
  g.push_back(verb->add_option("--inactive-threshold", f->inactive_threshold,
                               "Remove the consumer after this long without activity"));
  verb->add_option("--config", f->config_file,
                   "JSON consumer config file (nats-server's field names); merged over the flags");
}

Status ApplyDuration(const std::string& text, client::Nanos* out) {
  auto d = ParseDuration(text);
  if (!d.ok()) return d.status();
  *out = *d;
  return Status::Ok();
}

Status ApplyFlags(const ConsumerFlags& f, ConsumerConfig* c) {
  const auto& g = f.given;
  if (Given(g[0])) c->description = f.description;
  if (Given(g[1])) {
    c->ack_policy = f.ack == "none"  ? client::AckPolicy::kNone
                    : f.ack == "all" ? client::AckPolicy::kAll
                                     : client::AckPolicy::kExplicit;
  }
  if (Given(g[2])) {
    c->deliver_policy = f.deliver == "last"               ? client::DeliverPolicy::kLast
                        : f.deliver == "new"              ? client::DeliverPolicy::kNew
                        : f.deliver == "last-per-subject" ? client::DeliverPolicy::kLastPerSubject
                                                          : client::DeliverPolicy::kAll;
  }
  if (Given(g[3])) {
    c->deliver_policy = client::DeliverPolicy::kByStartSequence;
    c->opt_start_seq = f.start_seq;
  }
  if (Given(g[4])) {
    c->replay_policy =
        f.replay == "original" ? client::ReplayPolicy::kOriginal : client::ReplayPolicy::kInstant;
  }
  if (Given(g[5])) {
    // One filter travels as filter_subject (understood by nats-server 2.9 too).
    c->filter_subject = f.filters.size() == 1 ? f.filters[0] : "";
    c->filter_subjects = f.filters.size() == 1 ? std::vector<std::string>{} : f.filters;
  }
  if (Given(g[6])) c->max_deliver = f.max_deliver;
  if (Given(g[7])) c->max_ack_pending = f.max_pending;
  if (Given(g[8])) c->max_waiting = f.max_waiting;
  if (Given(g[9])) SPATE_RETURN_IF_ERROR(ApplyDuration(f.ack_wait, &c->ack_wait));
  if (Given(g[10])) c->deliver_subject = f.target;
  if (Given(g[11])) c->deliver_group = f.deliver_group;
  if (Given(g[12])) SPATE_RETURN_IF_ERROR(ApplyDuration(f.heartbeat, &c->idle_heartbeat));
  if (Given(g[13])) c->flow_control = f.flow_control;
  if (Given(g[14])) c->headers_only = f.headers_only;
  if (Given(g[15])) {
    SPATE_RETURN_IF_ERROR(ApplyDuration(f.inactive_threshold, &c->inactive_threshold));
  }
  if (!f.config_file.empty()) {
    // Sent as written, merged over the typed fields by the library (see the stream verbs).
    SPATE_ASSIGN_OR_RETURN(c->extra_json, ReadFile(f.config_file));
    if (!nlohmann::json::parse(c->extra_json, nullptr, false).is_object()) {
      return Status::InvalidArgument(f.config_file + " is not a JSON object");
    }
  }
  return Status::Ok();
}

const char* AckName(client::AckPolicy a) {
  switch (a) {
    case client::AckPolicy::kNone:
      return "none";
    case client::AckPolicy::kAll:
      return "all";
    default:
      return "explicit";
  }
}

std::string DeliverName(const ConsumerConfig& c) {
  switch (c.deliver_policy) {
    case client::DeliverPolicy::kLast:
      return "last";
    case client::DeliverPolicy::kNew:
      return "new";
    case client::DeliverPolicy::kByStartSequence:
      return "from sequence " + std::to_string(c.opt_start_seq);
    case client::DeliverPolicy::kByStartTime:
      return "from a start time";
    case client::DeliverPolicy::kLastPerSubject:
      return "last per subject";
    default:
      return "all";
  }
}

std::string Filters(const ConsumerConfig& c) {
  if (!c.filter_subject.empty()) return c.filter_subject;
  std::string out;
  for (const auto& f : c.filter_subjects) out += (out.empty() ? "" : ", ") + f;
  return out.empty() ? "-" : out;
}

void PrintConsumerInfo(const CliContext& ctx, const client::ConsumerInfo& info) {
  if (ctx.json()) {
    PrintRawJson(info.raw_json);
    return;
  }
  const ConsumerConfig& c = info.config;
  std::cout << "Consumer " << info.stream << " > " << info.name << " (created "
            << FormatTimestamp(info.created) << ")\n\nConfiguration:\n";
  Fields config = {
      {"Durable", c.durable_name.empty() ? "no (ephemeral)" : "yes"},
      {"Kind", c.deliver_subject.empty() ? "pull" : "push to " + c.deliver_subject},
      {"Filter", Filters(c)},
      {"Deliver", DeliverName(c)},
      {"Ack policy", AckName(c.ack_policy)},
      {"Ack wait", HumanDuration(c.ack_wait)},
      {"Replay", c.replay_policy == client::ReplayPolicy::kOriginal ? "original" : "instant"},
      {"Max deliver", c.max_deliver <= 0 ? "unlimited" : std::to_string(c.max_deliver)},
      {"Max ack pending", LimitText(c.max_ack_pending)},
  };
  if (!c.description.empty()) config.insert(config.begin(), {"Description", c.description});
  if (c.deliver_subject.empty()) config.emplace_back("Max waiting", LimitText(c.max_waiting));
  if (!c.deliver_group.empty()) config.emplace_back("Deliver group", c.deliver_group);
  std::cout << FieldLines(config) << "\nState:\n";
  std::cout << FieldLines({
      {"Last delivered", "consumer seq " + std::to_string(info.delivered.consumer_seq) +
                             ", stream seq " + std::to_string(info.delivered.stream_seq)},
      {"Ack floor", "consumer seq " + std::to_string(info.ack_floor.consumer_seq) +
                        ", stream seq " + std::to_string(info.ack_floor.stream_seq)},
      {"Ack pending", HumanCount(info.num_ack_pending)},
      {"Redelivered", HumanCount(info.num_redelivered)},
      {"Waiting pulls", HumanCount(info.num_waiting)},
      {"Unprocessed", HumanCount(info.num_pending)},
  });
  std::cout << std::flush;
}

int RunAddOrEdit(const CliContext& ctx, ConsumerArgs& args, bool edit) {
  const std::string verb = edit ? "consumer edit" : "consumer add";
  auto session = OpenJetStream(ctx, verb);
  if (!session.ok()) return FailJs(ctx, verb, session.status());
  ConsumerConfig config;
  if (edit) {
    auto current = session->js.GetConsumerInfo(args.stream, args.name);
    if (!current.ok()) return FailJs(ctx, verb, current.status());
    config = current->config;
    config.extra_json.clear();
  }
  // Named consumers are durable, as `nats consumer add` makes them.
  config.name = args.name;
  config.durable_name = args.name;
  if (Status s = ApplyFlags(args.flags, &config); !s.ok()) return ctx.Fail(verb, s);
  auto info = edit ? session->js.UpdateConsumer(args.stream, config)
                   : session->js.AddConsumer(args.stream, config, client::ConsumerAction::kCreate);
  if (!info.ok()) return FailJs(ctx, verb, info.status());
  PrintConsumerInfo(ctx, *info);
  return kExitOk;
}

int RunInfo(const CliContext& ctx, ConsumerArgs& args) {
  constexpr std::string_view kVerb = "consumer info";
  auto session = OpenJetStream(ctx, kVerb);
  if (!session.ok()) return FailJs(ctx, kVerb, session.status());
  auto info = session->js.GetConsumerInfo(args.stream, args.name);
  if (!info.ok()) return FailJs(ctx, kVerb, info.status());
  PrintConsumerInfo(ctx, *info);
  return kExitOk;
}

int RunList(const CliContext& ctx, ConsumerArgs& args) {
  constexpr std::string_view kVerb = "consumer ls";
  auto session = OpenJetStream(ctx, kVerb);
  if (!session.ok()) return FailJs(ctx, kVerb, session.status());
  auto infos = session->js.ListConsumers(args.stream);
  if (!infos.ok()) return FailJs(ctx, kVerb, infos.status());
  if (ctx.json()) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& info : *infos) {
      nlohmann::json j = nlohmann::json::parse(info.raw_json, nullptr, false);
      if (j.is_object()) j.erase("type");
      all.push_back(std::move(j));
    }
    CliContext::PrintJson(all);
    return kExitOk;
  }
  if (infos->empty()) {
    std::cout << "No consumers on " << args.stream << std::endl;
    return kExitOk;
  }
  Table t({"Name", "Kind", "Filter", "Ack pending", "Unprocessed", "Last delivered"});
  for (const auto& info : *infos) {
    t.AddRow({info.name, info.config.deliver_subject.empty() ? "pull" : "push",
              Filters(info.config), HumanCount(info.num_ack_pending), HumanCount(info.num_pending),
              std::to_string(info.delivered.stream_seq)});
  }
  std::cout << t.Render() << std::flush;
  return kExitOk;
}

int RunRemove(const CliContext& ctx, ConsumerArgs& args) {
  constexpr std::string_view kVerb = "consumer rm";
  auto session = OpenJetStream(ctx, kVerb);
  if (!session.ok()) return FailJs(ctx, kVerb, session.status());
  if (Status s = session->js.DeleteConsumer(args.stream, args.name); !s.ok()) {
    return FailJs(ctx, kVerb, s);
  }
  if (ctx.json()) {
    CliContext::PrintJson({{"stream", args.stream}, {"consumer", args.name}, {"deleted", true}});
  } else {
    std::cout << "Deleted consumer " << args.stream << " > " << args.name << std::endl;
  }
  return kExitOk;
}

// Pulls --count messages one Fetch at a time (what arrives is printed at once), acking each
// synchronously unless --no-ack, so the exit code says the acks were taken.
int RunNext(const CliContext& ctx, ConsumerArgs& args) {
  constexpr std::string_view kVerb = "consumer next";
  auto session = OpenJetStream(ctx, kVerb);
  if (!session.ok()) return FailJs(ctx, kVerb, session.status());
  auto sub = session->js.PullSubscribe(args.stream, args.name);
  if (!sub.ok()) return FailJs(ctx, kVerb, sub.status());
  uint64_t received = 0;
  while (received < args.count) {
    auto batch = sub->Fetch(static_cast<size_t>(args.count - received), ctx.timeout());
    if (!batch.ok()) return FailJs(ctx, kVerb, batch.status());
    if (batch->empty()) {
      return ctx.Fail(kVerb, "no message within " + HumanDuration(ctx.timeout()) + " (received " +
                                 std::to_string(received) + " of " + std::to_string(args.count) +
                                 ")");
    }
    for (client::JsMsg& m : *batch) {
      ++received;
      auto meta = m.Metadata();
      if (ctx.json()) {
        nlohmann::json j = MsgToJson(m.msg());
        j.erase("reply");
        if (meta.ok()) {
          j["stream_seq"] = meta->stream_seq.value;
          j["consumer_seq"] = meta->consumer_seq.value;
          j["delivered"] = meta->num_delivered;
          j["pending"] = meta->num_pending;
        }
        CliContext::PrintJsonLine(j);
      } else if (args.raw) {
        std::cout << m.data() << std::endl;
      } else {
        std::cout << "[#" << received << "] " << m.subject();
        if (meta.ok()) {
          std::cout << " stream seq " << meta->stream_seq.value << ", consumer seq "
                    << meta->consumer_seq.value << ", pending " << meta->num_pending;
        }
        std::cout << "\n";
        if (const std::string h = HeaderLines(m.headers()); !h.empty()) std::cout << h << "\n";
        std::cout << m.data() << "\n" << std::endl;
      }
      if (args.ack) {
        if (Status s = m.AckSync(ctx.timeout()); !s.ok()) return FailJs(ctx, kVerb, s);
      }
    }
  }
  (void)sub->Unsubscribe();
  return kExitOk;
}

}  // namespace

void AddConsumerCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* consumer = app.add_subcommand("consumer", "Manage JetStream consumers");
  consumer->alias("con");
  consumer->require_subcommand(1);
  auto verb = [&](const char* name, const char* help, auto run, bool with_name, auto setup) {
    auto args = std::make_shared<ConsumerArgs>();
    CLI::App* v = consumer->add_subcommand(name, help);
    v->add_option("stream", args->stream, "Stream name")->required();
    if (with_name) v->add_option("consumer", args->name, "Consumer name")->required();
    setup(v, *args);
    ctx.AddConnectionOptions(v);
    v->callback([&ctx, args, run] { ctx.set_exit_code(run(ctx, *args)); });
    return v;
  };
  auto none = [](CLI::App*, ConsumerArgs&) {};

  verb(
      "add", "Create a durable consumer (pull unless --target)",
      [](const CliContext& c, ConsumerArgs& a) { return RunAddOrEdit(c, a, false); }, true,
      [](CLI::App* v, ConsumerArgs& a) { AddConfigFlags(v, &a.flags); })
      ->footer(
          "Examples:\n"
          "  spate consumer add ORDERS worker --filter orders.new --ack explicit --max-deliver 5\n"
          "  spate consumer add ORDERS audit --target audit.deliver --deliver all\n"
          "  spate consumer add ORDERS worker --config worker.json");
  verb(
      "edit", "Change a consumer's configuration (only the flags given)",
      [](const CliContext& c, ConsumerArgs& a) { return RunAddOrEdit(c, a, true); }, true,
      [](CLI::App* v, ConsumerArgs& a) { AddConfigFlags(v, &a.flags); })
      ->footer("Example:\n  spate consumer edit ORDERS worker --max-deliver 10");
  verb("info", "Show a consumer's configuration and state", RunInfo, true, none)
      ->footer("Example:\n  spate consumer info ORDERS worker --json");
  verb("ls", "List a stream's consumers", RunList, false, none)
      ->footer("Example:\n  spate consumer ls ORDERS");
  verb("rm", "Delete a consumer", RunRemove, true, none)
      ->footer("Example:\n  spate consumer rm ORDERS worker");
  verb("next", "Pull messages from a pull consumer (and ack them)", RunNext, true,
       [](CLI::App* v, ConsumerArgs& a) {
         v->add_option("--count", a.count, "Messages to pull")
             ->check(CLI::PositiveNumber)
             ->capture_default_str();
         v->add_flag("--ack,!--no-ack", a.ack, "Acknowledge each message (default) or not");
         v->add_flag("--raw", a.raw, "Print only the bodies");
       })
      ->footer("Example:\n  spate consumer next ORDERS worker --count 10 --no-ack");
}

}  // namespace spate::cli

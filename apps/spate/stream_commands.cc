#include "stream_commands.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli_context.h"
#include "format.h"
#include "js_support.h"
#include "parse_units.h"
#include "table.h"

namespace spate::cli {
namespace {

using client::StreamConfig;

// Flags that shape a stream config. Each is applied only when given (Option::count), so `edit`
// changes just those fields of the current config.
struct StreamFlags {
  std::vector<std::string> subjects;
  std::string description, storage, retention, discard;
  std::string max_msgs, max_bytes, max_msg_size, max_msgs_per_subject, max_consumers;
  std::string max_age, dupe_window;
  int replicas = 1;
  bool allow_rollup = false, deny_delete = false, deny_purge = false, allow_direct = false;
  std::string config_file;
  std::vector<CLI::Option*> given;  // filled at registration, in the order of Apply()
};

struct StreamArgs {
  std::string name;
  StreamFlags flags;
  // purge
  std::string filter;
  uint64_t seq = 0, keep = 0;
  // get / rmm
  std::string last_for;
  bool erase = false, raw = false;
  // ls
  bool names_only = false;
  std::string subject_filter;
};

bool Given(const CLI::Option* option) { return option != nullptr && option->count() > 0; }

void AddConfigFlags(CLI::App* verb, StreamFlags* f) {
  auto& g = f->given;
  g.push_back(
      verb->add_option("--subjects", f->subjects, "Subjects, comma separated")->delimiter(','));
  g.push_back(verb->add_option("--description", f->description, "Description"));
  g.push_back(verb->add_option("--storage", f->storage, "file or memory")
                  ->check(CLI::IsMember({"file", "memory"})));
  g.push_back(verb->add_option("--retention", f->retention, "limits, interest or workqueue")
                  ->check(CLI::IsMember({"limits", "interest", "workqueue"})));
  g.push_back(verb->add_option("--discard", f->discard, "old or new: which to drop when full")
                  ->check(CLI::IsMember({"old", "new"})));
  g.push_back(verb->add_option("--max-msgs", f->max_msgs, "Messages kept (-1: unlimited)"));
  g.push_back(
      verb->add_option("--max-bytes", f->max_bytes, "Bytes kept (e.g. 1GB; -1: unlimited)"));
  g.push_back(verb->add_option("--max-age", f->max_age, "Age kept (e.g. 1h, 7d; 0: unlimited)"));
  g.push_back(verb->add_option("--max-msg-size", f->max_msg_size, "Largest message (-1: any)"));
  g.push_back(verb->add_option("--max-msgs-per-subject", f->max_msgs_per_subject,
                               "Messages kept per subject (-1: unlimited)"));
  g.push_back(verb->add_option("--max-consumers", f->max_consumers, "Consumers (-1: unlimited)"));
  g.push_back(verb->add_option("--dupe-window", f->dupe_window, "Duplicate window (e.g. 2m)"));
  g.push_back(verb->add_option("--replicas", f->replicas, "Replicas")->check(CLI::Range(1, 5)));
  g.push_back(verb->add_flag("--allow-rollup", f->allow_rollup, "Allow Nats-Rollup headers"));
  g.push_back(verb->add_flag("--deny-delete", f->deny_delete, "Refuse message deletes"));
  g.push_back(verb->add_flag("--deny-purge", f->deny_purge, "Refuse purges"));
  g.push_back(verb->add_flag("--allow-direct", f->allow_direct, "Allow Direct Get"));
  verb->add_option("--config", f->config_file,
                   "JSON stream config file (nats-server's field names); merged over the flags");
}

Status ApplyFlags(const StreamFlags& f, StreamConfig* c) {
  const auto& g = f.given;
  auto count = [](const std::string& text, int64_t* out) -> Status {
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0') return Status::InvalidArgument("not a number: " + text);
    *out = v;
    return Status::Ok();
  };
  if (Given(g[0])) c->subjects = f.subjects;
  if (Given(g[1])) c->description = f.description;
  if (Given(g[2])) {
    c->storage = f.storage == "memory" ? client::StorageType::kMemory : client::StorageType::kFile;
  }
  if (Given(g[3])) {
    c->retention = f.retention == "interest"    ? client::RetentionPolicy::kInterest
                   : f.retention == "workqueue" ? client::RetentionPolicy::kWorkQueue
                                                : client::RetentionPolicy::kLimits;
  }
  if (Given(g[4])) {
    c->discard = f.discard == "new" ? client::DiscardPolicy::kNew : client::DiscardPolicy::kOld;
  }
  if (Given(g[5])) SPATE_RETURN_IF_ERROR(count(f.max_msgs, &c->max_msgs));
  if (Given(g[6])) {
    auto bytes = ParseSize(f.max_bytes);
    if (!bytes.ok()) return bytes.status();
    c->max_bytes = *bytes;
  }
  if (Given(g[7])) {
    auto age = ParseDuration(f.max_age);
    if (!age.ok()) return age.status();
    c->max_age = *age;
  }
  if (Given(g[8])) {
    auto size = ParseSize(f.max_msg_size);
    if (!size.ok()) return size.status();
    c->max_msg_size = static_cast<int32_t>(*size);
  }
  if (Given(g[9])) SPATE_RETURN_IF_ERROR(count(f.max_msgs_per_subject, &c->max_msgs_per_subject));
  if (Given(g[10])) SPATE_RETURN_IF_ERROR(count(f.max_consumers, &c->max_consumers));
  if (Given(g[11])) {
    auto window = ParseDuration(f.dupe_window);
    if (!window.ok()) return window.status();
    c->duplicate_window = *window;
  }
  if (Given(g[12])) c->num_replicas = f.replicas;
  if (Given(g[13])) c->allow_rollup = f.allow_rollup;
  if (Given(g[14])) c->deny_delete = f.deny_delete;
  if (Given(g[15])) c->deny_purge = f.deny_purge;
  if (Given(g[16])) c->allow_direct = f.allow_direct;
  if (!f.config_file.empty()) {
    // The file goes to the server as written (the library merges it over the typed fields), so
    // every field nats-server knows can be set, not only those with a flag.
    SPATE_ASSIGN_OR_RETURN(c->extra_json, ReadFile(f.config_file));
    nlohmann::json j = nlohmann::json::parse(c->extra_json, nullptr, false);
    if (!j.is_object()) return Status::InvalidArgument(f.config_file + " is not a JSON object");
    if (c->name.empty() && j.contains("name") && j["name"].is_string()) c->name = j["name"];
  }
  return Status::Ok();
}

const char* StorageName(client::StorageType s) {
  return s == client::StorageType::kMemory ? "memory" : "file";
}

const char* RetentionName(client::RetentionPolicy r) {
  switch (r) {
    case client::RetentionPolicy::kInterest:
      return "interest";
    case client::RetentionPolicy::kWorkQueue:
      return "workqueue";
    default:
      return "limits";
  }
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

void PrintStreamInfo(const CliContext& ctx, const client::StreamInfo& info) {
  if (ctx.json()) {
    PrintRawJson(info.raw_json);
    return;
  }
  const StreamConfig& c = info.config;
  const client::StreamState& s = info.state;
  std::cout << "Stream " << c.name << " (created " << FormatTimestamp(info.created) << ")\n\n"
            << "Configuration:\n";
  Fields config = {
      {"Subjects", Join(c.subjects)},
      {"Storage", StorageName(c.storage)},
      {"Retention", RetentionName(c.retention)},
      {"Replicas", std::to_string(c.num_replicas)},
      {"Discard", c.discard == client::DiscardPolicy::kNew ? "new" : "old"},
      {"Max messages", LimitText(c.max_msgs)},
      {"Max bytes", LimitBytes(c.max_bytes)},
      {"Max age", LimitDuration(c.max_age)},
      {"Max message size", LimitBytes(c.max_msg_size)},
      {"Max per subject", LimitText(c.max_msgs_per_subject)},
      {"Max consumers", LimitText(c.max_consumers)},
      {"Duplicate window", HumanDuration(c.duplicate_window)},
  };
  if (!c.description.empty()) config.insert(config.begin(), {"Description", c.description});
  std::string flags;
  for (auto [on, name] : {std::pair{c.allow_rollup, "allow rollup"},
                          {c.deny_delete, "deny delete"},
                          {c.deny_purge, "deny purge"},
                          {c.allow_direct, "allow direct"},
                          {c.sealed, "sealed"}}) {
    if (on) flags += (flags.empty() ? "" : ", ") + std::string(name);
  }
  if (!flags.empty()) config.emplace_back("Options", flags);
  std::cout << FieldLines(config) << "\nState:\n";
  std::cout << FieldLines({
      {"Messages", HumanCount(s.msgs)},
      {"Bytes", HumanBytes(static_cast<double>(s.bytes))},
      {"First sequence",
       std::to_string(s.first_seq) + (s.msgs > 0 ? " @ " + FormatTimestamp(s.first_time) : "")},
      {"Last sequence",
       std::to_string(s.last_seq) + (s.msgs > 0 ? " @ " + FormatTimestamp(s.last_time) : "")},
      {"Subjects", HumanCount(s.num_subjects)},
      {"Deleted", HumanCount(s.num_deleted)},
      {"Consumers", HumanCount(s.consumers)},
  });
  std::cout << std::flush;
}

int RunAddOrEdit(const CliContext& ctx, StreamArgs& args, bool edit) {
  const std::string verb = edit ? "stream edit" : "stream add";
  auto session = OpenJetStream(ctx, verb);
  if (!session.ok()) return FailJs(ctx, verb, session.status());
  StreamConfig config;
  if (edit) {
    auto current = session->js.GetStreamInfo(args.name);
    if (!current.ok()) return FailJs(ctx, verb, current.status());
    config = current->config;
    config.extra_json.clear();
  }
  config.name = args.name;
  if (Status s = ApplyFlags(args.flags, &config); !s.ok()) return ctx.Fail(verb, s);
  if (config.name.empty()) return ctx.Fail(verb, "a stream NAME is required");
  auto info = edit ? session->js.UpdateStream(config) : session->js.AddStream(config);
  if (!info.ok()) return FailJs(ctx, verb, info.status());
  PrintStreamInfo(ctx, *info);
  return kExitOk;
}

int RunInfo(const CliContext& ctx, const StreamArgs& args) {
  constexpr std::string_view kVerb = "stream info";
  auto session = OpenJetStream(ctx, kVerb);
  if (!session.ok()) return FailJs(ctx, kVerb, session.status());
  auto info = session->js.GetStreamInfo(args.name);
  if (!info.ok()) return FailJs(ctx, kVerb, info.status());
  PrintStreamInfo(ctx, *info);
  return kExitOk;
}

int RunList(const CliContext& ctx, const StreamArgs& args) {
  constexpr std::string_view kVerb = "stream ls";
  auto session = OpenJetStream(ctx, kVerb);
  if (!session.ok()) return FailJs(ctx, kVerb, session.status());
  if (args.names_only) {
    auto names = session->js.StreamNames(args.subject_filter);
    if (!names.ok()) return FailJs(ctx, kVerb, names.status());
    if (ctx.json()) {
      CliContext::PrintJson(*names);
    } else {
      for (const auto& n : *names) std::cout << n << "\n";
      std::cout << std::flush;
    }
    return kExitOk;
  }
  auto infos = session->js.ListStreams(args.subject_filter);
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
    std::cout << "No streams defined" << std::endl;
    return kExitOk;
  }
  Table t({"Name", "Subjects", "Storage", "Messages", "Bytes", "Last message"});
  for (const auto& info : *infos) {
    t.AddRow({info.config.name, Join(info.config.subjects), StorageName(info.config.storage),
              HumanCount(info.state.msgs), HumanBytes(static_cast<double>(info.state.bytes)),
              info.state.msgs > 0 ? FormatTimestamp(info.state.last_time) : "-"});
  }
  std::cout << t.Render() << std::flush;
  return kExitOk;
}

int RunRemove(const CliContext& ctx, const StreamArgs& args) {
  constexpr std::string_view kVerb = "stream rm";
  auto session = OpenJetStream(ctx, kVerb);
  if (!session.ok()) return FailJs(ctx, kVerb, session.status());
  if (Status s = session->js.DeleteStream(args.name); !s.ok()) return FailJs(ctx, kVerb, s);
  if (ctx.json()) {
    CliContext::PrintJson({{"stream", args.name}, {"deleted", true}});
  } else {
    std::cout << "Deleted stream " << args.name << std::endl;
  }
  return kExitOk;
}

int RunPurge(const CliContext& ctx, const StreamArgs& args) {
  constexpr std::string_view kVerb = "stream purge";
  auto session = OpenJetStream(ctx, kVerb);
  if (!session.ok()) return FailJs(ctx, kVerb, session.status());
  client::PurgeOptions options{args.filter, args.seq, args.keep};
  auto purged = session->js.PurgeStream(args.name, options);
  if (!purged.ok()) return FailJs(ctx, kVerb, purged.status());
  if (ctx.json()) {
    CliContext::PrintJson({{"stream", args.name}, {"purged", *purged}});
  } else {
    std::cout << "Purged " << HumanCount(*purged) << " messages from " << args.name << std::endl;
  }
  return kExitOk;
}

int RunGet(const CliContext& ctx, const StreamArgs& args) {
  constexpr std::string_view kVerb = "stream get";
  if (args.seq == 0 && args.last_for.empty()) {
    return ctx.Fail(kVerb, "give a sequence or --last-for SUBJECT");
  }
  auto session = OpenJetStream(ctx, kVerb);
  if (!session.ok()) return FailJs(ctx, kVerb, session.status());
  auto msg = args.last_for.empty() ? session->js.GetMsg(args.name, args.seq)
                                   : session->js.GetLastMsg(args.name, args.last_for);
  if (!msg.ok()) return FailJs(ctx, kVerb, msg.status());
  if (ctx.json()) {
    nlohmann::json j = {{"stream", args.name},
                        {"seq", msg->seq},
                        {"subject", msg->subject},
                        {"time", FormatTimestampRfc3339(msg->time)},
                        {"data", msg->data}};
    if (!msg->headers.empty()) j["headers"] = HeadersToJson(msg->headers);
    CliContext::PrintJson(j);
  } else if (args.raw) {
    std::cout << msg->data << std::endl;
  } else {
    std::cout << "Item: " << args.name << "#" << msg->seq << " received "
              << FormatTimestamp(msg->time) << " on subject " << msg->subject << "\n\n";
    if (const std::string h = HeaderLines(msg->headers); !h.empty()) std::cout << h << "\n";
    std::cout << msg->data << std::endl;
  }
  return kExitOk;
}

int RunRemoveMsg(const CliContext& ctx, const StreamArgs& args) {
  constexpr std::string_view kVerb = "stream rmm";
  auto session = OpenJetStream(ctx, kVerb);
  if (!session.ok()) return FailJs(ctx, kVerb, session.status());
  if (Status s = session->js.DeleteMsg(args.name, args.seq, args.erase); !s.ok()) {
    return FailJs(ctx, kVerb, s);
  }
  if (ctx.json()) {
    CliContext::PrintJson({{"stream", args.name}, {"seq", args.seq}, {"deleted", true}});
  } else {
    std::cout << "Deleted message " << args.seq << " from " << args.name << std::endl;
  }
  return kExitOk;
}

}  // namespace

void AddStreamCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* stream = app.add_subcommand("stream", "Manage JetStream streams");
  stream->alias("str");
  stream->require_subcommand(1);
  auto verb = [&](const char* name, const char* help, auto run, auto setup) {
    auto args = std::make_shared<StreamArgs>();
    CLI::App* v = stream->add_subcommand(name, help);
    setup(v, *args);
    ctx.AddConnectionOptions(v);
    v->callback([&ctx, args, run] { ctx.set_exit_code(run(ctx, *args)); });
    return v;
  };
  auto name_arg = [](CLI::App* v, StreamArgs& a) {
    v->add_option("name", a.name, "Stream name")->required();
  };

  verb(
      "add", "Create a stream",
      [](const CliContext& c, StreamArgs& a) { return RunAddOrEdit(c, a, false); },
      [](CLI::App* v, StreamArgs& a) {
        v->add_option("name", a.name, "Stream name (may come from --config)");
        AddConfigFlags(v, &a.flags);
      })
      ->footer(
          "Examples:\n"
          "  spate stream add ORDERS --subjects 'orders.*' --storage file --max-age 24h\n"
          "  spate stream add ORDERS --config orders.json");
  verb(
      "edit", "Change a stream's configuration (only the flags given)",
      [](const CliContext& c, StreamArgs& a) { return RunAddOrEdit(c, a, true); },
      [&](CLI::App* v, StreamArgs& a) {
        name_arg(v, a);
        AddConfigFlags(v, &a.flags);
      })
      ->footer(
          "Example:\n  spate stream edit ORDERS --max-msgs 100000 --subjects 'orders.*,returns.*'");
  verb("info", "Show a stream's configuration and state", RunInfo, name_arg)
      ->footer("Example:\n  spate stream info ORDERS --json");
  verb("ls", "List streams", RunList, [](CLI::App* v, StreamArgs& a) {
    v->add_flag("--names,-n", a.names_only, "Only the names");
    v->add_option("--subject", a.subject_filter, "Only streams that hold this subject");
  })->footer("Example:\n  spate stream ls --names");
  verb("rm", "Delete a stream and its messages", RunRemove, name_arg)
      ->footer("Example:\n  spate stream rm ORDERS");
  verb("purge", "Remove messages from a stream", RunPurge,
       [&](CLI::App* v, StreamArgs& a) {
         name_arg(v, a);
         v->add_option("--subject", a.filter, "Only messages on this subject (wildcards allowed)");
         v->add_option("--seq", a.seq, "Remove messages below this sequence");
         v->add_option("--keep", a.keep, "Keep this many newest messages");
       })
      ->footer(
          "Examples:\n  spate stream purge ORDERS\n  spate stream purge ORDERS --subject "
          "orders.old --keep 10");
  verb("get", "Read one stored message", RunGet,
       [&](CLI::App* v, StreamArgs& a) {
         name_arg(v, a);
         v->add_option("seq", a.seq, "Sequence number");
         v->add_option("--last-for", a.last_for, "The last message on this subject instead");
         v->add_flag("--raw", a.raw, "Print only the body");
       })
      ->footer(
          "Examples:\n  spate stream get ORDERS 12\n  spate stream get ORDERS --last-for "
          "orders.new");
  verb("rmm", "Delete one message by sequence", RunRemoveMsg, [&](CLI::App* v, StreamArgs& a) {
    name_arg(v, a);
    v->add_option("seq", a.seq, "Sequence number")->required();
    v->add_flag("--erase", a.erase, "Overwrite the message's bytes on disk");
  })->footer("Example:\n  spate stream rmm ORDERS 12");
}

}  // namespace spate::cli

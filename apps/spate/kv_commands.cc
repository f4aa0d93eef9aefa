#include "kv_commands.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <iterator>
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

struct KvArgs {
  std::string bucket, key, value;
  CLI::Option* value_option = nullptr;
  // add
  int history = 1, replicas = 1;
  std::string ttl, max_value_size, max_bytes, storage = "file", description;
  // del
  bool purge = false;
  // get / watch
  bool raw = false;
  uint64_t count = 0;
};

const char* OpName(client::KvOp op) {
  switch (op) {
    case client::KvOp::kDelete:
      return "DEL";
    case client::KvOp::kPurge:
      return "PURGE";
    default:
      return "PUT";
  }
}

nlohmann::json EntryJson(const client::KvEntry& e) {
  return {{"bucket", e.bucket},
          {"key", e.key},
          {"value", e.value},
          {"revision", e.revision},
          {"created", FormatTimestampRfc3339(e.created)},
          {"operation", OpName(e.operation)}};
}

// A bucket handle over a fresh connection; the session keeps the connection alive.
struct KvSession {
  JsSession js;
  client::KeyValue kv;
};

Result<KvSession> OpenBucket(const CliContext& ctx, std::string_view verb,
                             const std::string& bucket) {
  auto session = OpenJetStream(ctx, verb);
  if (!session.ok()) return session.status();
  auto kv = session->js.GetKeyValue(bucket);
  if (!kv.ok()) return kv.status();
  return KvSession{std::move(*session), std::move(*kv)};
}

int RunAdd(const CliContext& ctx, KvArgs& a) {
  constexpr std::string_view kVerb = "kv add";
  client::KvConfig config;
  config.bucket = a.bucket;
  config.description = a.description;
  config.history = a.history;
  config.replicas = a.replicas;
  config.storage =
      a.storage == "memory" ? client::StorageType::kMemory : client::StorageType::kFile;
  if (!a.ttl.empty()) {
    auto ttl = ParseDuration(a.ttl);
    if (!ttl.ok()) return ctx.Fail(kVerb, ttl.status());
    config.ttl = *ttl;
  }
  if (!a.max_value_size.empty()) {
    auto size = ParseSize(a.max_value_size);
    if (!size.ok()) return ctx.Fail(kVerb, size.status());
    config.max_value_size = static_cast<int32_t>(*size);
  }
  if (!a.max_bytes.empty()) {
    auto size = ParseSize(a.max_bytes);
    if (!size.ok()) return ctx.Fail(kVerb, size.status());
    config.max_bytes = *size;
  }
  auto session = OpenJetStream(ctx, kVerb);
  if (!session.ok()) return FailJs(ctx, kVerb, session.status());
  auto kv = session->js.CreateKeyValue(config);
  if (!kv.ok()) return FailJs(ctx, kVerb, kv.status());
  if (ctx.json()) {
    auto info = session->js.GetStreamInfo("KV_" + a.bucket);
    if (!info.ok()) return FailJs(ctx, kVerb, info.status());
    PrintRawJson(info->raw_json);
  } else {
    std::cout << "Created bucket " << a.bucket << " (history " << config.history << ", ttl "
              << LimitDuration(config.ttl) << ", " << a.storage << " storage)" << std::endl;
  }
  return kExitOk;
}

int RunPut(const CliContext& ctx, KvArgs& a) {
  constexpr std::string_view kVerb = "kv put";
  std::string value = a.value;
  if (a.value_option->count() == 0 && !::isatty(STDIN_FILENO)) {
    value.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  auto s = OpenBucket(ctx, kVerb, a.bucket);
  if (!s.ok()) return FailJs(ctx, kVerb, s.status());
  auto revision = s->kv.Put(a.key, value);
  if (!revision.ok()) return FailJs(ctx, kVerb, revision.status());
  if (ctx.json()) {
    CliContext::PrintJson({{"bucket", a.bucket}, {"key", a.key}, {"revision", *revision}});
  } else {
    std::cout << "Put " << a.bucket << " > " << a.key << " revision " << *revision << std::endl;
  }
  return kExitOk;
}

int RunGet(const CliContext& ctx, KvArgs& a) {
  constexpr std::string_view kVerb = "kv get";
  auto s = OpenBucket(ctx, kVerb, a.bucket);
  if (!s.ok()) return FailJs(ctx, kVerb, s.status());
  auto entry = s->kv.Get(a.key);
  if (!entry.ok()) return FailJs(ctx, kVerb, entry.status());
  if (ctx.json()) {
    CliContext::PrintJson(EntryJson(*entry));
  } else if (a.raw) {
    std::cout << entry->value << std::endl;
  } else {
    std::cout << a.bucket << " > " << a.key << " revision " << entry->revision << " created "
              << FormatTimestamp(entry->created) << "\n\n"
              << entry->value << std::endl;
  }
  return kExitOk;
}

int RunDel(const CliContext& ctx, KvArgs& a) {
  const std::string verb = a.purge ? "kv purge" : "kv del";
  auto s = OpenBucket(ctx, verb, a.bucket);
  if (!s.ok()) return FailJs(ctx, verb, s.status());
  Status st = a.purge ? s->kv.Purge(a.key) : s->kv.Delete(a.key);
  if (!st.ok()) return FailJs(ctx, verb, st);
  if (ctx.json()) {
    CliContext::PrintJson({{"bucket", a.bucket}, {"key", a.key}, {"purged", a.purge}});
  } else {
    std::cout << (a.purge ? "Purged " : "Deleted ") << a.bucket << " > " << a.key << std::endl;
  }
  return kExitOk;
}

int RunList(const CliContext& ctx, KvArgs& a) {
  constexpr std::string_view kVerb = "kv ls";
  std::vector<std::string> items;
  if (a.bucket.empty()) {
    // Buckets are the streams named KV_<bucket>.
    auto session = OpenJetStream(ctx, kVerb);
    if (!session.ok()) return FailJs(ctx, kVerb, session.status());
    auto names = session->js.StreamNames();
    if (!names.ok()) return FailJs(ctx, kVerb, names.status());
    for (const auto& n : *names) {
      if (n.starts_with("KV_")) items.push_back(n.substr(3));
    }
  } else {
    auto s = OpenBucket(ctx, kVerb, a.bucket);
    if (!s.ok()) return FailJs(ctx, kVerb, s.status());
    auto keys = s->kv.Keys();
    if (!keys.ok()) return FailJs(ctx, kVerb, keys.status());
    items = std::move(*keys);
  }
  if (ctx.json()) {
    CliContext::PrintJson(items);
  } else if (items.empty()) {
    std::cout << (a.bucket.empty() ? "No buckets" : "No keys in " + a.bucket) << std::endl;
  } else {
    for (const auto& i : items) std::cout << i << "\n";
    std::cout << std::flush;
  }
  return kExitOk;
}

int RunHistory(const CliContext& ctx, KvArgs& a) {
  constexpr std::string_view kVerb = "kv history";
  auto s = OpenBucket(ctx, kVerb, a.bucket);
  if (!s.ok()) return FailJs(ctx, kVerb, s.status());
  auto history = s->kv.History(a.key);
  if (!history.ok()) return FailJs(ctx, kVerb, history.status());
  if (ctx.json()) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& e : *history) all.push_back(EntryJson(e));
    CliContext::PrintJson(all);
    return kExitOk;
  }
  Table t({"Revision", "Operation", "Created", "Value"});
  for (const auto& e : *history) {
    t.AddRow({std::to_string(e.revision), OpName(e.operation), FormatTimestamp(e.created),
              e.value.size() > 60 ? e.value.substr(0, 57) + "..." : e.value});
  }
  std::cout << t.Render() << std::flush;
  return kExitOk;
}

int RunWatch(const CliContext& ctx, KvArgs& a) {
  constexpr std::string_view kVerb = "kv watch";
  CliContext::InstallInterruptHandler();
  auto s = OpenBucket(ctx, kVerb, a.bucket);
  if (!s.ok()) return FailJs(ctx, kVerb, s.status());
  auto watcher = s->kv.Watch(a.key.empty() ? ">" : a.key);
  if (!watcher.ok()) return FailJs(ctx, kVerb, watcher.status());
  std::cerr << "Watching " << a.bucket << " > " << (a.key.empty() ? ">" : a.key) << std::endl;
  uint64_t seen = 0;
  while (!CliContext::Interrupted() && (a.count == 0 || seen < a.count)) {
    auto next = (*watcher)->Next(std::chrono::milliseconds(200));
    if (!next.ok()) {
      if (client::IsTimeout(next.status())) continue;
      return FailJs(ctx, kVerb, next.status());
    }
    if (!next->has_value()) continue;  // the end of the initial values
    const client::KvEntry& e = **next;
    ++seen;
    if (ctx.json()) {
      CliContext::PrintJsonLine(EntryJson(e));
    } else {
      std::cout << "[" << FormatTimestamp(e.created) << "] " << OpName(e.operation) << " "
                << e.bucket << " > " << e.key << " revision " << e.revision;
      if (e.operation == client::KvOp::kPut) std::cout << ": " << e.value;
      std::cout << std::endl;
    }
  }
  (*watcher)->Stop();
  return kExitOk;
}

}  // namespace

void AddKvCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* kv = app.add_subcommand("kv", "Key-value buckets on JetStream");
  kv->require_subcommand(1);
  auto verb = [&](const char* name, const char* help, int (*run)(const CliContext&, KvArgs&),
                  auto setup) {
    auto args = std::make_shared<KvArgs>();
    CLI::App* v = kv->add_subcommand(name, help);
    setup(v, *args);
    ctx.AddConnectionOptions(v);
    v->callback([&ctx, args, run] { ctx.set_exit_code(run(ctx, *args)); });
    return v;
  };
  auto bucket_key = [](CLI::App* v, KvArgs& a) {
    v->add_option("bucket", a.bucket, "Bucket name")->required();
    v->add_option("key", a.key, "Key")->required();
  };
  verb("add", "Create a bucket", RunAdd, [](CLI::App* v, KvArgs& a) {
    v->add_option("bucket", a.bucket, "Bucket name")->required();
    v->add_option("--history", a.history, "Revisions kept per key (1..64)")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    v->add_option("--ttl", a.ttl, "Values expire after this long (e.g. 1h)");
    v->add_option("--max-value-size", a.max_value_size, "Largest value (e.g. 1KB)");
    v->add_option("--max-bytes", a.max_bytes, "Bucket size limit (e.g. 1GB)");
    v->add_option("--storage", a.storage, "file or memory")
        ->check(CLI::IsMember({"file", "memory"}))
        ->capture_default_str();
    v->add_option("--replicas", a.replicas, "Replicas")->capture_default_str();
    v->add_option("--description", a.description, "Description");
  })->footer("Example:\n  spate kv add config --history 5 --ttl 24h");
  verb("put", "Set a key's value", RunPut,
       [&](CLI::App* v, KvArgs& a) {
         bucket_key(v, a);
         a.value_option =
             v->add_option("value", a.value, "Value (default: standard input when piped)");
       })
      ->footer(
          "Examples:\n  spate kv put config db.url postgres://db\n  cat cert.pem | spate kv put "
          "config tls.cert");
  verb("get", "Read a key's value", RunGet, [&](CLI::App* v, KvArgs& a) {
    bucket_key(v, a);
    v->add_flag("--raw", a.raw, "Print only the value");
  })->footer("Example:\n  spate kv get config db.url --raw");
  verb("del", "Delete a key (its history stays unless --purge)", RunDel,
       [&](CLI::App* v, KvArgs& a) {
         bucket_key(v, a);
         v->add_flag("--purge", a.purge, "Also drop the key's older revisions");
       })
      ->footer("Example:\n  spate kv del config db.url");
  verb("ls", "List buckets, or the keys of one bucket", RunList, [](CLI::App* v, KvArgs& a) {
    v->add_option("bucket", a.bucket, "Bucket whose keys to list");
  })->footer("Examples:\n  spate kv ls\n  spate kv ls config");
  verb("history", "Every kept revision of a key", RunHistory, bucket_key)
      ->footer("Example:\n  spate kv history config db.url");
  verb("watch", "Print a bucket's values, then every change", RunWatch, [](CLI::App* v, KvArgs& a) {
    v->add_option("bucket", a.bucket, "Bucket name")->required();
    v->add_option("key", a.key, "Key or pattern (default: every key)");
    v->add_option("--count", a.count, "Exit after this many entries (0: until Ctrl-C)");
  })->footer("Example:\n  spate kv watch config 'db.*'");
}

}  // namespace spate::cli

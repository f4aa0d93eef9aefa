#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/options/load_options.h"
#include "temp_dir.h"

namespace spate::server {
namespace {

ServerOptions Load(const std::vector<std::string>& args) {
  Result<ServerOptions> r = LoadOptions(args);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : ServerOptions();
}

std::string ErrorOf(const std::vector<std::string>& args) {
  Result<ServerOptions> r = LoadOptions(args);
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::string() : r.status().message();
}

TEST(CommandLine, DefaultsWithoutArguments) {
  ServerOptions o = Load({});
  EXPECT_EQ(o.port, 4222);
  EXPECT_EQ(o.host, "0.0.0.0");
  EXPECT_FALSE(o.jetstream.enabled);
  EXPECT_TRUE(o.log_time);
}

TEST(CommandLine, ValueForms) {
  EXPECT_EQ(Load({"-p", "5000"}).port, 5000);
  EXPECT_EQ(Load({"-p=5001"}).port, 5001);
  EXPECT_EQ(Load({"--port", "5002"}).port, 5002);
  EXPECT_EQ(Load({"--port=5003"}).port, 5003);
  EXPECT_EQ(Load({"-port", "5004"}).port, 5004);  // Go: one dash or two, same flag
  EXPECT_EQ(Load({"-p", "-1"}).port, kRandomPort);
  EXPECT_EQ(Load({"-p", "0x1000"}).port, 4096);  // Go's ParseInt base 0
  EXPECT_EQ(Load({"-p", "1", "-p", "2"}).port, 2);
  EXPECT_EQ(Load({"-p", "0"}).port, 4222);  // nats-server: 0 is the default port
}

TEST(CommandLine, ServerFlagsAndAliases) {
  for (const char* flag : {"-a", "--addr", "--net", "-net"}) {
    EXPECT_EQ(Load({flag, "127.0.0.1"}).host, "127.0.0.1") << flag;
  }
  for (const char* flag : {"-n", "--name", "--server_name"}) {
    EXPECT_EQ(Load({flag, "alpha"}).server_name, "alpha") << flag;
  }
  for (const char* flag : {"-P", "--pid"})
    EXPECT_EQ(Load({flag, "/run/x.pid"}).pid_file, "/run/x.pid");
  for (const char* flag : {"-m", "--http_port"}) EXPECT_EQ(Load({flag, "8222"}).http_port, 8222);
  // https needs TLS (the Go test runs it with certificates); nats-server's errors without.
  for (const char* flag : {"-ms", "--https_port"}) {
    EXPECT_EQ(ErrorOf({flag, "8443"}), "TLS cert and key required for HTTPS") << flag;
  }
  EXPECT_EQ(ErrorOf({"-m", "8222", "-ms", "8443"}),
            "can't specify both HTTP (8222) and HTTPs (8443) ports");
  for (const char* flag : {"-l", "--log"})
    EXPECT_EQ(Load({flag, "/tmp/x.log"}).log_file, "/tmp/x.log");
  for (const char* flag : {"-sl", "--signal"})
    EXPECT_EQ(Load({flag, "reload=12"}).signal, "reload=12");
  for (const char* flag : {"-sd", "--store_dir"}) {
    EXPECT_EQ(Load({flag, "/data"}).jetstream.store_dir, "/data");
  }
  for (const char* flag : {"-js", "--jetstream"}) EXPECT_TRUE(Load({flag}).jetstream.enabled);
  EXPECT_EQ(Load({"--client_advertise", "nats.example:4222"}).client_advertise,
            "nats.example:4222");
  EXPECT_EQ(Load({"--ports_file_dir", "/tmp"}).ports_file_dir, "/tmp");
}

TEST(CommandLine, AuthFlags) {
  ServerOptions o = Load({"--user", "derek", "--pass", "s3cr3t"});
  EXPECT_EQ(o.auth.user, "derek");
  EXPECT_EQ(o.auth.password, "s3cr3t");
  EXPECT_EQ(Load({"--auth", "tok"}).auth.token, "tok");
  EXPECT_NE(ErrorOf({"--no_auth_user", "x"}).find("not defined: -no_auth_user"),
            std::string::npos);  // nats-server has no such flag; config only
}

TEST(CommandLine, BooleanFlags) {
  EXPECT_TRUE(Load({"-D"}).debug);
  EXPECT_TRUE(Load({"--debug"}).debug);
  EXPECT_FALSE(Load({"-D=false"}).debug);
  EXPECT_TRUE(Load({"-D=1"}).debug);
  EXPECT_TRUE(Load({"-V"}).trace);
  EXPECT_TRUE(Load({"--trace"}).trace);
  ServerOptions dv = Load({"-DV"});
  EXPECT_TRUE(dv.debug);
  EXPECT_TRUE(dv.trace);
  ServerOptions dvv = Load({"-DVV"});
  EXPECT_TRUE(dvv.debug);
  EXPECT_TRUE(dvv.trace);
  ServerOptions vv = Load({"-VV"});
  EXPECT_FALSE(vv.debug);
  EXPECT_TRUE(vv.trace);
  ServerOptions off = Load({"-DV", "-DV=false"});
  EXPECT_FALSE(off.debug);
  EXPECT_FALSE(off.trace);
  EXPECT_FALSE(Load({"-T=false"}).log_time);
  EXPECT_FALSE(Load({"--logtime=false"}).log_time);
  EXPECT_TRUE(Load({"-T"}).log_time);
}

TEST(CommandLine, OurOwnFlags) {
  EXPECT_EQ(Load({"-threads", "4"}).threads, 4);
  EXPECT_EQ(Load({"--threads=2"}).threads, 2);
  EXPECT_EQ(Load({"--max_payload", "2097152"}).max_payload, 2097152);
  EXPECT_NE(ErrorOf({"--threads", "-3"}).find("-threads"), std::string::npos);
  EXPECT_NE(ErrorOf({"--max_payload", "0"}).find("-max_payload"), std::string::npos);
}

TEST(CommandLine, HelpAndVersionStopEarly) {
  EXPECT_TRUE(Load({"-h"}).show_help);
  EXPECT_TRUE(Load({"--help"}).show_help);
  EXPECT_TRUE(Load({"-v"}).show_version);
  EXPECT_TRUE(Load({"--version"}).show_version);
  EXPECT_TRUE(Load({"version"}).show_version);
  EXPECT_TRUE(Load({"-D", "help"}).show_help);
  // The config file is not read when only help is asked for.
  EXPECT_TRUE(Load({"-c", "/nonexistent.conf", "-h"}).show_help);
}

TEST(CommandLine, Errors) {
  EXPECT_EQ(ErrorOf({"--bogus"}), "flag provided but not defined: -bogus");
  EXPECT_EQ(ErrorOf({"-x", "1"}), "flag provided but not defined: -x");
  EXPECT_EQ(ErrorOf({"-p"}), "flag needs an argument: -p");
  EXPECT_EQ(ErrorOf({"-p", "abc"}), "invalid value \"abc\" for flag -p: parse error");
  EXPECT_EQ(ErrorOf({"-D=maybe"}), "invalid boolean value \"maybe\" for -D: parse error");
  EXPECT_EQ(ErrorOf({"---p", "1"}), "bad flag syntax: ---p");
  EXPECT_EQ(ErrorOf({"-p", "70000"}),
            "invalid value \"70000\" for flag -p: port must be -1 (random) or 0..65535");
  EXPECT_EQ(ErrorOf({"--help_tls"}), "flag -help_tls is not supported by spate-server yet");
  EXPECT_EQ(ErrorOf({"--cluster", "nats://0.0.0.0:6222"}),
            "flag -cluster is not supported by spate-server yet");
  EXPECT_EQ(ErrorOf({"start"}), "unrecognized command: \"start\"");
  EXPECT_EQ(ErrorOf({"-t"}),
            "must specify [-c, --config] option to check configuration file syntax");
}

TEST(CommandLine, DoubleDashEndsFlags) {
  // After "--" everything is an argument, and nats-server only knows version/help there.
  EXPECT_TRUE(Load({"-D", "--", "version"}).show_version);
  EXPECT_EQ(ErrorOf({"--", "-p"}), "unrecognized command: \"-p\"");
}

TEST(CommandLine, ConfigFileThenFlagsOverride) {
  spate::testing::TempDir dir;
  const std::string conf = dir.Write("s.conf",
                                     "port: 5000\n"
                                     "debug: true\n"
                                     "server_name: from_file\n"
                                     "http_port: 8222\n"
                                     "jetstream { store_dir: /from/file }\n");
  ServerOptions from_file = Load({"-c", conf});
  EXPECT_EQ(from_file.config_file, conf);
  EXPECT_EQ(from_file.port, 5000);
  EXPECT_TRUE(from_file.debug);
  EXPECT_TRUE(from_file.jetstream.enabled);

  // Flags win wherever both speak, whichever comes first on the command line.
  ServerOptions o = Load({"-p", "6000", "--config", conf, "-D=false", "-sd", "/from/flag"});
  EXPECT_EQ(o.port, 6000);
  EXPECT_FALSE(o.debug);
  EXPECT_EQ(o.jetstream.store_dir, "/from/flag");
  EXPECT_EQ(o.server_name, "from_file");  // untouched by flags
  EXPECT_EQ(o.http_port, 8222);
  EXPECT_TRUE(o.jetstream.enabled);
}

TEST(CommandLine, CheckConfig) {
  spate::testing::TempDir dir;
  const std::string conf = dir.Write("ok.conf", "port: 4222\n");
  ServerOptions o = Load({"-t", "-c", conf});
  EXPECT_TRUE(o.check_config_only);
  const std::string bad = dir.Write("bad.conf", "port: 4222\nbogus: 1\n");
  EXPECT_EQ(ErrorOf({"-t", "-c", bad}), bad + ":2:1: unknown field \"bogus\"");
}

TEST(CommandLine, MaxPayloadCannotExceedMaxPending) {
  spate::testing::TempDir dir;
  const std::string conf = dir.Write("s.conf", "max_pending: 1MB\n");
  EXPECT_EQ(ErrorOf({"-c", conf, "--max_payload", "2097152"}),
            "max_payload (2097152) cannot be higher than max_pending (1048576)");
}

TEST(CommandLine, LameDuckGracePeriodMustBeShorterThanDuration) {
  spate::testing::TempDir dir;
  EXPECT_EQ(ErrorOf({"-c", dir.Write("a.conf", "lame_duck_grace_period: \"2m\"\n")}),
            "lame duck grace period (2m0s) should be strictly lower than lame duck duration "
            "(2m0s)");
  EXPECT_EQ(ErrorOf({"-c", dir.Write("b.conf",
                                     "lame_duck_duration: \"30s\"\n"
                                     "lame_duck_grace_period: \"1m\"\n")}),
            "lame duck grace period (1m0s) should be strictly lower than lame duck duration "
            "(30s)");
}

TEST(CommandLine, UsageNamesOurBinaryAndFlags) {
  const std::string usage = UsageText();
  EXPECT_NE(usage.find("Usage: spate-server [options]"), std::string::npos);
  EXPECT_EQ(usage.find("nats-server"), std::string::npos);
  for (const char* flag : {"--addr",           "--port",    "--server_name", "--pid",
                           "--http_port",      "--config",  "--signal",      "--client_advertise",
                           "--ports_file_dir", "--log",     "--logtime",     "--debug",
                           "--trace",          "-DVV",      "--jetstream",   "--store_dir",
                           "--user",           "--pass",    "--auth",        "--help",
                           "--version",        "--threads", "--max_payload"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace spate::server

#include "conf/conf_parser.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "temp_dir.h"

namespace spate::conf {
namespace {

using Kind = Value::Kind;

// Parses `text`, failing the test on error. Environment lookups see only `env`.
Value Parse(const std::string& text, std::map<std::string, std::string> env = {}) {
  ParseOptions options;
  options.lookup_env = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  Result<Value> r = ParseString(text, "test.conf", options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : Value();
}

const Value& Get(const Value& map, const std::string& key) {
  const Value* v = map.Find(key);
  if (v == nullptr) {
    ADD_FAILURE() << "missing key " << key;
    static const Value kEmpty;
    return kEmpty;
  }
  return *v;
}

TEST(ConfParser, EverySeparatorForm) {
  Value root = Parse("a: 1\nb = 2\nc 3\nd:4\ne=5\nf\t6\n");
  EXPECT_EQ(Get(root, "a").AsInt(), 1);
  EXPECT_EQ(Get(root, "b").AsInt(), 2);
  EXPECT_EQ(Get(root, "c").AsInt(), 3);
  EXPECT_EQ(Get(root, "d").AsInt(), 4);
  EXPECT_EQ(Get(root, "e").AsInt(), 5);
  EXPECT_EQ(Get(root, "f").AsInt(), 6);
}

TEST(ConfParser, SemicolonsAndCommasEndValues) {
  Value root = Parse("foo='1'; bar=2.2; baz=true; boo=22,\nlast: x;");
  EXPECT_EQ(Get(root, "foo").AsString(), "1");
  EXPECT_DOUBLE_EQ(Get(root, "bar").AsFloat(), 2.2);
  EXPECT_TRUE(Get(root, "baz").AsBool());
  EXPECT_EQ(Get(root, "boo").AsInt(), 22);
  EXPECT_EQ(Get(root, "last").AsString(), "x");
}

TEST(ConfParser, BothCommentStyles) {
  Value root = Parse(
      "# hash comment\n"
      "// slash comment\n"
      "a: 1 # after a value\n"
      "b: 2 // after a value\n"
      "url: nats://host:4222 # the // in a bare value is not a comment\n"
      "tag: x#y\n");
  EXPECT_EQ(root.entries().size(), 4u);
  EXPECT_EQ(Get(root, "a").AsInt(), 1);
  EXPECT_EQ(Get(root, "b").AsInt(), 2);
  EXPECT_EQ(Get(root, "url").AsString(), "nats://host:4222");
  EXPECT_EQ(Get(root, "tag").AsString(), "x#y");
}

TEST(ConfParser, StringForms) {
  Value root = Parse(
      "dq: \"tab\\there \\\"q\\\" \\\\ \\x41\\n\"\n"
      "sq: 'raw \\t $NOT_A_VAR'\n"
      "bare: hello-world.example\n"
      "addr: 127.0.0.1:4222\n"
      "ip: 10.0.0.1\n"
      "digits_first: 3secret\n"
      "dollar_quoted: \"$HOME\"\n"
      "'quoted key': 1\n"
      "\"dq key\" = 2\n");
  EXPECT_EQ(Get(root, "dq").AsString(), "tab\there \"q\" \\ A\n");
  EXPECT_EQ(Get(root, "sq").AsString(), "raw \\t $NOT_A_VAR");
  EXPECT_EQ(Get(root, "bare").AsString(), "hello-world.example");
  EXPECT_EQ(Get(root, "addr").AsString(), "127.0.0.1:4222");
  EXPECT_EQ(Get(root, "ip").AsString(), "10.0.0.1");
  EXPECT_EQ(Get(root, "digits_first").AsString(), "3secret");
  EXPECT_EQ(Get(root, "dollar_quoted").AsString(), "$HOME");
  EXPECT_EQ(Get(root, "quoted key").AsInt(), 1);
  EXPECT_EQ(Get(root, "dq key").AsInt(), 2);
}

TEST(ConfParser, MultiLineStrings) {
  Value root = Parse("a: \"one\ntwo\"\nb: (\nline 1\nline 2\n)\nc: 3\n");
  EXPECT_EQ(Get(root, "a").AsString(), "one\ntwo");
  EXPECT_EQ(Get(root, "b").AsString(), "\nline 1\nline 2\n");
  EXPECT_EQ(Get(root, "c").AsInt(), 3);
  EXPECT_EQ(Get(root, "c").location().line, 7);
}

TEST(ConfParser, Numbers) {
  Value root = Parse("i: 42\nneg: -17\nf: 3.25\nnf: -0.5\nbig: 9223372036854775807\n");
  EXPECT_EQ(Get(root, "i").AsInt(), 42);
  EXPECT_EQ(Get(root, "neg").AsInt(), -17);
  EXPECT_DOUBLE_EQ(Get(root, "f").AsFloat(), 3.25);
  EXPECT_DOUBLE_EQ(Get(root, "nf").AsFloat(), -0.5);
  EXPECT_EQ(Get(root, "big").AsInt(), INT64_MAX);
  EXPECT_TRUE(Get(root, "f").is(Kind::kFloat));
}

TEST(ConfParser, SizesThousandsWithoutBAndBinaryWithB) {
  Value root = Parse(
      "k: 8k\nK: 1K\nkb: 4kb\nKB: 1KB\nki: 3Ki\nkib: 4KiB\n"
      "m: 1m\nmb: 2MB\nmi: 2Mi\ng: 2G\ngb: 1GB\nt: 1T\ntb: 1TB\np: 1P\npb: 1PB\ne: 1E\neb: 1EB\n"
      "neg: -1K\n");
  EXPECT_EQ(Get(root, "k").AsInt(), 8000);
  EXPECT_EQ(Get(root, "K").AsInt(), 1000);
  EXPECT_EQ(Get(root, "kb").AsInt(), 4096);
  EXPECT_EQ(Get(root, "KB").AsInt(), 1024);
  EXPECT_EQ(Get(root, "ki").AsInt(), 3072);
  EXPECT_EQ(Get(root, "kib").AsInt(), 4096);
  EXPECT_EQ(Get(root, "m").AsInt(), 1000000);
  EXPECT_EQ(Get(root, "mb").AsInt(), 2 * 1024 * 1024);
  EXPECT_EQ(Get(root, "mi").AsInt(), 2 * 1024 * 1024);
  EXPECT_EQ(Get(root, "g").AsInt(), 2000000000);
  EXPECT_EQ(Get(root, "gb").AsInt(), 1073741824);
  EXPECT_EQ(Get(root, "t").AsInt(), 1000000000000);
  EXPECT_EQ(Get(root, "tb").AsInt(), 1099511627776);
  EXPECT_EQ(Get(root, "p").AsInt(), 1000000000000000);
  EXPECT_EQ(Get(root, "pb").AsInt(), int64_t{1} << 50);
  EXPECT_EQ(Get(root, "e").AsInt(), 1000000000000000000);
  EXPECT_EQ(Get(root, "eb").AsInt(), int64_t{1} << 60);
  EXPECT_EQ(Get(root, "neg").AsInt(), -1000);
  EXPECT_EQ(Get(root, "gb").source(), "1GB");
}

TEST(ConfParser, DigitsWithOtherLettersAreStrings) {
  // 10s and 1h30m are durations for the options layer; 3Gyz is just text.
  Value root = Parse("a: 10s\nb: 1h30m\nc: 3Gyz\nd: 2min\n");
  EXPECT_EQ(Get(root, "a").AsString(), "10s");
  EXPECT_EQ(Get(root, "b").AsString(), "1h30m");
  EXPECT_EQ(Get(root, "c").AsString(), "3Gyz");
  EXPECT_EQ(Get(root, "d").AsString(), "2min");
}

TEST(ConfParser, BooleansAsNatsServer) {
  Value root = Parse("a: true\nb: TRUE\nc: yes\nd: on\ne: false\nf: No\ng: off\nh: \"true\"\n");
  for (const char* key : {"a", "b", "c", "d"}) EXPECT_TRUE(Get(root, key).AsBool()) << key;
  for (const char* key : {"e", "f", "g"}) EXPECT_FALSE(Get(root, key).AsBool()) << key;
  EXPECT_TRUE(Get(root, "h").is(Kind::kString));
}

TEST(ConfParser, Datetime) {
  Value root = Parse("when: 2016-05-04T18:53:41Z\n");
  EXPECT_TRUE(Get(root, "when").is(Kind::kDatetime));
  EXPECT_EQ(Get(root, "when").AsString(), "2016-05-04T18:53:41Z");
  EXPECT_EQ(Get(root, "when").AsInt(), 1462388021);
}

TEST(ConfParser, NestedBlocksWithAndWithoutSeparator) {
  Value root = Parse(
      "outer {\n"
      "  inner: {\n"
      "    deep = { x: 1, y: 2; z: 3 }\n"
      "  }\n"
      "  name: \"o\"\n"
      "}\n"
      "empty {}\n");
  const Value& deep = Get(Get(Get(root, "outer"), "inner"), "deep");
  EXPECT_EQ(Get(deep, "x").AsInt(), 1);
  EXPECT_EQ(Get(deep, "y").AsInt(), 2);
  EXPECT_EQ(Get(deep, "z").AsInt(), 3);
  EXPECT_EQ(Get(Get(root, "outer"), "name").AsString(), "o");
  EXPECT_TRUE(Get(root, "empty").is(Kind::kMap));
  EXPECT_TRUE(Get(root, "empty").entries().empty());
}

TEST(ConfParser, ValueInMapMayFollowSeparatorOnNextLine) {
  Value root = Parse("m {\n  a:\n    1\n}\n");
  EXPECT_EQ(Get(Get(root, "m"), "a").AsInt(), 1);
}

TEST(ConfParser, TopLevelBracesAsInJson) {
  Value root = Parse("{\n  \"port\": 4222,\n  \"debug\": true\n}\n");
  EXPECT_EQ(Get(root, "port").AsInt(), 4222);
  EXPECT_TRUE(Get(root, "debug").AsBool());
}

TEST(ConfParser, Arrays) {
  Value root = Parse(
      "commas: [1, 2, 3, 'bar']\n"
      "tight: [1,2,3]\n"
      "trailing: [a, b,]\n"
      "lines: [\n"
      "  1, # one\n"
      "  2  // two\n"
      "  \"three\"\n"
      "]\n"
      "maps: [ {user: a, password: x}, {user: b, password: y} ]\n"
      "nested: [[1], []]\n"
      "routes = [\n  nats://a:4244\n  nats://b:4244\n]\n");
  const Value& commas = Get(root, "commas");
  ASSERT_EQ(commas.items().size(), 4u);
  EXPECT_EQ(commas.items()[2].AsInt(), 3);
  EXPECT_EQ(commas.items()[3].AsString(), "bar");
  EXPECT_EQ(Get(root, "tight").items().size(), 3u);
  EXPECT_EQ(Get(root, "tight").items()[2].AsInt(), 3);
  EXPECT_EQ(Get(root, "trailing").items().size(), 2u);
  const Value& lines = Get(root, "lines");
  ASSERT_EQ(lines.items().size(), 3u);
  EXPECT_EQ(lines.items()[1].AsInt(), 2);
  EXPECT_EQ(lines.items()[2].AsString(), "three");
  EXPECT_EQ(lines.items()[2].location().line, 7);
  const Value& maps = Get(root, "maps");
  ASSERT_EQ(maps.items().size(), 2u);
  EXPECT_EQ(Get(maps.items()[1], "user").AsString(), "b");
  EXPECT_EQ(Get(root, "nested").items()[0].items()[0].AsInt(), 1);
  EXPECT_EQ(Get(root, "routes").items()[1].AsString(), "nats://b:4244");
}

TEST(ConfParser, KeysAndValuesKnowFileLineColumn) {
  Value root = Parse("\n  port: 4222\nblock {\n    inner = yes\n}\n");
  const MapEntry& port = root.entries()[0];
  EXPECT_EQ(port.key_location.file, "test.conf");
  EXPECT_EQ(port.key_location.line, 2);
  EXPECT_EQ(port.key_location.column, 3);
  EXPECT_EQ(port.value.location().line, 2);
  EXPECT_EQ(port.value.location().column, 9);
  const MapEntry& inner = Get(root, "block").entries()[0];
  EXPECT_EQ(inner.key_location.line, 4);
  EXPECT_EQ(inner.key_location.column, 5);
}

TEST(ConfParser, RepeatedKeyKeepsLastValue) {
  Value root = Parse("a: 1\nb: 2\na: 3\n");
  ASSERT_EQ(root.entries().size(), 2u);
  EXPECT_EQ(root.entries()[0].key, "a");
  EXPECT_EQ(Get(root, "a").AsInt(), 3);
  EXPECT_EQ(root.entries()[0].key_location.line, 3);
}

TEST(ConfParser, VariablesResolveInnermostFirst) {
  Value root = Parse(
      "index = 22\n"
      "top_str = \"hello\"\n"
      "nest {\n"
      "  index = 11\n"
      "  foo = $index\n"
      "  deeper { bar = $index, s = $top_str }\n"
      "}\n"
      "bar = $index\n");
  EXPECT_EQ(Get(Get(root, "nest"), "foo").AsInt(), 11);
  EXPECT_EQ(Get(Get(Get(root, "nest"), "deeper"), "bar").AsInt(), 11);
  EXPECT_EQ(Get(Get(Get(root, "nest"), "deeper"), "s").AsString(), "hello");
  EXPECT_EQ(Get(root, "bar").AsInt(), 22);
  // The referenced definitions are marked, so the options layer does not call them unknown;
  // the referencing keys are not.
  EXPECT_TRUE(Get(root, "index").used_as_variable());
  EXPECT_FALSE(Get(root, "bar").used_as_variable());
  // A resolved value points at the reference.
  EXPECT_EQ(Get(root, "bar").location().line, 8);
}

TEST(ConfParser, VariableCanHoldABlock) {
  Value root = Parse("LIMITS { max: 5 }\nuse: $LIMITS\n");
  EXPECT_EQ(Get(Get(root, "use"), "max").AsInt(), 5);
}

TEST(ConfParser, VariablesFromEnvironmentAreParsedAsValues) {
  Value root = Parse(
      "n = $NUM\ns = $STR\nq = $QUOTED\nsz = $SIZE\nchain = $CHAIN\n",
      {{"NUM", "22"}, {"STR", "xyz"}, {"QUOTED", "'3xyz'"}, {"SIZE", "1KB"}, {"CHAIN", "$STR"}});
  EXPECT_EQ(Get(root, "n").AsInt(), 22);
  EXPECT_EQ(Get(root, "s").AsString(), "xyz");
  EXPECT_EQ(Get(root, "q").AsString(), "3xyz");
  EXPECT_EQ(Get(root, "sz").AsInt(), 1024);
  EXPECT_EQ(Get(root, "chain").AsString(), "xyz");
}

TEST(ConfParser, FileDefinitionWinsOverEnvironment) {
  Value root = Parse("X = 1\ny = $X\n", {{"X", "2"}});
  EXPECT_EQ(Get(root, "y").AsInt(), 1);
}

TEST(ConfParser, RealEnvironmentIsTheDefault) {
  ASSERT_EQ(setenv("SPATE_CONF_TEST_VAR", "4333", 1), 0);
  Result<Value> r = ParseString("port: $SPATE_CONF_TEST_VAR\n");
  unsetenv("SPATE_CONF_TEST_VAR");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->Find("port")->AsInt(), 4333);
}

TEST(ConfParser, UnquotedBcryptHashIsText) {
  Value root = Parse("password: $2a$11$ooo\n");
  EXPECT_EQ(Get(root, "password").AsString(), "$2a$11$ooo");
}

TEST(ConfParser, IncludeIsRelativeToTheIncludingFile) {
  spate::testing::TempDir dir;
  dir.Write("sub/auth.conf", "authorization {\n  user: a\n}\ninclude 'more/limits.conf'\n");
  dir.Write("sub/more/limits.conf", "max_payload: 2MB\n");
  dir.Write("sub/quoted.conf", "quoted: 1\n");
  dir.Write("sub/bare.conf", "bare: 2\n");
  const std::string main = dir.Write("main.conf",
                                     "port: 4222\n"
                                     "include 'sub/auth.conf'\n"
                                     "include \"sub/quoted.conf\"\n"
                                     "block {\n  include sub/bare.conf\n}\n");
  Result<Value> r = ParseFile(main);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->Find("port")->AsInt(), 4222);
  EXPECT_EQ(r->Find("authorization")->Find("user")->AsString(), "a");
  EXPECT_EQ(r->Find("max_payload")->AsInt(), 2 * 1024 * 1024);
  EXPECT_EQ(r->Find("quoted")->AsInt(), 1);
  EXPECT_EQ(r->Find("block")->Find("bare")->AsInt(), 2);
  // Included values remember their own file and line.
  const Value* payload = r->Find("max_payload");
  EXPECT_NE(payload->location().file.find("limits.conf"), std::string::npos);
  EXPECT_EQ(payload->location().line, 1);
}

TEST(ConfParser, VariablesDefinedInAnIncludeAreVisibleAfterIt) {
  spate::testing::TempDir dir;
  dir.Write("vars.conf", "PORT: 4333\n");
  const std::string main = dir.Write("main.conf", "include vars.conf\nport: $PORT\n");
  Result<Value> r = ParseFile(main);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->Find("port")->AsInt(), 4333);
}

// The JetStream example from the NATS docs ("JetStream config"): comments of both kinds,
// an empty line, and sizes that are plain numbers.
TEST(ConfParser, JetStreamArticleConfig) {
  Value root = Parse(
      "// enables jetstream, an empty block will enable and use defaults\n"
      "jetstream {\n"
      "    // jetstream data will be in /data/nats-server/jetstream\n"
      "    store_dir: \"/data/nats-server\"\n"
      "\n"
      "    // 1GB\n"
      "    max_memory_store: 1073741824\n"
      "\n"
      "    // 10GB\n"
      "    max_file_store: 10737418240\n"
      "}\n");
  const Value& js = Get(root, "jetstream");
  EXPECT_EQ(Get(js, "store_dir").AsString(), "/data/nats-server");
  EXPECT_EQ(Get(js, "max_memory_store").AsInt(), 1073741824);
  EXPECT_EQ(Get(js, "max_file_store").AsInt(), 10737418240);
  EXPECT_EQ(js.entries()[2].key_location.line, 10);
}

TEST(ConfParser, CrLfLineEndings) {
  Value root = Parse("a: 1\r\nb {\r\n  c: x\r\n}\r\nd: [1,\r\n 2]\r\n");
  EXPECT_EQ(Get(root, "a").AsInt(), 1);
  EXPECT_EQ(Get(Get(root, "b"), "c").AsString(), "x");
  EXPECT_EQ(Get(root, "d").items().size(), 2u);
}

TEST(ConfParser, EmptyInputIsAnEmptyMap) {
  Value root = Parse("");
  EXPECT_TRUE(root.is(Kind::kMap));
  EXPECT_TRUE(root.entries().empty());
  EXPECT_TRUE(Parse("# only a comment\n\n").entries().empty());
}

}  // namespace
}  // namespace spate::conf

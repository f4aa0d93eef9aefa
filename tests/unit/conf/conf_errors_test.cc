#include <gtest/gtest.h>

#include <map>
#include <string>

#include "conf/conf_parser.h"
#include "temp_dir.h"

namespace spate::conf {
namespace {

// Parses `text` expecting failure; returns the error message.
std::string ErrorOf(const std::string& text, std::map<std::string, std::string> env = {}) {
  ParseOptions options;
  options.lookup_env = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  Result<Value> r = ParseString(text, "bad.conf", options);
  EXPECT_FALSE(r.ok()) << "parsed without error: " << text;
  return r.ok() ? std::string() : r.status().message();
}

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

TEST(ConfErrors, UnterminatedStringPointsAtItsStart) {
  const std::string e = ErrorOf("a: 1\nb: \"never closed\nc: 2\n");
  EXPECT_TRUE(StartsWith(e, "bad.conf:2:4: unterminated string")) << e;
  EXPECT_TRUE(StartsWith(ErrorOf("a: 1\n\nb: 'open\n"), "bad.conf:3:4: unterminated string"));
}

TEST(ConfErrors, InvalidEscape) {
  const std::string e = ErrorOf("a: 1\nb: \"bad \\q escape\"\n");
  EXPECT_TRUE(StartsWith(e, "bad.conf:2:10: invalid escape 'q'")) << e;
  EXPECT_TRUE(StartsWith(ErrorOf("s: \"\\xZZ\"\n"), "bad.conf:1:6:"));
}

TEST(ConfErrors, UndefinedVariable) {
  const std::string e = ErrorOf("a: 1\n\nport: $NOPE\n");
  EXPECT_EQ(e,
            "bad.conf:3:7: variable '$NOPE' is not defined in an enclosing block or the "
            "environment");
}

TEST(ConfErrors, VariableDefinedOnlyInASiblingBlockIsNotVisible) {
  const std::string e = ErrorOf("a { x: 1 }\nb { y: $x }\n");
  EXPECT_TRUE(StartsWith(e, "bad.conf:2:8: variable '$x' is not defined")) << e;
}

TEST(ConfErrors, VariableCycleThroughTheEnvironment) {
  const std::string e = ErrorOf("a: $A\n", {{"A", "$B"}, {"B", "$A"}});
  EXPECT_TRUE(StartsWith(e, "bad.conf:1:4: variable reference cycle for '$A'")) << e;
  const std::string self = ErrorOf("x: $SELF\n", {{"SELF", "$SELF"}});
  EXPECT_TRUE(StartsWith(self, "bad.conf:1:4: variable reference cycle")) << self;
}

TEST(ConfErrors, BadEnvironmentValue) {
  const std::string e = ErrorOf("\na: $E\n", {{"E", "\"open"}});
  EXPECT_TRUE(StartsWith(e, "bad.conf:2:4: cannot use environment variable $E:")) << e;
}

TEST(ConfErrors, KeyWithoutValue) {
  EXPECT_EQ(ErrorOf("a: 1\nlonely\n"), "bad.conf:2:1: key \"lonely\" has no value");
  EXPECT_EQ(ErrorOf("a: 1\nb:\n2\n"), "bad.conf:2:1: key \"b\" has no value");
  EXPECT_EQ(ErrorOf("m {\n  k:\n}\n"), "bad.conf:2:3: key \"k\" has no value");
}

TEST(ConfErrors, JunkAfterValue) {
  const std::string e = ErrorOf("a: 1.5s\n");
  EXPECT_TRUE(StartsWith(e, "bad.conf:1:7: expected a new line")) << e;
}

TEST(ConfErrors, UnclosedBlocksAndArrays) {
  EXPECT_EQ(ErrorOf("a: 1\nm {\n  x: 1\n"), "bad.conf:2:3: '{' is never closed");
  EXPECT_EQ(ErrorOf("a: [1,\n2\n"), "bad.conf:1:4: '[' is never closed");
  EXPECT_TRUE(StartsWith(ErrorOf("a: [1 2]\n"), "bad.conf:1:7: expected ',' or ']'"));
  EXPECT_TRUE(StartsWith(ErrorOf("a: [,1]\n"), "bad.conf:1:5: unexpected ','"));
  EXPECT_TRUE(StartsWith(ErrorOf("a: 1\n}\n"), "bad.conf:2:1: unexpected '}'"));
}

TEST(ConfErrors, BadNumbers) {
  EXPECT_TRUE(StartsWith(ErrorOf("a: 99999999999999999999\n"), "bad.conf:1:4: integer"));
  EXPECT_TRUE(StartsWith(ErrorOf("a: 16EB\n"), "bad.conf:1:4: size '16EB' is out of range"));
  EXPECT_TRUE(StartsWith(ErrorOf("a: 1KBB\n"), "bad.conf:1:4: invalid size suffix"));
  EXPECT_TRUE(StartsWith(ErrorOf("a: .5\n"), "bad.conf:1:4: floats must start with a digit"));
  EXPECT_TRUE(StartsWith(ErrorOf("a: 1.\n"), "bad.conf:1:4: floats need a digit"));
  EXPECT_TRUE(StartsWith(ErrorOf("a: 12-3\n"), "bad.conf:1:4: dates must be"));
  EXPECT_TRUE(StartsWith(ErrorOf("a: 2016-13-04T18:53:41Z\n"), "bad.conf:1:4: invalid date"));
  EXPECT_TRUE(StartsWith(ErrorOf("a: -x\n"), "bad.conf:1:4: expected a digit after '-'"));
}

TEST(ConfErrors, UnexpectedSeparator) {
  EXPECT_TRUE(StartsWith(ErrorOf("a: 1\n: 2\n"), "bad.conf:2:1: unexpected key separator"));
}

TEST(ConfErrors, MissingIncludeNamesTheIncludingLine) {
  spate::testing::TempDir dir;
  const std::string main = dir.Write("main.conf", "port: 1\n\ninclude 'nope.conf'\n");
  Result<Value> r = ParseFile(main);
  ASSERT_FALSE(r.ok());
  const std::string& e = r.status().message();
  EXPECT_TRUE(StartsWith(e, main + ":3:1: cannot read include file \"nope.conf\"")) << e;
  EXPECT_NE(e.find("No such file"), std::string::npos) << e;
}

TEST(ConfErrors, ErrorInsideAnIncludeNamesTheIncludedFile) {
  spate::testing::TempDir dir;
  const std::string inc = dir.Write("inc.conf", "ok: 1\nbroken: \"\n");
  const std::string main = dir.Write("main.conf", "include inc.conf\n");
  Result<Value> r = ParseFile(main);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(r.status().message(), inc + ":2:9: unterminated string"))
      << r.status().message();
}

TEST(ConfErrors, IncludeCycle) {
  spate::testing::TempDir dir;
  dir.Write("a.conf", "x: 1\ninclude b.conf\n");
  dir.Write("b.conf", "include a.conf\n");
  Result<Value> r = ParseFile((dir.path() / "a.conf").string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("b.conf:1:1: include cycle"), std::string::npos)
      << r.status().message();
}

TEST(ConfErrors, NestingIsBounded) {
  const std::string deep = "a: " + std::string(5000, '[') + std::string(5000, ']') + "\n";
  EXPECT_TRUE(StartsWith(ErrorOf(deep), "bad.conf:1:"));
  EXPECT_NE(ErrorOf(deep).find("nested more than"), std::string::npos);
  std::string ok = "a: " + std::string(50, '[') + std::string(50, ']') + "\n";
  EXPECT_TRUE(ParseString(ok).ok());
}

TEST(ConfErrors, MissingFile) {
  Result<Value> r = ParseFile("/nonexistent/spate.conf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kIoError);
  EXPECT_NE(r.status().message().find("/nonexistent/spate.conf"), std::string::npos);
}

}  // namespace
}  // namespace spate::conf

#include "conf/conf_parser.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "conf/lexer.h"

namespace spate::conf {
namespace {

namespace fs = std::filesystem;

// State shared by a file's parser and the parsers it starts for includes and environment
// variables, so cycles through either are caught.
struct SharedState {
  ParseOptions options;
  std::vector<std::string> include_stack;  // normalised paths of the files being parsed
  std::vector<std::string> env_stack;      // environment variables being expanded
};

// Reads a whole file; on failure returns the errno text.
Result<std::string> ReadWholeFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Status::IoError(std::strerror(errno));
  std::string data;
  char buf[16 * 1024];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) data.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) return Status::IoError(std::strerror(err));
  return data;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string NormalPath(const fs::path& p) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal().string() : canonical.string();
}

// Multipliers for integer suffixes, as nats-server: a bare letter is a power of 1000 (1K =
// 1000), a letter followed by B, I or IB is a power of 1024 (1KB = 1Ki = 1KiB = 1024).
bool SizeMultiplier(std::string_view suffix, int64_t* out) {
  static constexpr std::string_view kLetters = "kmgtpe";
  if (suffix.empty()) {
    *out = 1;
    return true;
  }
  const size_t power = kLetters.find(suffix[0]) + 1;
  if (power == 0) return false;
  const std::string_view rest = suffix.substr(1);
  int64_t base;
  if (rest.empty()) {
    base = 1000;
  } else if (rest == "b" || rest == "i" || rest == "ib") {
    base = 1024;
  } else {
    return false;
  }
  int64_t m = 1;
  for (size_t i = 0; i < power; ++i) m *= base;  // at most 1024^6 = 2^60: no overflow
  *out = m;
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, std::string file, fs::path base_dir, SharedState* shared)
      : lexer_(text, std::move(file)), base_dir_(std::move(base_dir)), shared_(shared) {}

  // A whole file: entries at the top level, optionally wrapped in braces.
  Result<Value> ParseDocument() {
    Value root = Value::Map(lexer_.Here());
    scopes_.push_back(&root);
    Status s = ParseBody(&root, Body::kTopLevel, lexer_.Here());
    scopes_.pop_back();
    if (!s.ok()) return s;
    return root;
  }

  // The text of an environment variable, read as the value of a key (nats-server parses
  // it the same way, so FOO=22 gives an integer and FOO='22' a string).
  Result<Value> ParseLoneValue() {
    lexer_.SkipBlanks();
    if (lexer_.AtEnd()) return Value::String("", lexer_.Here());
    SPATE_ASSIGN_OR_RETURN(Value value, ParseValue());
    lexer_.SkipBlanks();
    if (lexer_.AtComment()) lexer_.SkipComment();
    lexer_.SkipSpace();
    if (!lexer_.AtEnd()) return lexer_.Error(lexer_.Here(), "unexpected text after the value");
    return value;
  }

 private:
  enum class Body : uint8_t { kTopLevel, kGroup, kMap };

  // Nesting deeper than this is refused rather than risking the stack on hostile input.
  static constexpr int kMaxDepth = 100;

  Status Enter(const Location& where) {
    if (++depth_ > kMaxDepth) {
      return lexer_.Error(
          where, "blocks and arrays nested more than " + std::to_string(kMaxDepth) + " deep");
    }
    return Status::Ok();
  }

  Status ParseBody(Value* map, Body body, const Location& open) {
    while (true) {
      lexer_.SkipSpace();
      if (lexer_.AtComment()) {
        lexer_.SkipComment();
        continue;
      }
      const char c = lexer_.Peek();
      if (c == '\0') {
        if (body == Body::kTopLevel) return Status::Ok();
        return lexer_.Error(open, "'{' is never closed");
      }
      if (c == ';' || c == ',') {  // an empty entry, e.g. "a: 1;;"
        lexer_.Next();
        continue;
      }
      if (c == '}') {
        if (body == Body::kTopLevel) return lexer_.Error(lexer_.Here(), "unexpected '}'");
        lexer_.Next();
        return Status::Ok();
      }
      if (c == '{') {
        // Braces around top-level entries group them (JSON-style files); in a map a key
        // must come first.
        if (body == Body::kMap) return lexer_.Error(lexer_.Here(), "expected a key, found '{'");
        const Location group = lexer_.Here();
        lexer_.Next();
        SPATE_RETURN_IF_ERROR(Enter(group));
        SPATE_RETURN_IF_ERROR(ParseBody(map, Body::kGroup, group));
        --depth_;
        continue;
      }
      if (c == ':' || c == '=') return lexer_.Error(lexer_.Here(), "unexpected key separator");
      if (c == '[' || c == ']') {
        return lexer_.Error(lexer_.Here(), std::string("expected a key, found '") + c + "'");
      }
      SPATE_RETURN_IF_ERROR(ParseEntry(map, body));
    }
  }

  Status ParseEntry(Value* map, Body body) {
    const Location key_at = lexer_.Here();
    bool quoted = false;
    SPATE_ASSIGN_OR_RETURN(std::string key, lexer_.ReadKey(&quoted));
    if (!quoted && Lower(key) == "include" && Lexer::IsSpace(lexer_.Peek())) {
      SPATE_RETURN_IF_ERROR(ParseInclude(map, key_at));
      return ExpectValueEnd("include");
    }
    // The separator (or the value when there is none) may follow on a later line, as in
    // nats-server. After a separator the value must be on the same line, except in a map.
    lexer_.SkipSpace();
    if (lexer_.Peek() == ':' || lexer_.Peek() == '=') {
      lexer_.Next();
      if (body == Body::kMap) {
        lexer_.SkipSpace();
      } else {
        lexer_.SkipBlanks();
      }
    }
    const char c = lexer_.Peek();
    if (c == '\0' || Lexer::IsNewline(c) || c == '}' || c == ']' || c == ',' || c == ';') {
      return lexer_.Error(key_at, "key \"" + key + "\" has no value");
    }
    SPATE_ASSIGN_OR_RETURN(Value value, ParseValue());
    map->Set(std::move(key), key_at, std::move(value));
    return ExpectValueEnd(map->entries().back().key);
  }

  // After a value: blanks, then a comment, a new line, ';', ',', '}' or the end.
  Status ExpectValueEnd(const std::string& key) {
    lexer_.SkipBlanks();
    if (lexer_.AtComment()) {
      lexer_.SkipComment();
      return Status::Ok();
    }
    const char c = lexer_.Peek();
    if (c == ';' || c == ',' || Lexer::IsNewline(c)) {
      lexer_.Next();
      return Status::Ok();
    }
    if (c == '\0' || c == '}') return Status::Ok();  // ParseBody decides whether '}' fits
    return lexer_.Error(lexer_.Here(), "expected a new line, ',' or ';' after the value of \"" +
                                           key + "\", found '" + std::string(1, c) + "'");
  }

  // `include file` merges the top-level keys of another file into the current block. The
  // included file has its own variable scope (only the environment is shared), as in
  // nats-server; its keys and values keep their own file and line.
  Status ParseInclude(Value* map, const Location& where) {
    SPATE_ASSIGN_OR_RETURN(std::string name, lexer_.ReadIncludePath());
    // nats-server joins every include to the including file's directory; we do too, but
    // honour absolute paths, which can never have worked there.
    fs::path path(name);
    if (path.is_relative()) path = base_dir_ / path;
    const std::string normal = NormalPath(path);
    const std::vector<std::string>& stack = shared_->include_stack;
    if (std::find(stack.begin(), stack.end(), normal) != stack.end()) {
      return lexer_.Error(where, "include cycle: \"" + name + "\" is already being parsed");
    }
    Result<std::string> text = ReadWholeFile(path.string());
    if (!text.ok()) {
      return lexer_.Error(where, "cannot read include file \"" + name + "\" (" + path.string() +
                                     "): " + text.status().message());
    }
    shared_->include_stack.push_back(normal);
    Parser child(*text, path.string(), path.parent_path(), shared_);
    Result<Value> included = child.ParseDocument();
    shared_->include_stack.pop_back();
    if (!included.ok()) return included.status();
    for (MapEntry& e : included->mutable_entries()) {
      map->Set(std::move(e.key), std::move(e.key_location), std::move(e.value));
    }
    return Status::Ok();
  }

  Result<Value> ParseValue() {
    const char c = lexer_.Peek();
    if (c == '[') return ParseArray();
    if (c == '{') return ParseMap();
    SPATE_ASSIGN_OR_RETURN(Token token, lexer_.ReadScalar());
    return Convert(std::move(token));
  }

  // Items are separated by ',' or new lines; a trailing ',' is allowed.
  Result<Value> ParseArray() {
    const Location open = lexer_.Here();
    lexer_.Next();
    SPATE_RETURN_IF_ERROR(Enter(open));
    Value array = Value::Array(open);
    while (true) {
      lexer_.SkipSpace();
      if (lexer_.AtComment()) {
        lexer_.SkipComment();
        continue;
      }
      char c = lexer_.Peek();
      if (c == '\0') return lexer_.Error(open, "'[' is never closed");
      if (c == ']') {
        lexer_.Next();
        --depth_;
        return array;
      }
      if (c == ',') return lexer_.Error(lexer_.Here(), "unexpected ',' in array");
      SPATE_ASSIGN_OR_RETURN(Value item, ParseValue());
      array.mutable_items().push_back(std::move(item));
      lexer_.SkipBlanks();
      if (lexer_.AtComment()) lexer_.SkipComment();
      c = lexer_.Peek();
      if (c == ',' || Lexer::IsNewline(c)) {
        lexer_.Next();
      } else if (c == ']') {
        lexer_.Next();
        --depth_;
        return array;
      } else if (c == '\0') {
        return lexer_.Error(open, "'[' is never closed");
      } else {
        return lexer_.Error(lexer_.Here(),
                            std::string("expected ',' or ']' in array, found '") + c + "'");
      }
    }
  }

  Result<Value> ParseMap() {
    const Location open = lexer_.Here();
    lexer_.Next();
    SPATE_RETURN_IF_ERROR(Enter(open));
    Value map = Value::Map(open);
    scopes_.push_back(&map);  // keys set so far are visible to $references inside
    Status s = ParseBody(&map, Body::kMap, open);
    scopes_.pop_back();
    if (!s.ok()) return s;
    --depth_;
    return map;
  }

  Result<Value> Convert(Token token) {
    switch (token.kind) {
      case Token::Kind::kString:
        return Value::String(std::move(token.text), std::move(token.where));
      case Token::Kind::kBool: {
        const std::string lower = Lower(token.text);
        const bool flag = lower == "true" || lower == "yes" || lower == "on";
        return Value::Bool(flag, std::move(token.text), std::move(token.where));
      }
      case Token::Kind::kFloat: {
        double d = 0;
        const char* end = token.text.data() + token.text.size();
        auto [ptr, ec] = std::from_chars(token.text.data(), end, d);
        if (ec != std::errc() || ptr != end) {
          return lexer_.Error(token.where, "float '" + token.text + "' is out of range");
        }
        return Value::Float(d, std::move(token.text), std::move(token.where));
      }
      case Token::Kind::kInteger:
        return ConvertInteger(std::move(token));
      case Token::Kind::kDatetime:
        return ConvertDatetime(std::move(token));
      case Token::Kind::kVariable:
        return ResolveVariable(token);
    }
    return lexer_.Error(token.where, "unexpected token");
  }

  Result<Value> ConvertInteger(Token token) {
    const std::string& text = token.text;
    size_t digits_end = text[0] == '-' ? 1 : 0;
    while (digits_end < text.size() && text[digits_end] >= '0' && text[digits_end] <= '9') {
      ++digits_end;
    }
    int64_t number = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + digits_end, number);
    if (ec == std::errc::result_out_of_range) {
      return lexer_.Error(token.where, "integer '" + text + "' is out of range");
    }
    if (ec != std::errc() || ptr != text.data() + digits_end) {
      return lexer_.Error(token.where, "expected an integer, found '" + text + "'");
    }
    int64_t multiplier = 1;
    if (!SizeMultiplier(Lower(std::string_view(text).substr(digits_end)), &multiplier)) {
      return lexer_.Error(token.where, "invalid size suffix in '" + text +
                                           "' (use K, M, G, T, P, E for powers of 1000 or "
                                           "KB/Ki/KiB... for powers of 1024)");
    }
    int64_t result = 0;
    if (__builtin_mul_overflow(number, multiplier, &result)) {
      return lexer_.Error(token.where, "size '" + text + "' is out of range");
    }
    return Value::Integer(result, std::move(token.text), std::move(token.where));
  }

  Result<Value> ConvertDatetime(Token token) {
    using namespace std::chrono;
    const std::string& t = token.text;  // shape checked by the lexer: YYYY-MM-DDTHH:MM:SSZ
    auto num = [&](size_t at, size_t len) { return std::atoi(t.substr(at, len).c_str()); };
    const year_month_day date{year{num(0, 4)}, month{static_cast<unsigned>(num(5, 2))},
                              day{static_cast<unsigned>(num(8, 2))}};
    const int hh = num(11, 2), mm = num(14, 2), ss = num(17, 2);
    if (!date.ok() || hh > 23 || mm > 59 || ss > 59) {
      return lexer_.Error(token.where, "invalid date '" + t + "'");
    }
    const int64_t seconds =
        duration_cast<std::chrono::seconds>(sys_days{date}.time_since_epoch()).count() + hh * 3600 +
        mm * 60 + ss;
    return Value::Datetime(std::move(token.text), seconds, std::move(token.where));
  }

  // `$name` resolves to a key set earlier in an enclosing block (innermost first), else to
  // the environment variable, whose text is parsed as a value and may refer further.
  Result<Value> ResolveVariable(const Token& token) {
    const std::string& name = token.text;
    // An unquoted bcrypt hash ($2a$11$...) looks like a variable; nats-server keeps it as text.
    if (name.rfind("2a$", 0) == 0 || name.rfind("2b$", 0) == 0 || name.rfind("2y$", 0) == 0) {
      return Value::String("$" + name, token.where);
    }
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      if (Value* found = (*it)->FindMutable(name)) {
        Value copy = *found;
        copy.set_used_as_variable(false);
        copy.set_location(token.where);
        found->mark_used_as_variable();
        return copy;
      }
    }
    std::vector<std::string>& env_stack = shared_->env_stack;
    if (std::find(env_stack.begin(), env_stack.end(), name) != env_stack.end()) {
      return lexer_.Error(token.where, "variable reference cycle for '$" + name + "'");
    }
    std::optional<std::string> env;
    if (shared_->options.lookup_env) {
      env = shared_->options.lookup_env(name);
    } else if (const char* raw = std::getenv(name.c_str())) {
      env = std::string(raw);
    }
    if (!env) {
      return lexer_.Error(token.where, "variable '$" + name +
                                           "' is not defined in an enclosing block or the "
                                           "environment");
    }
    env_stack.push_back(name);
    Parser child(*env, "environment variable $" + name, base_dir_, shared_);
    Result<Value> value = child.ParseLoneValue();
    env_stack.pop_back();
    if (!value.ok()) {
      // A cycle error already names the variable and place; keep it as is.
      if (value.status().message().find("variable reference cycle") != std::string::npos) {
        return lexer_.Error(
            token.where, "variable reference cycle for '$" + name + "' (through the environment)");
      }
      return lexer_.Error(token.where, "cannot use environment variable $" + name + ": " +
                                           value.status().message());
    }
    Value v = std::move(value).value();
    v.set_location(token.where);
    return v;
  }

  Lexer lexer_;
  fs::path base_dir_;
  SharedState* shared_;
  std::vector<Value*> scopes_;  // maps being built, outermost first
  int depth_ = 0;               // open blocks and arrays
};

}  // namespace

Result<Value> ParseFile(const std::string& path, const ParseOptions& options) {
  Result<std::string> text = ReadWholeFile(path);
  if (!text.ok()) {
    return Status::IoError("cannot read config file \"" + path + "\": " + text.status().message());
  }
  SharedState shared{options, {NormalPath(path)}, {}};
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  Parser parser(*text, path, dir, &shared);
  return parser.ParseDocument();
}

Result<Value> ParseString(std::string_view text, std::string source_name,
                          const ParseOptions& options) {
  SharedState shared{options, {}, {}};
  Parser parser(text, std::move(source_name), fs::path("."), &shared);
  return parser.ParseDocument();
}

}  // namespace spate::conf

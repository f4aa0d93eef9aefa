#include "conf/lexer.h"

#include <cctype>
#include <utility>

namespace spate::conf {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Where an unquoted value (or number) stops. nats-server ends numbers at the same characters
// except ']' (so `[1, 2]` fails there); we accept it, which breaks no config that works there.
bool EndsBareValue(char c) {
  return c == '\0' || Lexer::IsBlank(c) || Lexer::IsNewline(c) || c == ';' || c == ',' ||
         c == ']' || c == '}';
}

// Size suffixes recognised after digits, as nats-server: k, m, g, t, p, e in either case,
// optionally followed by b/i letters (KB, Ki, KiB...). The parser checks the combination.
bool IsSizeLetter(char c) {
  switch (c) {
    case 'k':
    case 'K':
    case 'm':
    case 'M':
    case 'g':
    case 'G':
    case 't':
    case 'T':
    case 'p':
    case 'P':
    case 'e':
    case 'E':
      return true;
    default:
      return false;
  }
}

std::string Printable(char c) {
  if (c == '\0') return "end of file";
  if (c == '\n' || c == '\r') return "end of line";
  return std::string("'") + c + "'";
}

}  // namespace

Lexer::Lexer(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {}

char Lexer::Next() {
  if (AtEnd()) return '\0';
  const char c = text_[pos_++];
  if (c == '\n') {
    ++line_;
    column_ = 1;
  } else {
    ++column_;
  }
  return c;
}

void Lexer::Advance(size_t count) {
  for (size_t i = 0; i < count; ++i) Next();
}

void Lexer::SkipBlanks() {
  while (IsBlank(Peek())) Next();
}

void Lexer::SkipSpace() {
  while (!AtEnd() && IsSpace(Peek())) Next();
}

void Lexer::SkipComment() {
  while (!AtEnd() && !IsNewline(Peek())) Next();
}

Status Lexer::Error(const Location& where, std::string_view message) const {
  return Status::InvalidArgument(where.ToString() + ": " + std::string(message));
}

Result<std::string> Lexer::ReadKey(bool* quoted) {
  const Location start = Here();
  const char open = Peek();
  *quoted = open == '"' || open == '\'';
  if (*quoted) {
    Next();
    std::string key;
    while (!AtEnd() && Peek() != open) key.push_back(Next());
    if (AtEnd()) return Error(start, "unterminated quoted key");
    Next();
    return key;
  }
  std::string key;
  while (!AtEnd()) {
    const char c = Peek();
    if (IsSpace(c) || c == ':' || c == '=' || c == '{' || c == '}') break;
    key.push_back(Next());
  }
  if (key.empty()) return Error(start, "expected a key, found " + Printable(Peek()));
  return key;
}

Result<std::string> Lexer::ReadIncludePath() {
  SkipBlanks();
  const Location start = Here();
  const char c = Peek();
  if (c == '\0' || IsNewline(c)) return Error(start, "include needs a file name");
  if (c == '"' || c == '\'') {
    Next();
    std::string path;
    while (!AtEnd() && Peek() != c) path.push_back(Next());
    if (AtEnd()) return Error(start, "unterminated include file name");
    Next();
    return path;
  }
  if (c == '[' || c == '{' || c == '(' || c == '-' || IsDigit(c) || c == '\\') {
    return Error(start, "include needs a file name, found " + Printable(c));
  }
  std::string path;
  while (!AtEnd() && !IsSpace(Peek()) && Peek() != ';' && Peek() != '}') {
    path.push_back(Next());
  }
  return path;
}

Result<Token> Lexer::ReadScalar() {
  const char c = Peek();
  if (c == '"') return ReadDoubleQuoted();
  if (c == '\'') return ReadSingleQuoted();
  if (c == '(') return ReadBlock();
  if (c == '-' || IsDigit(c)) return ReadNumberLike();
  if (c == '.') return Error(Here(), "floats must start with a digit");
  if (c == '\0' || IsNewline(c)) return Error(Here(), "expected a value, found " + Printable(c));
  return ReadBare(Here());
}

Status Lexer::ReadEscape(const Location& string_start, std::string* out) {
  const Location at = Here();
  const char c = Next();
  switch (c) {
    case 't':
      out->push_back('\t');
      return Status::Ok();
    case 'n':
      out->push_back('\n');
      return Status::Ok();
    case 'r':
      out->push_back('\r');
      return Status::Ok();
    case '"':
      out->push_back('"');
      return Status::Ok();
    case '\\':
      out->push_back('\\');
      return Status::Ok();
    case 'x': {
      const int high = HexDigit(Peek());
      const int low = HexDigit(Peek(1));
      if (high < 0 || low < 0) {
        return Error(at, "expected two hexadecimal digits after '\\x'");
      }
      Advance(2);
      out->push_back(static_cast<char>(high * 16 + low));
      return Status::Ok();
    }
    case '\0':
      return Error(string_start, "unterminated string");
    default:
      return Error(at, "invalid escape " + Printable(c) +
                           "; only \\xXX, \\t, \\n, \\r, \\\" and \\\\ are allowed");
  }
}

Result<Token> Lexer::ReadDoubleQuoted() {
  Token token{Token::Kind::kString, {}, Here()};
  Next();
  while (true) {
    if (AtEnd()) return Error(token.where, "unterminated string");
    const char c = Next();
    if (c == '"') break;
    if (c == '\\') {
      SPATE_RETURN_IF_ERROR(ReadEscape(token.where, &token.text));
    } else {
      token.text.push_back(c);
    }
  }
  return token;
}

Result<Token> Lexer::ReadSingleQuoted() {
  Token token{Token::Kind::kString, {}, Here()};
  Next();
  while (true) {
    if (AtEnd()) return Error(token.where, "unterminated string");
    const char c = Next();
    if (c == '\'') break;
    token.text.push_back(c);  // single quotes are raw: no escapes
  }
  return token;
}

// '(' starts a raw multi-line string that ends at a ')' alone on its line.
Result<Token> Lexer::ReadBlock() {
  Token token{Token::Kind::kString, {}, Here()};
  Next();
  while (true) {
    if (AtEnd())
      return Error(token.where, "unterminated block string, expected ')' on a line by itself");
    const char c = Next();
    if (c == ')' && !token.text.empty() && token.text.back() == '\n' &&
        (AtEnd() || IsNewline(Peek()))) {
      break;
    }
    token.text.push_back(c);
  }
  return token;
}

Result<Token> Lexer::ReadNumberLike() {
  const Location start = Here();
  const size_t begin = pos_;
  size_t p = pos_;
  auto at = [&](size_t i) { return i < text_.size() ? text_[i] : '\0'; };
  const bool negative = at(p) == '-';
  if (negative) {
    ++p;
    if (!IsDigit(at(p))) {
      return Error(start, "expected a digit after '-', found " + Printable(at(p)));
    }
  }
  while (IsDigit(at(p))) ++p;
  const char c = at(p);

  if (c == '-' && !negative) {
    // Only a full ISO 8601 Zulu datetime may continue with '-': YYYY-MM-DDTHH:MM:SSZ.
    static constexpr std::string_view kShape = "0000-00-00T00:00:00Z";
    if (p - begin != 4) return Error(start, "dates must be in full ISO 8601 Zulu form");
    for (size_t i = 0; i < kShape.size(); ++i) {
      const char have = at(begin + i);
      const bool ok = kShape[i] == '0' ? IsDigit(have) : have == kShape[i];
      if (!ok)
        return Error(start, "dates must be in full ISO 8601 Zulu form, e.g. 2016-05-04T18:53:41Z");
    }
    Token token{Token::Kind::kDatetime, std::string(text_.substr(begin, kShape.size())), start};
    Advance(kShape.size());
    return token;
  }
  if (c == '.') {
    ++p;
    if (!IsDigit(at(p))) return Error(start, "floats need a digit after the '.'");
    while (IsDigit(at(p))) ++p;
    if (at(p) == '.') {
      // A second dot: an address such as 127.0.0.1 or 127.0.0.1:4222, kept as a string.
      while (IsDigit(at(p)) || at(p) == '.' || at(p) == ':' || at(p) == '-') ++p;
      Token token{Token::Kind::kString, std::string(text_.substr(begin, p - begin)), start};
      Advance(p - begin);
      return token;
    }
    Token token{Token::Kind::kFloat, std::string(text_.substr(begin, p - begin)), start};
    Advance(p - begin);
    return token;
  }
  if (IsSizeLetter(c)) {
    size_t q = p + 1;
    while (at(q) == 'b' || at(q) == 'B' || at(q) == 'i' || at(q) == 'I') ++q;
    if (EndsBareValue(at(q))) {
      Token token{Token::Kind::kInteger, std::string(text_.substr(begin, q - begin)), start};
      Advance(q - begin);
      return token;
    }
    return ReadBare(start);  // e.g. 3Gyz: a string that happens to start with digits
  }
  if (EndsBareValue(c)) {
    Token token{Token::Kind::kInteger, std::string(text_.substr(begin, p - begin)), start};
    Advance(p - begin);
    return token;
  }
  // Digits followed by anything else (10s, 1h30m, 3secret) make an unquoted string.
  return ReadBare(start);
}

Result<Token> Lexer::ReadBare(const Location& start) {
  Token token{Token::Kind::kString, {}, start};
  bool escaped = false;
  while (!EndsBareValue(Peek())) {
    const char c = Next();
    if (c == '\\') {
      escaped = true;
      SPATE_RETURN_IF_ERROR(ReadEscape(start, &token.text));
    } else {
      token.text.push_back(c);
    }
  }
  if (escaped) return token;
  std::string lower = token.text;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == "true" || lower == "false" || lower == "yes" || lower == "no" || lower == "on" ||
      lower == "off") {
    token.kind = Token::Kind::kBool;
  } else if (!token.text.empty() && token.text[0] == '$') {
    token.kind = Token::Kind::kVariable;
    token.text.erase(0, 1);
  }
  return token;
}

}  // namespace spate::conf

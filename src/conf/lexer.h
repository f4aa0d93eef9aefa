#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "conf/location.h"

namespace spate::conf {

// A scalar as written in the file, before the parser gives it a type and resolves variables.
struct Token {
  enum class Kind : uint8_t { kString, kInteger, kFloat, kBool, kDatetime, kVariable };
  Kind kind = Kind::kString;
  std::string text;  // unescaped for strings; the literal for numbers; the name for variables
  Location where;
};

// Character-level reader for the NATS config format. The format is context dependent (a key
// ends at whitespace or a separator, a bare value at whitespace, ',', ';', ']' or '}'), so
// the parser drives it and asks for the item it expects next, much like the state stack of
// nats-server's lexer. Tracks line and column for every item.
// Not thread-safe; one per file being parsed.
class Lexer {
 public:
  Lexer(std::string_view text, std::string file);

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  char Next();
  Location Here() const { return Location{file_, line_, column_}; }
  const std::string& file() const { return file_; }

  static bool IsBlank(char c) { return c == ' ' || c == '\t'; }
  static bool IsNewline(char c) { return c == '\n' || c == '\r'; }
  static bool IsSpace(char c) { return IsBlank(c) || IsNewline(c) || c == '\v' || c == '\f'; }

  void SkipBlanks();
  void SkipSpace();  // blanks and newlines
  bool AtComment() const { return Peek() == '#' || (Peek() == '/' && Peek(1) == '/'); }
  void SkipComment();  // up to, not including, the end of the line

  // A key: "quoted", 'quoted' (both raw), or bare up to whitespace, ':', '=', '{' or '}'.
  // `quoted` tells the caller whether `include` could be the keyword.
  Result<std::string> ReadKey(bool* quoted);
  // The operand of `include`: 'path', "path" or a bare path.
  Result<std::string> ReadIncludePath();
  // Any scalar value: quoted strings, the '(' ... ')' block string, numbers, sizes, floats,
  // dates, IP-like strings, booleans, $variables and bare strings.
  Result<Token> ReadScalar();

  Status Error(const Location& where, std::string_view message) const;

 private:
  Result<Token> ReadDoubleQuoted();
  Result<Token> ReadSingleQuoted();
  Result<Token> ReadBlock();
  Result<Token> ReadNumberLike();
  Result<Token> ReadBare(const Location& start);
  // Appends the character an escape stands for; the backslash is already consumed.
  Status ReadEscape(const Location& string_start, std::string* out);
  void Advance(size_t count);  // Next() `count` times

  std::string_view text_;
  std::string file_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace spate::conf

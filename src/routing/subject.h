#pragma once

#include <cstddef>
#include <string_view>

// Subject rules of the NATS protocol. Tokens are separated by '.', '*' matches one token and
// '>' matches one or more trailing tokens. A token is a wildcard only when it is exactly "*" or
// ">": "foo*" and "a>b" are ordinary literal tokens, in nats-server as here.
//
// The rules below are the ones nats-server applies (checked against nats-server's sublist.go and
// client.go at 2.9.10, 2.10.0 and current main, and observed on nats-server 2.9.10). Facts worth
// knowing before using them on the wire path:
// - SUB: nats-server ignores the client's `pedantic` flag. Every SUB subject gets the same check,
//   IsValidSubject(subject, /*pedantic=*/false); a failure is answered with
//   -ERR 'Invalid Subject' and the connection stays open.
// - A CONNECT that omits "pedantic" makes the client pedantic (nats-server's defaults are
//   pedantic=true and verbose=true); only an explicit "pedantic":false turns it off.
// - PUB/HPUB: only a pedantic client's subject is checked (IsValidPublishSubject). On failure
//   nats-server sends -ERR 'Invalid Publish Subject' and *still routes the message* and keeps
//   the connection. A non-pedantic client may publish to "foo.*" or "foo..bar"; wildcard tokens
//   in a published subject are matched literally (a PUB to "foo.*" reaches SUB "foo.*", "foo.>"
//   and "*.*", never SUB "foo.bar"), and a subject with an empty token reaches nobody.
// - Reply subjects are not validated by nats-server at all.
// - Queue names: no structural rules (see IsValidQueueName); "_sys_" is refused for client
//   connections as a permissions violation, not as a syntax error.
namespace spate::routing {

inline constexpr size_t kMaxTokens = 32;  // beyond this, matching falls back to the heap
inline constexpr char kTokenSeparator = '.';
inline constexpr std::string_view kSingleWildcard = "*";
inline constexpr std::string_view kFullWildcard = ">";
// nats-server rejects a client SUB with this queue name as
// -ERR 'Permissions Violation for Subscription to "<subject>" using queue "_sys_"'.
inline constexpr std::string_view kSystemQueueName = "_sys_";

// A subject that may hold wildcards.
// pedantic=false is exactly what nats-server accepts in SUB (its sublist insert check), for
// pedantic and non-pedantic clients alike:
//   - not empty, and no empty token (no leading, trailing or doubled '.');
//   - ">" as a whole token only as the last token;
//   - any other byte may appear in a token, including '*' and '>' inside longer tokens, control
//     characters, NUL and non-UTF-8. (Space, tab, CR and LF cannot reach it from the wire: the
//     argument splitter cuts there.)
// pedantic=true adds nats-server's IsValidSubject whitespace rule: no token contains ' ', '\t',
// '\n', '\r' or '\f'. nats-server uses that stricter form for subjects that arrive inside
// JSON or config (stream subjects, deliver subjects, mappings), not for SUB: pass false on the
// SUB path to match nats-server byte for byte.
bool IsValidSubject(std::string_view subject, bool pedantic = false);

// A valid subject without wildcards, as nats-server's IsValidLiteralSubject: not empty, no empty
// token, no token that is exactly "*" or ">". Whitespace is not checked.
bool IsValidLiteralSubject(std::string_view subject);

// Whether nats-server would accept the subject of a PUB/HPUB without -ERR 'Invalid Publish
// Subject'. pedantic=false: any non-empty subject (nats-server does not check it).
// pedantic=true: IsValidLiteralSubject(subject). See the note at the top about what nats-server
// does when this fails.
bool IsValidPublishSubject(std::string_view subject, bool pedantic);

// A queue group name as nats-server accepts it in SUB, pedantic or not: not empty and free of
// the bytes the argument splitter cuts at (' ', '\t', '\r', '\n'). Nothing else is checked;
// '.', '*' and '>' are ordinary bytes in a queue name ("q.*" is just a name). kSystemQueueName
// is syntactically valid; refusing it is a permissions decision for the session.
bool IsValidQueueName(std::string_view queue);

// True if no token is exactly "*" or ">". Does not check validity (nats-server's subjectIsLiteral).
bool SubjectIsLiteral(std::string_view subject);

// True if `subject` is matched by `filter`, with nats-server's subset semantics when the subject
// itself holds wildcards: "foo.*" is matched by "foo.*", "*.*", "foo.>" and ">", but not by
// "foo.bar"; "foo.>" is matched by "foo.>" and ">" but not by "foo.*". Token counts must agree
// unless the filter ends in ">". Expects valid subjects; as in nats-server, an empty token in
// the filter never matches, and one in the subject fails unless a ">" covers it first.
bool SubjectMatchesFilter(std::string_view subject, std::string_view filter);

// True if some literal subject matches both filters (stream subject overlap checks). Equal
// strings always collide. Expects valid subjects. One deliberate difference from nats-server:
// it treats any token whose first byte is '*' or '>' as a wildcard when both sides hold
// wildcards (so it says "a.*x.*" collides with "a.b.*"); here only whole-token wildcards count.
bool SubjectsCollide(std::string_view a, std::string_view b);

}  // namespace spate::routing

#pragma once

#include <string_view>

// Validity of subject mappings (stream subject_transform, republish, source transforms) as
// nats-server 2.10 judges them when it builds a transform. Only validity: applying a mapping to
// a subject belongs to the stream engine.
//
// A destination token is a literal, "$N", or a function in double braces: wildcard(i),
// partition(n,i...), split(i,delim), splitfromleft(i,n), splitfromright(i,n),
// slicefromleft(i,n), slicefromright(i,n), left(i,n), right(i,n) (first letters of each word in
// either case, spaces allowed around names and inside the braces). i refers to the i-th "*" of
// the source, counting from 1.
namespace spate::jetstream {

// nats-server's ValidateMappingDestination: no empty token, nothing after ">", function tokens
// must name a known function, no whitespace in literal tokens. Empty is valid.
bool IsValidMappingDestination(std::string_view destination);

// nats-server's NewSubjectTransform succeeding: an empty destination is valid (no transform);
// an empty source means ">"; both must be valid subjects, the destination has no "*", both or
// neither end in ">", and every wildcard index used in the destination is at most the number
// of "*" tokens in the source (with none allowed when the source has no "*").
bool IsValidTransform(std::string_view source, std::string_view destination);

}  // namespace spate::jetstream

#pragma once

// Produced by the official Go implementations (github.com/nats-io/nkeys 0.3.0,
// github.com/nats-io/jwt/v2 v2.3.0, golang.org/x/crypto/bcrypt) from fixed raw seeds: each seed
// is 32 consecutive byte values starting at the noted one. Matching them proves interop.

#include <string_view>

namespace spate::auth::go {

// Raw seed 0x01..0x20.
inline constexpr std::string_view kUserSeed =
    "SUAACAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUPB6IC5CQ";
inline constexpr std::string_view kUserPublic =
    "UB43KVROR7TFJ6KAPCYRF2FJROTZAH4FHLTJLPWX4DRZCC5NASLGJBFE";
// Raw seed 0x21..0x40.
inline constexpr std::string_view kAccountSeed =
    "SAACCIRDEQSSMJZIFEVCWLBNFYXTAMJSGM2DKNRXHA4TUOZ4HU7D6QEKY4";
inline constexpr std::string_view kAccountPublic =
    "ADT7CYVBBPWFLGX6UGK6JXHIJNUVNDK5FSYJMPVUI3AGQXRLC7ZPAOJZ";
// Raw seed 0x61..0x80: a signing key of the account above.
inline constexpr std::string_view kAccountSigningSeed =
    "SAAGCYTDMRSWMZ3INFVGW3DNNZXXA4LSON2HK5TXPB4XU634PV7H7AGC7E";
inline constexpr std::string_view kAccountSigningPublic =
    "ACEC2DVDWKDE46SYP47GTDHKIRMZTAYS4ZK6AX5F5C2RDHMLVLEM2NKU";
// Raw seed 0x41..0x60.
inline constexpr std::string_view kOperatorSeed =
    "SOAECQSDIRCUMR2IJFFEWTCNJZHVAUKSKNKFKVSXLBMVUW24LVPF6YBCAU";
inline constexpr std::string_view kOperatorPublic =
    "OCW4CQAR7AWRYVWZK2VE7HLT3CCYGYNGAYCIKJPA2CGGHDOHLXMMO74Y";
// Raw seed 0x81..0xa0.
inline constexpr std::string_view kServerSeed =
    "SNAIDAUDQSCYNB4IRGFIXDENR2HZBEMSSOKJLFUXTCMZVG44TWPJ7ICAIA";
inline constexpr std::string_view kServerPublic =
    "NABAXVBHIRVXENBE3AGSZLJVFOR56NSJ2DXY7KXAZJ7LEVCDSQNSSGJK";

// kUserSeed's ed25519 signature of kNonce.
inline constexpr std::string_view kNonce = "PXoWU7zWAMt75FY";
inline constexpr std::string_view kNonceSignatureHex =
    "464c947e18f4859578486a2c038c3c6768d08c07590802c127384d7617d6eb9f355871bbb5daac1baa4696be4c013a"
    "ff62c9e7c893a3a6bf68d92dc84fa89404";
inline constexpr std::string_view kNonceSignatureBase64Url =
    "RkyUfhj0hZV4SGosA4w8Z2jQjAdZCALBJzhNdhfW6581WHG7tdqsG6pGlr5MATr_YsnnyJOjpr9o2S3IT6iUBA";

// jwt.NewOperatorClaims(kOperatorPublic): name "O", system_account kAccountPublic,
// account_server_url, signing key kOperatorPublic; self-signed; iat 1795782178.
inline constexpr std::string_view kOperatorJwt =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ."
    "eyJqdGkiOiJVUzJHSURVNFFOSkFHRUZZWE9IQ0syVlhaV1RFNkpMSjdWTkVOQlZZMllKWkI1WTNVR0tBIiwiaWF0IjoxNz"
    "k1NzgyMTc4LCJpc3MiOiJPQ1c0Q1FBUjdBV1JZVldaSzJWRTdITFQzQ0NZR1lOR0FZQ0lLSlBBMkNHR0hET0hMWE1NTzc0"
    "WSIsIm5hbWUiOiJPIiwic3ViIjoiT0NXNENRQVI3QVdSWVZXWksyVkU3SExUM0NDWUdZTkdBWUNJS0pQQTJDR0dIRE9ITF"
    "hNTU83NFkiLCJuYXRzIjp7InNpZ25pbmdfa2V5cyI6WyJPQ1c0Q1FBUjdBV1JZVldaSzJWRTdITFQzQ0NZR1lOR0FZQ0lL"
    "SlBBMkNHR0hET0hMWE1NTzc0WSJdLCJhY2NvdW50X3NlcnZlcl91cmwiOiJodHRwOi8vbG9jYWxob3N0OjkwOTAvand0L3"
    "YxIiwic3lzdGVtX2FjY291bnQiOiJBRFQ3Q1lWQkJQV0ZMR1g2VUdLNkpYSElKTlVWTkRLNUZTWUpNUFZVSTNBR1FYUkxD"
    "N1pQQU9KWiIsInR5cGUiOiJvcGVyYXRvciIsInZlcnNpb24iOjJ9fQ.O3z_SMBu8J_"
    "GZyBwxBMJZpjJa1aSSH3KAE1D53ZnGR2WFx828kSSAoW72KVUsL_SIIva5jdfM9nWl6Mp8Z4SCg";
// jwt.NewAccountClaims(kAccountPublic) signed by the operator: name "A", exp 2030-01-01,
// conn 10, disk_storage 1 MiB, streams 5, signing key kAccountSigningPublic, a service export
// "help.>" (response type Stream), a stream export "feed.*" with token_req, a stream import
// "other.>" from kAccountSigningPublic's account id, kUserPublic revoked at iat.
inline constexpr std::string_view kAccountJwt =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ."
    "eyJleHAiOjE4OTM0NTYwMDAsImp0aSI6IlpHQUkzN0pXQUhTVUNENEdaQ1BVWTNJU0RPVTNLNFFBSVRXSElaT1NNWlBBVF"
    "RMNFpQU0EiLCJpYXQiOjE3OTU3ODIxNzgsImlzcyI6Ik9DVzRDUUFSN0FXUllWV1pLMlZFN0hMVDNDQ1lHWU5HQVlDSUtK"
    "UEEyQ0dHSERPSExYTU1PNzRZIiwibmFtZSI6IkEiLCJzdWIiOiJBRFQ3Q1lWQkJQV0ZMR1g2VUdLNkpYSElKTlVWTkRLNU"
    "ZTWUpNUFZVSTNBR1FYUkxDN1pQQU9KWiIsIm5hdHMiOnsiaW1wb3J0cyI6W3sibmFtZSI6Im90aGVyIiwic3ViamVjdCI6"
    "Im90aGVyLlx1MDAzZSIsImFjY291bnQiOiJBQ0VDMkRWRFdLREU0NlNZUDQ3R1RESEtJUk1aVEFZUzRaSzZBWDVGNUMyUk"
    "RITUxWTEVNMk5LVSIsInR5cGUiOiJzdHJlYW0ifV0sImV4cG9ydHMiOlt7Im5hbWUiOiJmZWVkIiwic3ViamVjdCI6ImZl"
    "ZWQuKiIsInR5cGUiOiJzdHJlYW0iLCJ0b2tlbl9yZXEiOnRydWV9LHsibmFtZSI6ImhlbHAiLCJzdWJqZWN0IjoiaGVscC"
    "5cdTAwM2UiLCJ0eXBlIjoic2VydmljZSIsInJlc3BvbnNlX3R5cGUiOiJTdHJlYW0ifV0sImxpbWl0cyI6eyJzdWJzIjot"
    "MSwiZGF0YSI6LTEsInBheWxvYWQiOi0xLCJpbXBvcnRzIjotMSwiZXhwb3J0cyI6LTEsIndpbGRjYXJkcyI6dHJ1ZSwiY2"
    "9ubiI6MTAsImxlYWYiOi0xLCJkaXNrX3N0b3JhZ2UiOjEwNDg1NzYsInN0cmVhbXMiOjV9LCJzaWduaW5nX2tleXMiOlsi"
    "QUNFQzJEVkRXS0RFNDZTWVA0N0dUREhLSVJNWlRBWVM0Wks2QVg1RjVDMlJESE1MVkxFTTJOS1UiXSwicmV2b2NhdGlvbn"
    "MiOnsiVUI0M0tWUk9SN1RGSjZLQVBDWVJGMkZKUk9UWkFINEZITFRKTFBXWDREUlpDQzVOQVNMR0pCRkUiOjE3OTU3ODIx"
    "Nzh9LCJkZWZhdWx0X3Blcm1pc3Npb25zIjp7InB1YiI6e30sInN1YiI6e319LCJ0eXBlIjoiYWNjb3VudCIsInZlcnNpb2"
    "4iOjJ9fQ.HyXrTivXnnaE_Xs-pzgvNN51Dh-HbiXdpnO3v7sJSZ3DZMeoE1gu5HQGkf08pBhBvhOBq-"
    "VOZZi3rZOtXXhtAw";
// jwt.NewUserClaims(kUserPublic) signed by kAccountSigningSeed with issuer_account set: name
// "U", pub allow orders.> and _INBOX.>, pub deny orders.secret, sub allow _INBOX.>, resp
// {max 1, ttl 1s}, src 127.0.0.1/32, times 08:00:00-17:00:00 UTC, subs 100, payload 4096,
// allowed_connection_types STANDARD and WEBSOCKET.
inline constexpr std::string_view kUserJwt =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ."
    "eyJqdGkiOiJEV0VRSlNQSzNYTlhUVVZISE5XT1JENEVINVBDTjdUNkE1VFlBWEJPNDVFVlk3SUVRR1dBIiwiaWF0IjoxNz"
    "k1NzgyMTc4LCJpc3MiOiJBQ0VDMkRWRFdLREU0NlNZUDQ3R1RESEtJUk1aVEFZUzRaSzZBWDVGNUMyUkRITUxWTEVNMk5L"
    "VSIsIm5hbWUiOiJVIiwic3ViIjoiVUI0M0tWUk9SN1RGSjZLQVBDWVJGMkZKUk9UWkFINEZITFRKTFBXWDREUlpDQzVOQV"
    "NMR0pCRkUiLCJuYXRzIjp7InB1YiI6eyJhbGxvdyI6WyJvcmRlcnMuXHUwMDNlIiwiX0lOQk9YLlx1MDAzZSJdLCJkZW55"
    "IjpbIm9yZGVycy5zZWNyZXQiXX0sInN1YiI6eyJhbGxvdyI6WyJfSU5CT1guXHUwMDNlIl19LCJyZXNwIjp7Im1heCI6MS"
    "widHRsIjoxMDAwMDAwMDAwfSwic3JjIjpbIjEyNy4wLjAuMS8zMiJdLCJ0aW1lcyI6W3sic3RhcnQiOiIwODowMDowMCIs"
    "ImVuZCI6IjE3OjAwOjAwIn1dLCJ0aW1lc19sb2NhdGlvbiI6IlVUQyIsInN1YnMiOjEwMCwiZGF0YSI6LTEsInBheWxvYW"
    "QiOjQwOTYsImFsbG93ZWRfY29ubmVjdGlvbl90eXBlcyI6WyJTVEFOREFSRCIsIldFQlNPQ0tFVCJdLCJpc3N1ZXJfYWNj"
    "b3VudCI6IkFEVDdDWVZCQlBXRkxHWDZVR0s2SlhISUpOVVZOREs1RlNZSk1QVlVJM0FHUVhSTEM3WlBBT0paIiwidHlwZS"
    "I6InVzZXIiLCJ2ZXJzaW9uIjoyfX0.p6HBxelUAGAtgGW3fi0TyG9otw9k-mY9rG5BmYp-"
    "FtDFbKgU11ezXmsvGXqTmwHm4r5xoA8ymV_CMHrw0PLbCw";

// bcrypt.GenerateFromPassword("s3cr3t!", 4).
inline constexpr std::string_view kBcryptPassword = "s3cr3t!";
inline constexpr std::string_view kBcryptHash =
    "$2a$04$Yb6ZNP9ruYsbiykntCb1iuWp6NBXZbm681mt85EiBXEiyhDRVY8RK";

// jwt.FormatUserConfig(kUserJwt, kUserSeed): the .creds file nsc writes.
inline constexpr std::string_view kUserCreds = R"(-----BEGIN NATS USER JWT-----
eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJqdGkiOiJEV0VRSlNQSzNYTlhUVVZISE5XT1JENEVINVBDTjdUNkE1VFlBWEJPNDVFVlk3SUVRR1dBIiwiaWF0IjoxNzk1NzgyMTc4LCJpc3MiOiJBQ0VDMkRWRFdLREU0NlNZUDQ3R1RESEtJUk1aVEFZUzRaSzZBWDVGNUMyUkRITUxWTEVNMk5LVSIsIm5hbWUiOiJVIiwic3ViIjoiVUI0M0tWUk9SN1RGSjZLQVBDWVJGMkZKUk9UWkFINEZITFRKTFBXWDREUlpDQzVOQVNMR0pCRkUiLCJuYXRzIjp7InB1YiI6eyJhbGxvdyI6WyJvcmRlcnMuXHUwMDNlIiwiX0lOQk9YLlx1MDAzZSJdLCJkZW55IjpbIm9yZGVycy5zZWNyZXQiXX0sInN1YiI6eyJhbGxvdyI6WyJfSU5CT1guXHUwMDNlIl19LCJyZXNwIjp7Im1heCI6MSwidHRsIjoxMDAwMDAwMDAwfSwic3JjIjpbIjEyNy4wLjAuMS8zMiJdLCJ0aW1lcyI6W3sic3RhcnQiOiIwODowMDowMCIsImVuZCI6IjE3OjAwOjAwIn1dLCJ0aW1lc19sb2NhdGlvbiI6IlVUQyIsInN1YnMiOjEwMCwiZGF0YSI6LTEsInBheWxvYWQiOjQwOTYsImFsbG93ZWRfY29ubmVjdGlvbl90eXBlcyI6WyJTVEFOREFSRCIsIldFQlNPQ0tFVCJdLCJpc3N1ZXJfYWNjb3VudCI6IkFEVDdDWVZCQlBXRkxHWDZVR0s2SlhISUpOVVZOREs1RlNZSk1QVlVJM0FHUVhSTEM3WlBBT0paIiwidHlwZSI6InVzZXIiLCJ2ZXJzaW9uIjoyfX0.p6HBxelUAGAtgGW3fi0TyG9otw9k-mY9rG5BmYp-FtDFbKgU11ezXmsvGXqTmwHm4r5xoA8ymV_CMHrw0PLbCw
------END NATS USER JWT------

************************* IMPORTANT *************************
NKEY Seed printed below can be used to sign and prove identity.
NKEYs are sensitive and should be treated as secrets.

-----BEGIN USER NKEY SEED-----
SUAACAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUPB6IC5CQ
------END USER NKEY SEED------

*************************************************************
)";

}  // namespace spate::auth::go

#include "server/jwt_accounts.h"

#include "routing/subject.h"

namespace spate::server {

AccountConfig AccountConfigFromClaims(const std::string& public_key,
                                      const auth::AccountClaims& claims,
                                      std::vector<std::string>* skipped) {
  AccountConfig config;
  config.name = public_key;
  for (const auth::Export& e : claims.exports) {
    if (e.type == auth::ExportType::kUnknown) continue;
    if (e.token_req) {
      skipped->push_back("export \"" + e.subject +
                         "\" requires activation tokens, which are not supported");
      continue;
    }
    AccountExport out;
    out.service = e.type == auth::ExportType::kService;
    out.subject = e.subject;
    config.exports.push_back(std::move(out));
  }
  for (const auth::Import& i : claims.imports) {
    if (i.type == auth::ExportType::kUnknown) continue;
    if (!i.token.empty()) {
      skipped->push_back("import \"" + i.subject +
                         "\" presents an activation token, which is not supported");
      continue;
    }
    AccountImport out;
    out.service = i.type == auth::ExportType::kService;
    out.account = i.account;
    out.subject = i.subject;
    if (out.service) {
      // As nats-server reads it: local_subject is where importers send; without it, the
      // deprecated `to` names the exporter's subject and `subject` the local one.
      if (!i.local_subject.empty()) {
        out.to = i.local_subject;
      } else if (!i.to.empty()) {
        out.subject = i.to;
        out.to = i.subject;
      }
    } else if (!i.local_subject.empty()) {
      if (!routing::SubjectIsLiteral(i.subject) || !routing::SubjectIsLiteral(i.local_subject)) {
        skipped->push_back("stream import \"" + i.subject + "\" to \"" + i.local_subject +
                           "\": wildcard local subjects are not supported");
        continue;
      }
      out.to = i.local_subject;
    } else {
      out.prefix = i.to;  // the deprecated `to` of a stream import is a prefix
    }
    config.imports.push_back(std::move(out));
  }
  return config;
}

}  // namespace spate::server

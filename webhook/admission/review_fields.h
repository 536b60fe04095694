#pragma once
// What the request decoder builds of a reviewed object (request.object / oldObject): for a kind
// some rule of the webhook admits, what those rules declare they read of it (reviewedFields)
// and what the engine itself reads (the break-glass label and reason, generateName for the
// audit record); for any other kind, only the engine's fields. Derived once from the rules.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policies/rule.h"
#include "webhook/cluster/field_set.h"

namespace meshward::admission {

class ReviewFields {
 public:
  explicit ReviewFields(const std::vector<const policies::Rule*>& rules);

  const cluster::FieldSet& forKind(policies::RuleType webhook, std::string_view group, std::string_view kind) const;

 private:
  struct KindFields {
    policies::RuleType webhook;
    std::string group;
    std::string kind;
    cluster::FieldSet fields;
  };
  std::vector<KindFields> kinds_;
  cluster::FieldSet engine_only_;
};

}  // namespace meshward::admission

#pragma once
// revision-in-use: denies deleting a control-plane revision's istiod Deployment or Service while
// namespaces or pods still select the revision (by its name or a tag pointing at it).

#include "policies/rule.h"

namespace meshward::policies {

class RevisionInUseRule final : public Rule {
 public:
  const RuleMetadata& metadata() const override;
  Result<std::shared_ptr<const RuleConfig>> configure(const RuleSettings& settings) const override;
  void evaluate(const RuleContext& context, Report& report) const override;
};

}  // namespace meshward::policies

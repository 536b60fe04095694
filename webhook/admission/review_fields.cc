#include "webhook/admission/review_fields.h"

#include <algorithm>

#include "webhook/admission/cluster_requirements.h"
#include "webhook/admission/engine.h"
#include "webhook/common/json_fields.h"

namespace meshward::admission {
namespace {

// The break-glass label, reason and expiry with the creation time it counts from (engine.cc),
// and generateName (the audit record's name),
// besides what every kind keeps.
cluster::FieldSet engineFields() {
  cluster::FieldSet fields;
  for (const std::string_view field : cluster::alwaysKeptFields()) {
    (void)fields.add(field);  // constants, valid pointers
  }
  for (const std::string& field : {"/metadata/labels/" + escapePointerToken(kBreakGlassLabel),
                                   "/metadata/annotations/" + escapePointerToken(kBreakGlassReasonAnnotation),
                                   "/metadata/annotations/" + escapePointerToken(kBreakGlassExpiresAnnotation),
                                   std::string("/metadata/creationTimestamp"), std::string("/metadata/generateName")}) {
    (void)fields.add(field);
  }
  return fields;
}

}  // namespace

ReviewFields::ReviewFields(const std::vector<const policies::Rule*>& rules) : engine_only_(engineFields()) {
  for (const policies::Rule* rule : rules) {
    const policies::RuleMetadata& metadata = rule->metadata();
    for (const cluster::KindInfo& kind : metadata.kinds) {
      auto known = std::find_if(kinds_.begin(), kinds_.end(), [&](const KindFields& entry) {
        return entry.webhook == metadata.type && entry.group == kind.group && entry.kind == kind.kind;
      });
      if (known == kinds_.end()) {
        known = kinds_.insert(kinds_.end(), KindFields{metadata.type, std::string(kind.group), std::string(kind.kind),
                                                       engine_only_});
      }
      known->fields.merge(reviewedFields(metadata, kind.group, kind.kind));
    }
  }
}

const cluster::FieldSet& ReviewFields::forKind(policies::RuleType webhook, std::string_view group,
                                               std::string_view kind) const {
  for (const KindFields& entry : kinds_) {
    if (entry.webhook == webhook && entry.kind == kind && entry.group == group) {
      return entry.fields;
    }
  }
  return engine_only_;
}

}  // namespace meshward::admission

#pragma once
// What the cluster state must follow for a set of rules, derived from what they declare: every
// kind a rule reads (inputs) or an index it uses is fed from, each with the fields to keep (the
// always-kept ones, the rules' reads, the indexes' reads) and, for a live cache, the indexes
// that kind feeds. The live cache, RBAC (`meshward rules`) and manifests all follow this.

#include <vector>

#include "policies/rule.h"
#include "webhook/cluster/index.h"
#include "webhook/cluster/requirements.h"
#include "webhook/common/result.h"

namespace meshward::admission {

// An error names the rule or index whose declaration is unusable (a bad field pointer, an index
// fed by more than one kind in a live cluster): a programming error the tests catch.
Result<cluster::ClusterRequirements> clusterRequirements(const std::vector<const policies::Rule*>& rules,
                                                         cluster::ObjectSource source = cluster::ObjectSource::Live);

// What `metadata` declares it reads of an object of (group, kind) under review, with the fields
// every object keeps: all the rule may look at of the request's object and oldObject.
cluster::FieldSet reviewedFields(const policies::RuleMetadata& metadata, std::string_view group, std::string_view kind);

// The requirements of every registered rule (policies::allRules()), derived once. A declaration
// that cannot be derived throws std::logic_error on first use, at start-up, never on a request.
const cluster::ClusterRequirements& registeredRequirements(cluster::ObjectSource source);

}  // namespace meshward::admission

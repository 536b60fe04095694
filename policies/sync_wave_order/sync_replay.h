#pragma once
// sync-wave-order's second face, for a set of changes applied together (`meshward check`):
// replays an Argo CD sync of the objects, in Argo CD's apply order, over the cluster before it
// (--cluster-state), and reports every VirtualService applied
// before a DestinationRule or Gateway it needs (MW0701) and every DestinationRule change applied
// before the VirtualService change that stops using what it takes away (MW0702). It stands in for
// the rule's per-object admission face when a whole set is judged (Rule::evaluateSet).

#include <vector>

#include "policies/rule.h"

namespace meshward::policies {

// `set.objects`: the objects of the sync. `set.before`: the cluster before it (the --cluster-state
// objects); `set.after`: the cluster after it (those objects replaced and joined by the synced
// ones). Objects that are there but not synced stay as they are: the sync prunes nothing.
// Findings carry the rule's action, leave out objects in the namespaces the policy ignores, and
// come in object order.
std::vector<SetFinding> replaySync(const SetContext& context);

}  // namespace meshward::policies

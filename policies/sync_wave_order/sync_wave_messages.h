#pragma once
// The wording of sync-wave-order's findings, shared by its admission face (the rule) and its
// `meshward check` face (the sync plan) so that both describe waves and fixes the same way.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "policies/sync_wave_order/argo_sync_order.h"

namespace meshward::policies {

// "sync-wave 2", "sync-wave 0, no annotation", "sync-wave 0, \"two\" is not an integer".
std::string describeSyncWave(const SyncWave& wave);

// What is wrong with an annotation Argo CD cannot use, for `subject` ("VirtualService shop/reviews");
// nullopt when the annotation is absent or an integer.
std::optional<std::string> invalidSyncWaveMessage(std::string_view subject, const SyncWave& wave);

// How Argo CD orders two objects when `earlier` does not come strictly after `later`: "Argo CD applies
// it (sync-wave 0) before DestinationRule shop/reviews (sync-wave 1)" and the variants for one wave.
std::string appliedBeforeClause(const ArgoSyncPosition& earlier, const ArgoSyncPosition& later,
                                std::string_view earlier_description, std::string_view later_description);

// "Give the VirtualService a later sync-wave, e.g. argocd.argoproj.io/sync-wave: \"2\"."
std::string laterWaveFix(std::string_view kind, std::int64_t after_wave);

}  // namespace meshward::policies

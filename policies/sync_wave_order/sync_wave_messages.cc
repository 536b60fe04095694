#include "policies/sync_wave_order/sync_wave_messages.h"

#include <limits>

namespace meshward::policies {

std::string describeSyncWave(const SyncWave& wave) {
  const std::string effective = "sync-wave " + std::to_string(wave.wave);
  switch (wave.text) {
    case SyncWaveText::Absent:
      return effective + ", no annotation";
    case SyncWaveText::Integer:
      return effective;
    case SyncWaveText::NotAnInteger:
      return effective + ", \"" + wave.written + "\" is not an integer";
    case SyncWaveText::NotAString:
      return effective + ", " + wave.written + " is not a string";
  }
  return effective;
}

std::optional<std::string> invalidSyncWaveMessage(std::string_view subject, const SyncWave& wave) {
  const std::string annotation(kSyncWaveAnnotation);
  if (wave.text == SyncWaveText::NotAnInteger) {
    return std::string(subject) + ": annotation " + annotation + " is \"" + wave.written +
           "\", which is not an integer; Argo CD ignores it and syncs the object in wave 0, not where it was "
           "meant to go. Write an integer, e.g. " +
           annotation + ": \"1\".";
  }
  if (wave.text == SyncWaveText::NotAString) {
    return std::string(subject) + ": annotation " + annotation + " is " + wave.written +
           ", not a string; annotation values must be strings, so the API server rejects the object and the "
           "Argo CD sync fails. Quote it: " +
           annotation + ": \"" + wave.written + "\".";
  }
  return std::nullopt;
}

std::string appliedBeforeClause(const ArgoSyncPosition& earlier, const ArgoSyncPosition& later,
                                std::string_view earlier_description, std::string_view later_description) {
  const std::string both = std::string(earlier_description) + " before " + std::string(later_description);
  if (earlier.wave < later.wave) {
    return "Argo CD applies " + both;
  }
  if (earlier < later) {
    return "Argo CD applies " + both + " in the same wave (a wave's objects go by kind, then name)";
  }
  return "Argo CD may apply " + both + " (same wave, kind rank and name: either order)";
}

std::string laterWaveFix(std::string_view kind, std::int64_t after_wave) {
  const std::string fix = "Give the " + std::string(kind) + " a later sync-wave";
  if (after_wave == std::numeric_limits<std::int64_t>::max()) {
    return fix + ".";
  }
  return fix + ", e.g. " + std::string(kSyncWaveAnnotation) + ": \"" + std::to_string(after_wave + 1) + "\".";
}

}  // namespace meshward::policies

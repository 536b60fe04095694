#pragma once
// Where Argo CD puts an object in the apply order of a sync, as gitops-engine sorts its sync tasks
// (pkg/sync/sync_tasks.go): lower argocd.argoproj.io/sync-wave first; within a wave Helm's kind
// order, every kind it does not list (all Istio kinds among them) last; then by name.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace meshward::policies {

inline constexpr std::string_view kSyncWaveAnnotation = "argocd.argoproj.io/sync-wave";

enum class SyncWaveText {
  Absent,
  Integer,
  NotAnInteger,  // a string Go's strconv.Atoi rejects: Argo CD ignores it and uses wave 0
  NotAString,    // annotation values must be strings: the API server rejects the object
};

struct SyncWave {
  std::int64_t wave = 0;  // the wave Argo CD uses: the annotation's integer, otherwise 0
  SyncWaveText text = SyncWaveText::Absent;
  std::string written;  // the annotation as written; a value that is not a string as JSON

  bool annotated() const { return text != SyncWaveText::Absent; }
  bool valid() const { return text == SyncWaveText::Absent || text == SyncWaveText::Integer; }
};

// The object's sync-wave annotation read as Argo CD reads it: an optional sign and decimal digits,
// nothing else (no spaces), within 64 bits.
SyncWave syncWaveOf(const nlohmann::json& object);
// The same for the annotation's string value (nullopt: absent), as an index keeps it.
SyncWave syncWaveOfText(std::optional<std::string_view> annotation);

// Where Argo CD puts a kind within a wave: the kinds it lists rank from -35 (Namespace) to -1
// (APIService); every other kind ranks 0, after them.
int argoKindRank(std::string_view kind);

// One object's place in the apply order. Argo CD applies `a` before `b` when a < b; objects of equal
// place (same wave, rank and name) are applied in no defined order. Argo CD also moves a Namespace
// or CRD ahead of the first object that needs it, which never changes the order of other kinds.
struct ArgoSyncPosition {
  std::int64_t wave = 0;
  int kind_rank = 0;
  std::string name;

  auto operator<=>(const ArgoSyncPosition&) const = default;
};

ArgoSyncPosition argoSyncPosition(const nlohmann::json& object);

}  // namespace meshward::policies

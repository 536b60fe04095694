#include "webhook/admission/cluster_requirements.h"

#include "policies/registry.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace meshward::admission {
namespace {

cluster::FieldSet alwaysKept() {
  cluster::FieldSet fields;
  for (const std::string_view field : cluster::alwaysKeptFields()) {
    (void)fields.add(field);  // constants, always valid pointers
  }
  return fields;
}

class Builder {
 public:
  cluster::KindRequirement& kind(const cluster::KindInfo& info) {
    for (cluster::KindRequirement& requirement : kinds_) {
      if (requirement.kind.sameKind(info.group, info.kind)) {
        return requirement;
      }
    }
    const bool name_taken = std::any_of(kinds_.begin(), kinds_.end(), [&](const cluster::KindRequirement& other) {
      return other.kind.kind == info.kind;
    });
    cluster::KindRequirement& added = kinds_.emplace_back();
    added.kind = info;
    if (name_taken) {
      added.label = std::string(info.kind) + "." + std::string(info.group);
    }
    added.fields = alwaysKept();
    return added;
  }

  Result<bool> keep(const cluster::KindInfo& info, const std::vector<std::string_view>& fields, std::string_view who) {
    cluster::KindRequirement& requirement = kind(info);
    for (const std::string_view field : fields) {
      Result<bool> added = requirement.fields.add(field);
      if (!added) {
        return Error{std::string(who) + " declares an unusable field of " + std::string(info.kind) + ": " +
                     added.error()};
      }
    }
    return true;
  }

  Result<bool> index(const cluster::IndexSpec& spec, cluster::ObjectSource source) {
    if (std::find(indexes_.begin(), indexes_.end(), &spec) != indexes_.end()) {
      return true;
    }
    indexes_.push_back(&spec);
    const std::vector<cluster::IndexFeed> feeds = spec.feeds(source);
    if (source == cluster::ObjectSource::Live && feeds.size() != 1) {
      return Error{"index " + std::string(spec.name()) + " must be fed by exactly one kind in a live cluster, not " +
                   std::to_string(feeds.size())};
    }
    for (const cluster::IndexFeed& feed : feeds) {
      Result<bool> kept = keep(feed.kind, feed.reads, "index " + std::string(spec.name()));
      if (!kept) {
        return kept;
      }
      kind(feed.kind).indexes.push_back(&spec);
    }
    return true;
  }

  cluster::ClusterRequirements finish() && {
    std::sort(kinds_.begin(), kinds_.end(), [](const cluster::KindRequirement& a, const cluster::KindRequirement& b) {
      return std::pair(a.kind.group, a.kind.kind) < std::pair(b.kind.group, b.kind.kind);
    });
    return cluster::ClusterRequirements{std::move(kinds_), std::move(indexes_)};
  }

 private:
  std::vector<cluster::KindRequirement> kinds_;
  std::vector<const cluster::IndexSpec*> indexes_;
};

bool isInput(const policies::RuleMetadata& metadata, const cluster::KindInfo& kind) {
  return std::any_of(metadata.inputs.begin(), metadata.inputs.end(), [&](const policies::RuleInput& input) {
    return input.kind.sameKind(kind.group, kind.kind);
  });
}

}  // namespace

cluster::FieldSet reviewedFields(const policies::RuleMetadata& metadata, std::string_view group, std::string_view kind) {
  cluster::FieldSet fields = alwaysKept();
  for (const policies::FieldReads& reads : metadata.reads) {
    if (reads.kind.sameKind(group, kind)) {
      for (const std::string_view field : reads.fields) {
        (void)fields.add(field);  // a bad pointer fails clusterRequirements, which the tests run
      }
    }
  }
  return fields;
}

Result<cluster::ClusterRequirements> clusterRequirements(const std::vector<const policies::Rule*>& rules,
                                                         cluster::ObjectSource source) {
  Builder builder;
  for (const policies::Rule* rule : rules) {
    const policies::RuleMetadata& metadata = rule->metadata();
    const std::string who = "rule " + std::string(metadata.id);
    for (const policies::RuleInput& input : metadata.inputs) {
      builder.kind(input.kind);
    }
    // Reads of kinds the rule only admits concern the request, not the cache.
    for (const policies::FieldReads& reads : metadata.reads) {
      if (isInput(metadata, reads.kind)) {
        Result<bool> kept = builder.keep(reads.kind, reads.fields, who);
        if (!kept) {
          return Error{kept.error()};
        }
      }
    }
    for (const cluster::IndexSpec* spec : metadata.indexes) {
      Result<bool> built = builder.index(*spec, source);
      if (!built) {
        return Error{built.error()};
      }
    }
  }
  return std::move(builder).finish();
}

const cluster::ClusterRequirements& registeredRequirements(cluster::ObjectSource source) {
  const auto derive = [](cluster::ObjectSource from) {
    Result<cluster::ClusterRequirements> requirements = clusterRequirements(policies::allRules(), from);
    if (!requirements) {
      throw std::logic_error("the registered rules' declarations: " + requirements.error());
    }
    return std::move(*requirements);
  };
  static const cluster::ClusterRequirements live = derive(cluster::ObjectSource::Live);
  static const cluster::ClusterRequirements manifests = derive(cluster::ObjectSource::Manifests);
  return source == cluster::ObjectSource::Live ? live : manifests;
}

}  // namespace meshward::admission

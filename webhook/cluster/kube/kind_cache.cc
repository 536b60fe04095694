#include "webhook/cluster/kube/kind_cache.h"

#include <algorithm>

#include "webhook/common/json_fields.h"

namespace meshward::cluster::kube {

void KindCache::Contents::add(const nlohmann::json& object) {
  std::optional<ObjectName> name = cache_->nameOf(object);
  if (!name) {
    return;
  }
  auto stored = std::make_shared<const CachedObject>(object, cache_->kind().packed);
  const ObjectKey key = cache_->keyOf(*name);
  for (auto& [spec, index] : indexes_) {
    index->update(key, object);
  }
  objects_.insert_or_assign(std::move(*name), std::move(stored));
}

KindCache::KindCache(KindRequirement requirement)
    : requirement_(std::move(requirement)), indexes_(newIndexes()) {}

KindCache::Indexes KindCache::newIndexes() const {
  Indexes indexes;
  for (const IndexSpec* spec : requirement_.indexes) {
    indexes.emplace_back(spec, spec->create(ObjectSource::Live, nullptr));
  }
  return indexes;
}

ObjectKey KindCache::keyOf(const ObjectName& name) const {
  return ObjectKey{std::string(kind().group), std::string(kind().kind), name.first, name.second};
}

bool KindCache::readIndex(const IndexSpec& spec, const IndexReader& read) const {
  // Which indexes a cache feeds never changes: a query for another kind's index takes no lock here
  // (so it never queues behind this kind's writer).
  const std::vector<const IndexSpec*>& fed = requirement_.indexes;
  if (std::find(fed.begin(), fed.end(), &spec) == fed.end()) {
    return false;
  }
  std::shared_lock lock(mutex_);
  for (const auto& [indexed, index] : indexes_) {
    if (indexed == &spec) {
      read(*index);
      return true;
    }
  }
  return false;
}

std::optional<KindCache::ObjectName> KindCache::nameOf(const nlohmann::json& object) const {
  const nlohmann::json* metadata = objectMember(&object, "metadata");
  const std::string_view name = stringMember(metadata, "name").value_or("");
  if (name.empty()) {
    return std::nullopt;
  }
  const std::string_view namespace_name =
      kind().namespaced ? stringMember(metadata, "namespace").value_or("") : std::string_view();
  return ObjectName{std::string(namespace_name), std::string(name)};
}

void KindCache::replaceAll(Contents contents) {
  {
    std::unique_lock lock(mutex_);
    objects_.swap(contents.objects_);
    indexes_.swap(contents.indexes_);
  }
  // `contents` now holds the previous objects and index, freed here without the lock.
}

void KindCache::upsert(const nlohmann::json& object) {
  std::optional<ObjectName> name = nameOf(object);
  if (!name) {
    return;
  }
  auto stored = std::make_shared<const CachedObject>(object, kind().packed);
  std::shared_ptr<const CachedObject> replaced;
  const ObjectKey key = keyOf(*name);
  std::unique_lock lock(mutex_);
  for (auto& [spec, index] : indexes_) {
    index->update(key, object);
  }
  auto found = objects_.find(*name);
  if (found == objects_.end()) {
    objects_.emplace(std::move(*name), std::move(stored));
  } else {
    replaced = std::move(found->second);
    found->second = std::move(stored);
  }
  lock.unlock();
}

void KindCache::remove(std::string_view namespace_name, std::string_view name) {
  const std::pair<std::string_view, std::string_view> key(kind().namespaced ? namespace_name : std::string_view(), name);
  std::shared_ptr<const CachedObject> removed;
  std::unique_lock lock(mutex_);
  auto found = objects_.find(key);
  if (found == objects_.end()) {
    return;
  }
  for (auto& [spec, index] : indexes_) {
    index->remove(keyOf(found->first));
  }
  removed = std::move(found->second);
  objects_.erase(found);
  lock.unlock();
}

SharedObject KindCache::find(std::string_view namespace_name, std::string_view name) const {
  const std::pair<std::string_view, std::string_view> key(kind().namespaced ? namespace_name : std::string_view(), name);
  std::shared_ptr<const CachedObject> stored;
  {
    std::shared_lock lock(mutex_);
    auto found = objects_.find(key);
    if (found == objects_.end()) {
      return nullptr;
    }
    stored = found->second;
  }
  return stored->get();
}

std::vector<SharedObject> KindCache::snapshot(std::optional<std::string_view> namespace_name) const {
  std::vector<std::shared_ptr<const CachedObject>> stored;
  {
    std::shared_lock lock(mutex_);
    if (!namespace_name) {
      stored.reserve(objects_.size());
      for (const auto& [name, object] : objects_) {
        stored.push_back(object);
      }
    } else {
      const std::pair<std::string_view, std::string_view> first(*namespace_name, std::string_view());
      for (auto entry = objects_.lower_bound(first); entry != objects_.end() && entry->first.first == *namespace_name;
           ++entry) {
        stored.push_back(entry->second);
      }
    }
  }
  std::vector<SharedObject> objects;
  objects.reserve(stored.size());
  for (const std::shared_ptr<const CachedObject>& object : stored) {
    objects.push_back(object->get());
  }
  return objects;
}

std::size_t KindCache::size() const {
  std::shared_lock lock(mutex_);
  return objects_.size();
}

void KindCache::setServedVersion(std::string version) {
  std::lock_guard lock(status_mutex_);
  served_version_ = std::move(version);
}

void KindCache::setLastError(std::string error) {
  std::lock_guard lock(status_mutex_);
  last_error_ = std::move(error);
}

KindStatus KindCache::status() const {
  KindStatus status;
  status.kind = std::string(requirement_.name());
  status.synced = synced();
  status.objects = size();
  std::lock_guard lock(status_mutex_);
  status.served_version = served_version_;
  status.last_error = last_error_;
  return status;
}

}  // namespace meshward::cluster::kube

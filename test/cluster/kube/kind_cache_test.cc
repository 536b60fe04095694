#include "webhook/cluster/kube/kind_cache.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "policies/indexes/pods_without_sidecar.h"

namespace meshward::cluster::kube {
namespace {

using json = nlohmann::json;

using policies::PodsWithoutSidecar;

KindRequirement requirementFor(const KindInfo& kind, std::vector<const IndexSpec*> indexes = {}) {
  KindRequirement requirement;
  requirement.kind = kind;
  requirement.indexes = std::move(indexes);
  return requirement;
}

const KindRequirement kPods = requirementFor(kinds::Pod, {&policies::podsWithoutSidecarIndex()});
const KindRequirement kUnindexedPods = requirementFor(kinds::Pod);
const KindRequirement kNamespaces = requirementFor(kinds::Namespace);

KindRequirement plainPods() {
  KindInfo plain = kinds::Pod;
  plain.packed = false;
  return requirementFor(plain);
}

json pod(const std::string& namespace_name, const std::string& name, bool sidecar = false) {
  json containers = json::array({{{"name", "app"}}});
  if (sidecar) {
    containers.push_back({{"name", "istio-proxy"}});
  }
  return json{{"metadata", {{"name", name}, {"namespace", namespace_name}}}, {"spec", {{"containers", containers}}}};
}

void replaceAll(KindCache& cache, const std::vector<json>& objects) {
  KindCache::Contents contents = cache.newContents();
  for (const json& object : objects) {
    contents.add(object);
  }
  cache.replaceAll(std::move(contents));
}

std::vector<std::string> names(const std::vector<SharedObject>& objects) {
  std::vector<std::string> result;
  for (const SharedObject& object : objects) {
    result.push_back((*object)["metadata"].value("namespace", "") + "/" + (*object)["metadata"].value("name", ""));
  }
  return result;
}

PodsWithoutSidecar withoutSidecar(const KindCache& cache, std::string_view namespace_name) {
  PodsWithoutSidecar answer;
  cache.readIndex(policies::podsWithoutSidecarIndex(), [&](const ObjectIndex& index) {
    answer = static_cast<const policies::PodSidecarIndex&>(index).query(namespace_name, 10);
  });
  return answer;
}

TEST(KindCache, ReplacesUpsertsAndRemovesWithItsIndex) {
  KindCache cache(kPods);
  replaceAll(cache, {pod("b", "2"), pod("a", "1", true), pod("a", "3"), json::object()});
  EXPECT_EQ(cache.size(), 3u) << "an object without a name is not kept";
  EXPECT_EQ(names(cache.snapshot()), (std::vector<std::string>{"a/1", "a/3", "b/2"}));
  EXPECT_EQ(names(cache.snapshot("a")), (std::vector<std::string>{"a/1", "a/3"}));
  EXPECT_TRUE(cache.snapshot("c").empty());
  EXPECT_EQ(withoutSidecar(cache, "a").names, std::vector<std::string>{"3"});

  cache.upsert(pod("a", "3", true));
  cache.upsert(pod("a", "4"));
  EXPECT_EQ(withoutSidecar(cache, "a").names, std::vector<std::string>{"4"});
  cache.remove("a", "4");
  cache.remove("a", "missing");
  EXPECT_EQ(withoutSidecar(cache, "a").count, 0u);
  EXPECT_EQ(cache.size(), 3u);

  replaceAll(cache, {pod("z", "9")});
  EXPECT_EQ(names(cache.snapshot()), std::vector<std::string>{"z/9"});
  EXPECT_EQ(withoutSidecar(cache, "b").count, 0u) << "a relist rebuilds the index from scratch";
  EXPECT_EQ(withoutSidecar(cache, "z").count, 1u);
}

TEST(KindCache, PackedKindsGiveBackTheSameObjects) {
  KindCache packed(kUnindexedPods);
  KindCache plain(plainPods());
  json object = pod("a", "1", true);
  object["metadata"]["labels"] = {{"app", "web"}, {"tier", 3}, {"ratio", 0.5}, {"on", true}, {"nothing", nullptr}};
  packed.upsert(object);
  plain.upsert(object);
  EXPECT_EQ(*packed.find("a", "1"), object);
  EXPECT_EQ(*plain.find("a", "1"), object);
  EXPECT_NE(packed.find("a", "1"), packed.find("a", "1")) << "each read of a packed object is its own decode";
  EXPECT_EQ(plain.find("a", "1"), plain.find("a", "1")) << "a plain object is shared";
  EXPECT_EQ(*packed.snapshot("a").at(0), object);
}

TEST(KindCache, SnapshotsOutliveChanges) {
  KindCache cache(plainPods());
  cache.upsert(pod("a", "1"));
  const SharedObject before = cache.find("a", "1");
  cache.upsert(pod("a", "1", true));
  cache.remove("a", "1");
  ASSERT_NE(before, nullptr);
  EXPECT_EQ((*before)["spec"]["containers"].size(), 1u);
  EXPECT_EQ(cache.find("a", "1"), nullptr);
}

TEST(KindCache, ClusterScopedKindsIgnoreNamespaces) {
  KindCache cache(kNamespaces);
  cache.upsert(json{{"metadata", {{"name", "shop"}, {"namespace", "stray"}}}});
  EXPECT_NE(cache.find("", "shop"), nullptr);
  EXPECT_NE(cache.find("anything", "shop"), nullptr);
  cache.remove("stray", "shop");
  EXPECT_EQ(cache.size(), 0u);
}

TEST(KindCache, ReportsItsStatus) {
  KindCache cache(kUnindexedPods);
  EXPECT_FALSE(cache.status().synced);
  cache.setServedVersion("v1");
  cache.setLastError("boom");
  cache.upsert(pod("a", "1"));
  cache.markSynced();
  const KindStatus status = cache.status();
  EXPECT_EQ(status.kind, "Pod");
  EXPECT_TRUE(status.synced);
  EXPECT_EQ(status.served_version, "v1");
  EXPECT_EQ(status.objects, 1u);
  EXPECT_EQ(status.last_error, "boom");
  EXPECT_FALSE(cache.readIndex(policies::podsWithoutSidecarIndex(), [](const ObjectIndex&) { FAIL(); }))
      << "a cache that feeds no index answers index queries with nothing";
}

// Readers on several threads while one writer churns (the sanitizer build catches misuse of
// the objects); readers must always see whole objects and a consistent index.
TEST(KindCache, ReadersAndOneWriterRunConcurrently) {
  KindCache cache(kPods);
  std::atomic<bool> done{false};
  std::atomic<std::size_t> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        const SharedObject object = cache.find("ns", "p-7");
        if (object != nullptr) {
          EXPECT_EQ((*object)["metadata"]["name"], "p-7");
        }
        const PodsWithoutSidecar pods = withoutSidecar(cache, "ns");
        EXPECT_LE(pods.names.size(), pods.count);
        cache.snapshot("ns");
        reads.fetch_add(1);
      }
    });
  }
  // On a loaded machine the writer could finish before a reader is scheduled: start writing once
  // every reader has read.
  while (reads.load() < readers.size()) {
    std::this_thread::yield();
  }
  for (int round = 0; round < 300; ++round) {
    const std::string name = "p-" + std::to_string(round % 10);
    cache.upsert(pod("ns", name, round % 3 == 0));
    if (round % 7 == 0) {
      cache.remove("ns", name);
    }
    if (round % 100 == 99) {
      replaceAll(cache, {pod("ns", "p-7"), pod("ns", "p-8", true)});
    }
  }
  done.store(true);
  for (std::thread& reader : readers) {
    reader.join();
  }
  EXPECT_EQ(names(cache.snapshot()), (std::vector<std::string>{"ns/p-7", "ns/p-8"})) << "the last relist wins";
  EXPECT_EQ(withoutSidecar(cache, "ns").names, std::vector<std::string>{"p-7"});
}

}  // namespace
}  // namespace meshward::cluster::kube

#pragma once
// Which fields of an object a reader needs, as RFC 6901 JSON pointers where the token "*" stands
// for every element of an array or every member of an object ("/spec/containers/*/name"); a
// pointer keeps everything under it. The live cache keeps only the union of what rules declare.

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/common/result.h"

namespace meshward::cluster {

class FieldSet {
 public:
  // An error for a pointer that does not start with '/' or has a bad '~' escape.
  Result<bool> add(std::string_view pointer);
  void merge(const FieldSet& other);
  bool empty() const { return root_.children.empty() && !root_.whole; }

  // What a reader of the declared fields would see of `object`, and nothing else: every value
  // at a declared path is kept as it is (also when its type is not the one expected, so that a
  // reader of the trimmed object decides exactly as a reader of the full one); members and
  // elements on no declared path are dropped. Array elements keep their positions.
  nlohmann::json trim(nlohmann::json&& object) const;
  nlohmann::json trimCopy(const nlohmann::json& object) const { return trim(nlohmann::json(object)); }

  // The pointers, sorted (wildcards as "*").
  std::vector<std::string> pointers() const;

 private:
  struct Node {
    bool whole = false;
    std::map<std::string, Node, std::less<>> children;
  };

 public:
  // The declared fields at one place in an object, for walking it member by member: trim() and
  // the request decoder (which builds only what is kept) both walk with it.
  class Selection {
   public:
    bool keepsAll() const { return all_; }
    bool keepsNothing() const { return !all_ && count_ == 0; }
    Selection member(std::string_view key) const;
    Selection element() const;

   private:
    friend class FieldSet;
    void add(const Node& node);

    static constexpr std::size_t kMaxNodes = 8;  // beyond: keeps all (more than declared, never less)
    std::array<const Node*, kMaxNodes> nodes_{};
    std::size_t count_ = 0;
    bool all_ = false;
  };
  Selection root() const;
  static Selection everything();

 private:
  static void mergeInto(Node& into, const Node& from);
  static nlohmann::json trimValue(nlohmann::json&& value, const Selection& selection);
  static void collect(const Node& node, const std::string& prefix, std::vector<std::string>& into);

  Node root_;
};

}  // namespace meshward::cluster

#pragma once
// What a rule declares it reads of one kind of object; the machine keeps (and, later, parses)
// only what some rule or index declares.

#include <string_view>
#include <vector>

#include "webhook/cluster/kinds.h"

namespace meshward::policies {

// The fields of objects of `kind` the rule reads, as FieldSet pointers: of the object under
// review and oldObject when `kind` is one the rule admits, and of cached objects when it is an
// input. The live cache keeps only what some rule or index declares.
struct FieldReads {
  cluster::KindInfo kind;
  std::vector<std::string_view> fields;
};

}  // namespace meshward::policies

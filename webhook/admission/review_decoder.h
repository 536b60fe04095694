#pragma once
// The AdmissionReview decoder on the request path: one validating pass of simdjson's DOM parser
// (UTF-8 checked, nesting bounded at kMaxJsonDepth); the envelope is read from its document and
// nlohmann trees are built only of what ReviewFields keeps of request.object / oldObject for the
// request's kind (a kind no rule admits: only the engine's few metadata fields). A body simdjson
// refuses, or one decodeAdmissionReview would refuse, goes to decodeAdmissionReview, so a
// malformed or too deep body gets the same 400 and message as ever, and the few inputs nlohmann
// accepts and simdjson does not (a byte-order mark, an integer beyond 64 bits) are still served.

#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "webhook/admission/admission_review.h"
#include "webhook/admission/review_fields.h"

namespace simdjson::dom {
class parser;
}

namespace meshward::admission {

class ReviewDecoder {
 public:
  // Without `fields`, objects are built whole.
  explicit ReviewDecoder(std::optional<ReviewFields> fields);
  ~ReviewDecoder();

  // Thread-safe. Throws only what allocation throws (the handler answers it with a 500).
  Result<AdmissionRequest> decode(std::string_view body, policies::RuleType webhook) const;

 private:
  using Parser = simdjson::dom::parser;
  class Lease;

  std::optional<ReviewFields> fields_;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<Parser>> idle_;  // one per concurrent request, reused
};

}  // namespace meshward::admission

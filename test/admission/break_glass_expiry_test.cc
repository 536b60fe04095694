#include "webhook/admission/break_glass_expiry.h"

#include <gtest/gtest.h>

#include "webhook/admission/engine.h"
#include "webhook/common/rfc3339.h"

namespace meshward::admission {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using TimePoint = std::chrono::system_clock::time_point;

const TimePoint kNow = *parseRfc3339("2026-12-07T12:00:00Z");

std::string at(TimePoint time) { return formatRfc3339Millis(time); }

// A Deployment under break-glass: `created` ("" for none), `expires` ("" for no annotation), and
// whether the previous version already carried the label.
struct Case {
  std::string name;
  std::string operation;
  std::string created;
  std::string expires;
  bool label_before = false;
  // Honoured: the expiry; refused: a part of the message.
  std::optional<TimePoint> expiry;
  std::string refusal;
};

AdmissionRequest requestFor(const Case& test) {
  AdmissionRequest request;
  request.facts.operation = test.operation;
  request.facts.kind = "Deployment";
  request.facts.now = kNow;
  json metadata = {{"name", "checkout"},
                   {"labels", {{std::string(kBreakGlassLabel), "true"}}},
                   {"annotations", {{std::string(kBreakGlassReasonAnnotation), "INC-1"}}}};
  if (!test.created.empty()) {
    metadata["creationTimestamp"] = test.created;
  }
  if (!test.expires.empty()) {
    metadata["annotations"][std::string(kBreakGlassExpiresAnnotation)] = test.expires;
  }
  json old_metadata = metadata;
  if (!test.label_before) {
    old_metadata["labels"] = json::object();
  }
  if (test.operation != "DELETE") {
    request.object = {{"metadata", metadata}};
  }
  if (test.operation != "CREATE") {
    request.old_object = {{"metadata", test.operation == "DELETE" ? metadata : old_metadata}};
  }
  return request;
}

TEST(BreakGlassExpiry, HonoursBypassesWithinTheMaximumAndRefusesTheRest) {
  const std::string year_ago = at(kNow - hours(24 * 365));
  const std::vector<Case> cases = {
      // honoured                                                       | refused
      {"label only on CREATE: maxDuration from now", "CREATE", "", "", false, kNow + hours(24), ""},
      {"label added by an UPDATE of an old object", "UPDATE", year_ago, "", false, kNow + hours(24), ""},
      {"label carried, object 2h old", "UPDATE", at(kNow - hours(2)), "", true, kNow + hours(22), ""},
      {"label carried, object 2 days old", "UPDATE", at(kNow - hours(48)), "", true, std::nullopt,
       "was already on this object"},
      {"DELETE of a 2-day-old object under an old label", "DELETE", at(kNow - hours(48)), "", true, std::nullopt,
       "no longer bypasses"},
      {"RFC 3339 expiry 4h ahead", "UPDATE", year_ago, at(kNow + hours(4)), true, kNow + hours(4), ""},
      {"RFC 3339 expiry with an offset", "CREATE", "", "2026-12-07T15:30:00+02:00", false,
       kNow + hours(1) + minutes(30), ""},
      {"RFC 3339 expiry passed", "UPDATE", year_ago, at(kNow - minutes(1)), true, std::nullopt, "expired at"},
      {"RFC 3339 expiry 2 days ahead", "CREATE", "", at(kNow + hours(48)), false, std::nullopt,
       "more than breakGlass.maxDuration (24h) ahead"},
      {"duration from creation", "CREATE", at(kNow - hours(1)), "4h", false, kNow + hours(3), ""},
      {"duration on a CREATE not stamped yet", "CREATE", "", "90m", false, kNow + minutes(90), ""},
      {"duration used up since creation", "UPDATE", at(kNow - hours(5)), "4h", true, std::nullopt,
       "counts from the object's creation"},
      {"duration longer than the maximum", "CREATE", "", "48h", false, std::nullopt, "longer than breakGlass.maxDuration"},
      {"neither a time nor a duration", "CREATE", "", "tomorrow", false, std::nullopt, "neither an RFC 3339 time"},
  };
  const policies::BreakGlassSettings settings;
  for (const Case& test : cases) {
    const Result<TimePoint> expiry = breakGlassExpiry(requestFor(test), settings);
    if (test.expiry) {
      ASSERT_TRUE(expiry.ok()) << test.name << ": " << expiry.error();
      EXPECT_EQ(at(*expiry), at(*test.expiry)) << test.name;
    } else {
      ASSERT_FALSE(expiry.ok()) << test.name;
      EXPECT_NE(expiry.error().find(test.refusal), std::string::npos) << test.name << ": " << expiry.error();
    }
  }
}

TEST(BreakGlassExpiry, TheRefusalSaysWhatToWriteInstead) {
  const Result<TimePoint> expiry =
      breakGlassExpiry(requestFor({"", "UPDATE", at(kNow - hours(48)), "", true, std::nullopt, ""}), {});
  ASSERT_FALSE(expiry.ok());
  EXPECT_NE(expiry.error().find("set meshward.dev/break-glass-expires to a time within breakGlass.maxDuration (24h), "
                                "e.g. \"2026-12-07T13:00:00.000Z\""),
            std::string::npos)
      << expiry.error();
}

TEST(BreakGlassExpiry, AShorterMaximumShortensALabelOnlyBypass) {
  policies::BreakGlassSettings settings;
  settings.max_duration = hours(4);
  const Result<TimePoint> expiry = breakGlassExpiry(requestFor({"", "CREATE", "", "", false, std::nullopt, ""}), settings);
  ASSERT_TRUE(expiry.ok()) << expiry.error();
  EXPECT_EQ(at(*expiry), at(kNow + hours(4)));
  EXPECT_FALSE(breakGlassExpiry(requestFor({"", "CREATE", "", "5h", false, std::nullopt, ""}), settings).ok());
}

}  // namespace
}  // namespace meshward::admission

#include "webhook/admission/break_glass_expiry.h"

#include <string>

#include "webhook/admission/engine.h"
#include "webhook/common/duration.h"
#include "webhook/common/json_fields.h"
#include "webhook/common/rfc3339.h"

namespace meshward::admission {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::milliseconds;

// "24h", "90m", "45s", "1500ms"
std::string describeDuration(milliseconds duration) {
  using namespace std::chrono;
  if (duration.count() % duration_cast<milliseconds>(hours(1)).count() == 0) {
    return std::to_string(duration_cast<hours>(duration).count()) + "h";
  }
  if (duration.count() % duration_cast<milliseconds>(minutes(1)).count() == 0) {
    return std::to_string(duration_cast<minutes>(duration).count()) + "m";
  }
  if (duration.count() % 1000 == 0) {
    return std::to_string(duration_cast<seconds>(duration).count()) + "s";
  }
  return std::to_string(duration.count()) + "ms";
}

bool carriesBreakGlassLabel(const nlohmann::json& object) {
  return stringMember(objectMember(objectMember(&object, "metadata"), "labels"), kBreakGlassLabel) == "true";
}

std::string maxDurationText(const policies::BreakGlassSettings& settings) {
  return "breakGlass.maxDuration (" + describeDuration(settings.max_duration) + ")";
}

// What to write instead: an expiry an hour from now, or the longest allowed if that is shorter.
std::string suggestion(const policies::BreakGlassSettings& settings, Clock::time_point now) {
  const milliseconds ahead = std::min<milliseconds>(std::chrono::hours(1), settings.max_duration);
  return "set " + std::string(kBreakGlassExpiresAnnotation) + " to a time within " + maxDurationText(settings) +
         ", e.g. \"" + formatRfc3339Millis(now + ahead) + "\"";
}

}  // namespace

Result<Clock::time_point> breakGlassExpiry(const AdmissionRequest& request,
                                           const policies::BreakGlassSettings& settings) {
  const nlohmann::json& object = request.object.is_object() ? request.object : request.old_object;
  const nlohmann::json* metadata = objectMember(&object, "metadata");
  const Clock::time_point now = request.facts.now;
  const std::optional<Clock::time_point> created =
      parseRfc3339(stringMember(metadata, "creationTimestamp").value_or(""));
  const std::string expires_key(kBreakGlassExpiresAnnotation);

  const std::optional<std::string_view> written = stringMember(objectMember(metadata, "annotations"), expires_key);
  if (written) {
    if (const std::optional<Clock::time_point> at = parseRfc3339(*written)) {
      if (*at - now > settings.max_duration) {
        return Error{expires_key + " \"" + std::string(*written) + "\" is more than " + maxDurationText(settings) +
                     " ahead; " + suggestion(settings, now)};
      }
      if (now >= *at) {
        return Error{"the break-glass expired at " + formatRfc3339Millis(*at) + " (" + expires_key + "); remove the " +
                     std::string(kBreakGlassLabel) + " label, or " + suggestion(settings, now)};
      }
      return *at;
    }
    const std::optional<double> millis = parseDurationMillis(*written);
    if (!millis) {
      return Error{expires_key + " \"" + std::string(*written) +
                   "\" is neither an RFC 3339 time (\"2026-12-07T18:00:00Z\") nor a duration (\"4h\")"};
    }
    const milliseconds duration(static_cast<milliseconds::rep>(*millis));
    if (duration > settings.max_duration) {
      return Error{expires_key + " \"" + std::string(*written) + "\" is longer than " + maxDurationText(settings) +
                   "; " + suggestion(settings, now)};
    }
    const Clock::time_point expiry = created.value_or(now) + duration;
    if (now >= expiry) {
      return Error{"the break-glass expired at " + formatRfc3339Millis(expiry) + " (" + expires_key + " \"" +
                   std::string(*written) + "\" counts from the object's creation at " +
                   formatRfc3339Millis(created.value_or(now)) + "); " + suggestion(settings, now)};
    }
    return expiry;
  }

  const bool carried = request.facts.operation != "CREATE" && carriesBreakGlassLabel(request.old_object);
  const Clock::time_point start = carried ? created.value_or(now) : now;
  const Clock::time_point expiry = start + settings.max_duration;
  if (now >= expiry) {
    return Error{"the " + std::string(kBreakGlassLabel) + " label was already on this object, created at " +
                 formatRfc3339Millis(start) + ", more than " + maxDurationText(settings) +
                 " ago, so it no longer bypasses; to bypass again, " + suggestion(settings, now)};
  }
  return expiry;
}

}  // namespace meshward::admission

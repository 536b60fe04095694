#include "policies/common/quantity_field.h"

#include "webhook/common/quantity.h"

namespace meshward::policies {

QuantityField readQuantityField(const nlohmann::json* value) {
  QuantityField field;
  if (value == nullptr || value->is_null()) {
    return field;
  }
  if (value->is_string()) {
    field.text = value->get<std::string>();
  } else {
    field.text = value->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (!value->is_number()) {
      field.state = QuantityField::State::Invalid;
      return field;
    }
  }
  const std::optional<std::int64_t> bytes = parseQuantityBytes(field.text);
  field.state = bytes ? QuantityField::State::Valid : QuantityField::State::Invalid;
  field.bytes = bytes.value_or(0);
  return field;
}

}  // namespace meshward::policies

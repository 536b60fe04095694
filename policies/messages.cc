#include "policies/messages.h"

namespace meshward::policies {

const std::vector<MessageCode>& allMessages() {
#define MESHWARD_LIST_MESSAGE(name_, code_, title_) messages::name_,
  static const std::vector<MessageCode> catalogue = {MESHWARD_MESSAGES(MESHWARD_LIST_MESSAGE)};
#undef MESHWARD_LIST_MESSAGE
  return catalogue;
}

}  // namespace meshward::policies

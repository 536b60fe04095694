#include "webhook/server/termination_signals.h"

namespace meshward::server {

TerminationSignals::TerminationSignals() : owner_(pthread_self()) {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
}

int TerminationSignals::wait() {
  int received = SIGTERM;
  if (sigwait(&signals_, &received) != 0) {
    return SIGTERM;
  }
  return received;
}

void TerminationSignals::interrupt() { pthread_kill(owner_, SIGTERM); }

}  // namespace meshward::server

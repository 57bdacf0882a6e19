// TL_CHECK(condition): an invariant that holds in every build, production included. If it does
// not, the process says where on stderr and aborts before anything further is written: a wrong
// balance, sequence or verdict must stop the writer, not be found by a later audit.
#ifndef TIMELEDGER_LEDGER_CHECK_H_
#define TIMELEDGER_LEDGER_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define TL_CHECK(condition)                                                                  \
  do {                                                                                       \
    if (!(condition)) [[unlikely]] {                                                         \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (false)

#endif  // TIMELEDGER_LEDGER_CHECK_H_

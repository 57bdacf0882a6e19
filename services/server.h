// Server: timeledgerd's gRPC server around a Ledger, with health checking (services/health.h),
// reflection, a log line and metrics for every call (services/call_log.h) and, if asked, the
// metrics endpoint (services/metrics_endpoint.h).
//
// Owns the service objects and the grpc::Server; borrows the Ledger, which must outlive it.
// Start returns once the server is listening. Shutdown stops taking calls and waits up to its
// deadline for calls in flight. Thread-safe.
#ifndef TIMELEDGER_SERVICES_SERVER_H_
#define TIMELEDGER_SERVICES_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include <grpcpp/grpcpp.h>

#include "ledger/engine/ledger.h"
#include "services/access.h"
#include "services/access_service.h"
#include "services/audit_service.h"
#include "services/call_log.h"
#include "services/catalogue_service.h"
#include "services/health.h"
#include "services/kiosk_desk.h"
#include "services/kiosk_service.h"
#include "services/metrics_endpoint.h"
#include "services/reports_service.h"
#include "services/server_metrics.h"
#include "services/services.h"

namespace timeledger::services {

// A gRPC message larger than this is refused before it is parsed.
inline constexpr int kMessageBytesMax = 4 << 20;
// Calls one connection may have in flight at once; more wait for a slot.
inline constexpr int kConcurrentStreamsMax = 256;

// Every field has an initializer, so that ServerOptions{"127.0.0.1:0"} names only the address.
struct ServerOptions {
  std::string listen_address = "127.0.0.1:50051";  // "HOST:0" picks a free port
  GateOptions gate = GateOptions();                // rate limits of each role

  // Transport security (services/tls.h). TLS when tls_cert_file is set; PEM files.
  std::string tls_cert_file = "";        // the server's certificate, then any intermediates
  std::string tls_key_file = "";         // its private key, unencrypted
  std::string tls_client_ca_file = "";   // set: clients' certificates are asked for and verified
  bool tls_require_client_cert = false;  // with tls_client_ca_file: no valid certificate, no call
  // Plaintext on an address other machines can reach; refused without this, warned about with it.
  bool allow_insecure_plaintext = false;

  // Where to serve Prometheus metrics (services/metrics_endpoint.h), HOST:PORT; "": nowhere.
  // Whether a host other than loopback is allowed is timeledgerd's flags' to decide.
  std::string metrics_address = "";

  // The change feed, Audit.WatchJournal (services/journal_feed.h): streams per token, keepalive.
  FeedOptions feed = FeedOptions();
};

class Server {
 public:
  // Returns the listening server, the errors of MakeServerCredentials (services/tls.h) for bad
  // TLS files or plaintext that is not allowed, or Unavailable if the address cannot be bound.
  // Plaintext on a non-loopback address with allow_insecure_plaintext is logged to stderr.
  static absl::StatusOr<std::unique_ptr<Server>> Start(ledger::Ledger* ledger,
                                                       const ServerOptions& options);
  ~Server();

  // The change feed's streams (for tests: CancelAllForTest, open_streams).
  JournalFeed& feed() { return audit_.feed(); }

  // The port actually bound (useful with port 0).
  int port() const { return port_; }
  // The metrics endpoint's port, or 0 if it is off.
  int metrics_port() const { return metrics_endpoint_ == nullptr ? 0 : metrics_endpoint_->port(); }
  // Ends the change feed's streams first (UNAVAILABLE SHUTTING_DOWN): gRPC's own shutdown waits
  // for every open call, and a stream would otherwise hold it until the grace ran out.
  void Shutdown(absl::Duration grace);

 private:
  Server(ledger::Ledger* ledger, const ServerOptions& options);

  CallPrincipals principals_;  // before the gate, which names them
  Gate gate_;                  // before the services, which borrow it
  ledger::KioskDesk desk_;     // before ledger_service_ and kiosk_, which borrow it
  ServerMetrics metrics_;      // borrows the desk
  AccessService access_;
  BanksService banks_;
  AccountsService accounts_;
  LedgerService ledger_service_;
  PoliciesService policies_;
  AuditService audit_;
  BackupsService backups_;
  ReportsService reports_;
  KioskService kiosk_;
  CatalogueService catalogue_;
  QualificationsService qualifications_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<HealthReporter> health_;  // after server_, whose health service it sets
  std::unique_ptr<MetricsEndpoint> metrics_endpoint_;  // null: off
  int port_ = 0;
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_SERVER_H_

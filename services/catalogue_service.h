// The gRPC services of qualifications, activities and offers: Catalogue and Qualifications
// (timeledger/v1/catalogue.proto).
//
// Each handler translates its request into one ledger::Ledger call and the result back
// (services/catalogue_convert.h); no business rule lives here, not even "staff only", which the
// ledger checks against the caller's account. Writes complete on the ledger's writer after the
// durable commit. The services borrow the Ledger, which must outlive the server. Thread-safe.
#ifndef TIMELEDGER_SERVICES_CATALOGUE_SERVICE_H_
#define TIMELEDGER_SERVICES_CATALOGUE_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "ledger/engine/ledger.h"
#include "services/access.h"
#include "timeledger/v1/catalogue.grpc.pb.h"

namespace timeledger::services {

class CatalogueService final : public v1::Catalogue::CallbackService {
 public:
  CatalogueService(ledger::Ledger* ledger, Gate* gate) : ledger_(ledger), gate_(gate) {}

  grpc::ServerUnaryReactor* PutCatalogueItem(grpc::CallbackServerContext* context,
                                             const v1::PutCatalogueItemRequest* request,
                                             v1::CatalogueItem* response) override;
  grpc::ServerUnaryReactor* RetireCatalogueItem(grpc::CallbackServerContext* context,
                                                const v1::RetireCatalogueItemRequest* request,
                                                v1::CatalogueItem* response) override;
  grpc::ServerUnaryReactor* GetCatalogueItem(grpc::CallbackServerContext* context,
                                             const v1::GetCatalogueItemRequest* request,
                                             v1::CatalogueItem* response) override;
  grpc::ServerUnaryReactor* ListCatalogue(grpc::CallbackServerContext* context,
                                          const v1::ListCatalogueRequest* request,
                                          v1::ListCatalogueResponse* response) override;

 private:
  ledger::Ledger* ledger_;
  Gate* gate_;
};

class QualificationsService final : public v1::Qualifications::CallbackService {
 public:
  QualificationsService(ledger::Ledger* ledger, Gate* gate) : ledger_(ledger), gate_(gate) {}

  grpc::ServerUnaryReactor* AwardQualification(grpc::CallbackServerContext* context,
                                               const v1::AwardQualificationRequest* request,
                                               v1::AwardQualificationResponse* response) override;
  grpc::ServerUnaryReactor* RedeemOffer(grpc::CallbackServerContext* context,
                                        const v1::RedeemOfferRequest* request,
                                        v1::RedeemOfferResponse* response) override;
  grpc::ServerUnaryReactor* ListQualifications(grpc::CallbackServerContext* context,
                                               const v1::ListQualificationsRequest* request,
                                               v1::ListQualificationsResponse* response) override;
  grpc::ServerUnaryReactor* ListHolders(grpc::CallbackServerContext* context,
                                        const v1::ListHoldersRequest* request,
                                        v1::ListHoldersResponse* response) override;

 private:
  ledger::Ledger* ledger_;
  Gate* gate_;
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_CATALOGUE_SERVICE_H_

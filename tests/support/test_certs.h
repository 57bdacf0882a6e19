// Test certificates made at test time with OpenSSL's C API (no `openssl` program needed): a CA,
// a server certificate for localhost and 127.0.0.1, two client certificates of other subjects
// from the same CA, and a second, unrelated CA with a client certificate of its own. P-256 keys,
// so that making them all takes milliseconds.
//
// Header-only, so that the TLS tests and the e2e tests' certificate helper share it; whoever
// includes it links OpenSSL::Crypto. Aborts the test program if OpenSSL fails. Not thread-safe.
#ifndef TIMELEDGER_TESTS_SUPPORT_TEST_CERTS_H_
#define TIMELEDGER_TESTS_SUPPORT_TEST_CERTS_H_

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace timeledger::testing {

namespace test_certs_internal {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

inline void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "test_certs: OpenSSL failed to %s\n", what);
    std::abort();
  }
}

inline std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, size > 0 ? static_cast<size_t>(size) : 0);
}

inline std::string CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_X509(bio.get(), cert) == 1, "write a certificate");
  return BioText(bio.get());
}

inline std::string KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "write a key");
  return BioText(bio.get());
}

// Adds the extension `nid` with `value` in openssl.cnf syntax, e.g. "critical,CA:TRUE".
inline void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  Check(extension != nullptr, "make an extension");
  Check(X509_add_ext(cert, extension, -1) == 1, "add an extension");
  X509_EXTENSION_free(extension);
}

}  // namespace test_certs_internal

// A certificate and its private key, both PEM.
struct TestIdentity {
  std::string cert_pem;
  std::string key_pem;
};

// What a leaf certificate is for.
enum class CertUse { kServer, kClient };

// A self-signed CA that issues certificates; its key lives in memory only.
class TestCa {
 public:
  explicit TestCa(const std::string& name) : key_(NewKey()) {
    cert_ = NewCert(name, key_.get(), 1, -3600, 86400);
    X509_set_issuer_name(cert_.get(), X509_get_subject_name(cert_.get()));
    using test_certs_internal::AddExtension;
    AddExtension(cert_.get(), cert_.get(), NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert_.get(), cert_.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    AddExtension(cert_.get(), cert_.get(), NID_subject_key_identifier, "hash");
    Sign(cert_.get());
  }

  std::string cert_pem() const { return test_certs_internal::CertPem(cert_.get()); }

  // A certificate for `name` signed by this CA; `alt_names` as subjectAltName takes them, e.g.
  // "DNS:localhost,IP:127.0.0.1" (empty: none). Valid from `from_seconds` to `to_seconds`
  // relative to now.
  TestIdentity Issue(const std::string& name, CertUse use, const std::string& alt_names,
                     long from_seconds = -3600, long to_seconds = 86400) {
    using test_certs_internal::AddExtension;
    test_certs_internal::PkeyPtr key = NewKey();
    test_certs_internal::X509Ptr cert =
        NewCert(name, key.get(), ++serial_, from_seconds, to_seconds);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(cert_.get()));
    AddExtension(cert.get(), cert_.get(), NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert.get(), cert_.get(), NID_key_usage, "critical,digitalSignature");
    AddExtension(cert.get(), cert_.get(), NID_ext_key_usage,
                 use == CertUse::kServer ? "serverAuth" : "clientAuth");
    AddExtension(cert.get(), cert_.get(), NID_authority_key_identifier, "keyid:always");
    if (!alt_names.empty()) {
      AddExtension(cert.get(), cert_.get(), NID_subject_alt_name, alt_names.c_str());
    }
    Sign(cert.get());
    return {test_certs_internal::CertPem(cert.get()), test_certs_internal::KeyPem(key.get())};
  }

 private:
  static test_certs_internal::PkeyPtr NewKey() {
    test_certs_internal::PkeyPtr key(EVP_EC_gen("P-256"));
    test_certs_internal::Check(key != nullptr, "make a P-256 key");
    return key;
  }

  static test_certs_internal::X509Ptr NewCert(const std::string& name, EVP_PKEY* key, long serial,
                                              long from_seconds, long to_seconds) {
    test_certs_internal::X509Ptr cert(X509_new());
    X509_set_version(cert.get(), X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), from_seconds);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), to_seconds);
    X509_set_pubkey(cert.get(), key);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
    return cert;
  }

  void Sign(X509* cert) {
    test_certs_internal::Check(X509_sign(cert, key_.get(), EVP_sha256()) > 0, "sign");
  }

  test_certs_internal::PkeyPtr key_;
  test_certs_internal::X509Ptr cert_;
  long serial_ = 1;
};

inline void WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  test_certs_internal::Check(static_cast<bool>(out), "write a file");
}

// The paths of the files WriteTestCertificates writes.
struct TestCertFiles {
  std::string ca;           // the CA that signs the server and the client
  std::string server_cert;  // CN timeledgerd, for DNS:localhost and IP:127.0.0.1
  std::string server_key;
  std::string client_cert;  // CN partner-a, signed by ca
  std::string client_key;
  std::string other_ca;           // an unrelated CA
  std::string other_client_cert;  // CN intruder, signed by other_ca
  std::string other_client_key;
  std::string second_client_cert;  // CN partner-b, signed by ca: valid, of another subject
  std::string second_client_key;
};

// Makes the certificates and writes them as PEM files into `dir`; returns their paths.
inline TestCertFiles WriteTestCertificates(const std::string& dir) {
  TestCertFiles files{
      dir + "/ca.pem",           dir + "/server.pem",       dir + "/server.key",
      dir + "/client.pem",       dir + "/client.key",       dir + "/other-ca.pem",
      dir + "/other-client.pem", dir + "/other-client.key", dir + "/second-client.pem",
      dir + "/second-client.key"};
  TestCa ca("Timeledger Test CA");
  TestCa other_ca("Unrelated Test CA");
  const TestIdentity server =
      ca.Issue("timeledgerd", CertUse::kServer, "DNS:localhost,IP:127.0.0.1");
  const TestIdentity client = ca.Issue("partner-a", CertUse::kClient, "");
  const TestIdentity intruder = other_ca.Issue("intruder", CertUse::kClient, "");
  const TestIdentity second = ca.Issue("partner-b", CertUse::kClient, "");
  WriteTextFile(files.ca, ca.cert_pem());
  WriteTextFile(files.server_cert, server.cert_pem);
  WriteTextFile(files.server_key, server.key_pem);
  WriteTextFile(files.client_cert, client.cert_pem);
  WriteTextFile(files.client_key, client.key_pem);
  WriteTextFile(files.other_ca, other_ca.cert_pem());
  WriteTextFile(files.other_client_cert, intruder.cert_pem);
  WriteTextFile(files.other_client_key, intruder.key_pem);
  WriteTextFile(files.second_client_cert, second.cert_pem);
  WriteTextFile(files.second_client_key, second.key_pem);
  return files;
}

}  // namespace timeledger::testing

#endif  // TIMELEDGER_TESTS_SUPPORT_TEST_CERTS_H_

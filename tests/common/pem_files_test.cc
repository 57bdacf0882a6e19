// The one PEM loader: a certificate and its key, each problem a sentence naming the file and a
// PemProblem a caller can give its own reason.
#include "common/pem_files.h"

#include <string>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

namespace timeledger::common {
namespace {

class PemFilesTest : public ::testing::Test {
 protected:
  void SetUp() override { files_ = testing::WriteTestCertificates(dir_.path()); }

  KeyPairFiles Files(const std::string& cert, const std::string& key) const {
    return KeyPairFiles{
        .cert_what = "cert file", .cert_file = cert, .key_what = "key file", .key_file = key};
  }

  testing::TempDir dir_;
  testing::TestCertFiles files_;
};

TEST_F(PemFilesTest, LoadsACertificateWithItsKey) {
  auto pair = LoadKeyPair(Files(files_.server_cert, files_.server_key));
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_NE(pair->cert, nullptr);
  EXPECT_NE(pair->key, nullptr);
  EXPECT_NE(pair->cert_pem.find("-----BEGIN CERTIFICATE-----"), std::string::npos);
  EXPECT_TRUE(CheckValidNow(files_.server_cert, pair->cert.get(), "clients").ok());
}

TEST_F(PemFilesTest, AKeyOfAnotherCertificateIsAMismatchNamingBothFiles) {
  auto pair = LoadKeyPair(Files(files_.server_cert, files_.client_key));
  ASSERT_FALSE(pair.ok());
  EXPECT_EQ(pair.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(PemProblemOf(pair.status()), PemProblem::kKeyMismatch);
  EXPECT_EQ(pair.status().message(), "the private key in " + files_.client_key +
                                         " does not match the certificate in " +
                                         files_.server_cert);
}

TEST_F(PemFilesTest, EachProblemIsNamed) {
  const std::string missing = dir_.path() + "/missing.pem";
  auto unreadable = LoadKeyPair(Files(missing, files_.server_key));
  EXPECT_EQ(PemProblemOf(unreadable.status()), PemProblem::kUnreadable);
  EXPECT_NE(unreadable.status().message().find("cannot read the cert file " + missing),
            std::string::npos);

  auto no_cert = LoadKeyPair(Files(files_.server_key, files_.server_key));
  EXPECT_EQ(PemProblemOf(no_cert.status()), PemProblem::kNoCertificate);

  auto no_key = LoadKeyPair(Files(files_.server_cert, files_.server_cert));
  EXPECT_EQ(PemProblemOf(no_key.status()), PemProblem::kNoKey);
  EXPECT_NE(no_key.status().message().find("holds no unencrypted PEM private key"),
            std::string::npos);

  const std::string large = dir_.path() + "/large.pem";
  testing::WriteTextFile(large, std::string(kPemFileBytesMax + 1, 'x'));
  EXPECT_EQ(PemProblemOf(ReadPemFile("cert file", large).status()), PemProblem::kTooLarge);
}

TEST_F(PemFilesTest, OtherStatusesHaveNoPemProblem) {
  EXPECT_EQ(PemProblemOf(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(PemProblemOf(absl::FailedPreconditionError("x")), std::nullopt);
}

}  // namespace
}  // namespace timeledger::common

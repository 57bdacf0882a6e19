// The kiosk's host allowlist, its Origin check and its page transport: which Host and Origin
// headers are answered (DNS rebinding and cross-site POSTs are not), and which listen addresses
// and certificate files it starts with. The end-to-end test (tests/e2e/kiosk_host_test.sh) runs
// the same rules through the real binaries.
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "clients/kiosk/host_guard.h"
#include "clients/kiosk/transport.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

namespace timeledger::kiosk {
namespace {

HostGuard LoopbackGuard(bool https = false) {
  auto guard = HostGuard::Make({}, "127.0.0.1", 8080, https);
  EXPECT_TRUE(guard.ok()) << guard.status();
  return *std::move(guard);
}

Request MakeRequest(http::verb method, const std::string& host, const std::string& origin) {
  Request request(method, "/api/sign-in", 11);
  if (!host.empty()) request.set(http::field::host, host);
  if (!origin.empty()) request.set(http::field::origin, origin);
  return request;
}

TEST(HostGuardTest, ParsesNamesAddressesAndPorts) {
  EXPECT_EQ(ParseHostAndPort("Kiosk.Hall.Example:8443", 80),
            (HostAndPort{"kiosk.hall.example", 8443}));
  EXPECT_EQ(ParseHostAndPort("localhost", 80), (HostAndPort{"localhost", 80}));
  EXPECT_EQ(ParseHostAndPort("[0:0::1]:8080", 80), (HostAndPort{"[::1]", 8080}));
  for (const char* bad : {"", ":8080", "evil.example:", "evil.example:0", "evil.example:65536",
                          "evil.example:+80", "evil.example:80:80", "::1", "[::1", "[nope]:80",
                          "user@evil.example", "evil.example/path", "evil example", "a\tb"}) {
    EXPECT_FALSE(ParseHostAndPort(bad, 80).has_value()) << bad;
  }
  EXPECT_FALSE(ParseHostAndPort(std::string(kHostNameBytesMax + 1, 'a'), 80).has_value());
}

TEST(HostGuardTest, AnswersTheListenAddressAndLocalhostByDefault) {
  const HostGuard guard = LoopbackGuard();
  EXPECT_TRUE(guard.HostAllowed("127.0.0.1:8080"));
  EXPECT_TRUE(guard.HostAllowed("localhost:8080"));
  EXPECT_TRUE(guard.HostAllowed("LocalHost:8080"));
  EXPECT_EQ(guard.Describe(), "http://127.0.0.1:8080, http://localhost:8080");
}

TEST(HostGuardTest, RefusesARebindingNameAndOtherPorts) {
  const HostGuard guard = LoopbackGuard();
  EXPECT_FALSE(guard.HostAllowed("evil.example:8080"));
  EXPECT_FALSE(guard.HostAllowed("127.0.0.1.evil.example:8080"));
  EXPECT_FALSE(guard.HostAllowed("127.0.0.1:8081"));
  EXPECT_FALSE(guard.HostAllowed("127.0.0.1"));  // port 80
  EXPECT_FALSE(guard.HostAllowed("localhost.:8080"));
  EXPECT_FALSE(guard.HostAllowed(""));
}

TEST(HostGuardTest, HostsGivenReplaceTheDefaultsAndTakeTheListenPort) {
  auto guard = HostGuard::Make({"kiosk.hall.example", "192.0.2.7:443"}, "0.0.0.0", 8443, true);
  ASSERT_TRUE(guard.ok()) << guard.status();
  EXPECT_TRUE(guard->HostAllowed("kiosk.hall.example:8443"));
  EXPECT_TRUE(guard->HostAllowed("192.0.2.7"));  // https: port 443 by default
  EXPECT_FALSE(guard->HostAllowed("localhost:8443"));
  EXPECT_FALSE(guard->HostAllowed("0.0.0.0:8443"));
  EXPECT_TRUE(guard->OriginAllowed("https://kiosk.hall.example:8443"));
  EXPECT_FALSE(guard->OriginAllowed("http://kiosk.hall.example:8443"));
}

TEST(HostGuardTest, AWildcardListenAddressIsNotAHostName) {
  auto guard = HostGuard::Make({}, "0.0.0.0", 8080, false);
  ASSERT_TRUE(guard.ok()) << guard.status();
  EXPECT_FALSE(guard->HostAllowed("0.0.0.0:8080"));
  EXPECT_TRUE(guard->HostAllowed("localhost:8080"));
}

TEST(HostGuardTest, IPv6ListenAddressIsAllowedInBrackets) {
  auto guard = HostGuard::Make({}, "[::1]", 8080, false);
  ASSERT_TRUE(guard.ok()) << guard.status();
  EXPECT_TRUE(guard->HostAllowed("[::1]:8080"));
  EXPECT_TRUE(guard->HostAllowed("[0::1]:8080"));
}

TEST(HostGuardTest, RefusesHostValuesThatAreNotHostNames) {
  auto bad = HostGuard::Make({"http://kiosk.hall.example"}, "0.0.0.0", 8080, false);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--host http://kiosk.hall.example"), std::string::npos);
  EXPECT_FALSE(HostGuard::Make(std::vector<std::string>(kAllowedHostsMax + 1, "kiosk"), "0.0.0.0",
                               8080, false)
                   .ok());
}

TEST(HostGuardTest, OriginMustBeAnAllowedHostsOrigin) {
  const HostGuard guard = LoopbackGuard();
  EXPECT_TRUE(guard.OriginAllowed("http://127.0.0.1:8080"));
  EXPECT_TRUE(guard.OriginAllowed("http://localhost:8080"));
  for (const char* bad : {"", "null", "http://evil.example:8080", "https://127.0.0.1:8080",
                          "http://127.0.0.1:8081", "http://127.0.0.1", "http://127.0.0.1:8080/",
                          "127.0.0.1:8080", "http://user@127.0.0.1:8080"}) {
    EXPECT_FALSE(guard.OriginAllowed(bad)) << bad;
  }
}

TEST(HostGuardTest, ForeignHostGets421WithAPlainMessage) {
  const HostGuard guard = LoopbackGuard();
  for (const char* host : {"evil.example:8080", ""}) {
    auto refusal = guard.Refusal(MakeRequest(http::verb::get, host, ""));
    ASSERT_TRUE(refusal.has_value()) << host;
    EXPECT_EQ(refusal->result(), http::status::misdirected_request);
    EXPECT_EQ(refusal->at(http::field::content_type), "text/plain; charset=utf-8");
    EXPECT_EQ(refusal->body(), "This kiosk does not answer to that host name.\n");
    EXPECT_FALSE(refusal->keep_alive());
    EXPECT_EQ(refusal->at(http::field::cache_control), "no-store");
  }
  // Even with the kiosk's own Origin: the Host decides where the request went.
  EXPECT_TRUE(
      guard.Refusal(MakeRequest(http::verb::post, "evil.example:8080", "http://127.0.0.1:8080"))
          .has_value());
}

TEST(HostGuardTest, TwoHostHeadersAreRefused) {
  const HostGuard guard = LoopbackGuard();
  Request request = MakeRequest(http::verb::get, "127.0.0.1:8080", "");
  request.insert(http::field::host, "evil.example:8080");
  auto refusal = guard.Refusal(request);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->result(), http::status::misdirected_request);
}

TEST(HostGuardTest, PostWithoutOrForeignOriginGets403) {
  const HostGuard guard = LoopbackGuard();
  for (const char* origin : {"", "null", "http://evil.example:8080"}) {
    auto refusal = guard.Refusal(MakeRequest(http::verb::post, "127.0.0.1:8080", origin));
    ASSERT_TRUE(refusal.has_value()) << origin;
    EXPECT_EQ(refusal->result(), http::status::forbidden);
    EXPECT_EQ(refusal->body(), "This kiosk takes changes only from its own page.\n");
  }
  EXPECT_TRUE(guard.Refusal(MakeRequest(http::verb::put, "127.0.0.1:8080", "")).has_value());
}

TEST(HostGuardTest, OwnPageIsLetThrough) {
  const HostGuard guard = LoopbackGuard();
  EXPECT_FALSE(guard.Refusal(MakeRequest(http::verb::get, "127.0.0.1:8080", "")).has_value());
  EXPECT_FALSE(guard.Refusal(MakeRequest(http::verb::head, "localhost:8080", "")).has_value());
  EXPECT_FALSE(
      guard.Refusal(MakeRequest(http::verb::post, "127.0.0.1:8080", "http://127.0.0.1:8080"))
          .has_value());
  EXPECT_FALSE(
      guard.Refusal(MakeRequest(http::verb::post, "localhost:8080", "http://localhost:8080"))
          .has_value());
}

TEST(HostGuardTest, ARefusedRequestNeverReachesTheHandler) {
  int calls = 0;
  const Handler handler =
      Guarded(std::make_shared<const HostGuard>(LoopbackGuard()), [&calls](const Request& r) {
        ++calls;
        return JsonResponse(http::status::ok, "{}", r.version(), true);
      });
  EXPECT_EQ(handler(MakeRequest(http::verb::post, "evil.example:8080", "http://evil.example:8080"))
                .result(),
            http::status::misdirected_request);
  EXPECT_EQ(handler(MakeRequest(http::verb::post, "127.0.0.1:8080", "")).result(),
            http::status::forbidden);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(
      handler(MakeRequest(http::verb::post, "127.0.0.1:8080", "http://127.0.0.1:8080")).result(),
      http::status::ok);
  EXPECT_EQ(calls, 1);
}

TEST(TransportTest, LoopbackHosts) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host :
       {"0.0.0.0", "::", "[::]", "192.0.2.7", "kiosk.hall.example", "", "[::1"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(TransportTest, PlaintextOnlyOnLoopbackUnlessAllowed) {
  EXPECT_TRUE(CheckPlaintextAllowed({.listen_host = "127.0.0.1", .listen = "127.0.0.1:8080"}).ok());
  const absl::Status refused =
      CheckPlaintextAllowed({.listen_host = "0.0.0.0", .listen = "0.0.0.0:8080"});
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("refusing to serve plain HTTP on 0.0.0.0:8080"),
            std::string::npos);
  EXPECT_NE(refused.message().find("--insecure-plaintext"), std::string::npos);
  const TransportOptions allowed{
      .listen_host = "0.0.0.0", .listen = "0.0.0.0:8080", .allow_insecure_plaintext = true};
  EXPECT_TRUE(CheckPlaintextAllowed(allowed).ok());
  EXPECT_TRUE(IsInsecurePlaintext(allowed));
  EXPECT_FALSE(IsInsecurePlaintext({.listen_host = "0.0.0.0", .cert_file = "c", .key_file = "k"}));
}

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override { files_ = testing::WriteTestCertificates(dir_.path()); }

  absl::Status Make(const std::string& cert, const std::string& key) {
    return MakeTlsContext({.listen_host = "0.0.0.0", .cert_file = cert, .key_file = key}).status();
  }

  testing::TempDir dir_;
  testing::TestCertFiles files_;
};

TEST_F(TlsContextTest, MadeFromACertificateAndItsKey) {
  EXPECT_TRUE(Make(files_.server_cert, files_.server_key).ok());
}

TEST_F(TlsContextTest, BadFilesAreNamed) {
  const std::string absent = dir_.path() + "/absent.pem";
  absl::Status status = Make(absent, files_.server_key);
  EXPECT_NE(status.message().find("cannot read the HTTPS certificate file " + absent),
            std::string::npos)
      << status;
  status = Make(files_.server_cert, files_.client_key);
  EXPECT_NE(status.message().find("private key in " + files_.client_key +
                                  " does not match the certificate in " + files_.server_cert),
            std::string::npos)
      << status;
  status = Make(files_.server_key, files_.server_key);
  EXPECT_NE(status.message().find(files_.server_key + " holds no PEM certificate"),
            std::string::npos)
      << status;
  status = Make(files_.server_cert, files_.server_cert);
  EXPECT_NE(status.message().find(files_.server_cert + " holds no unencrypted PEM private key"),
            std::string::npos)
      << status;
  EXPECT_EQ(Make(files_.server_cert, "").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Make("", files_.server_key).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TlsContextTest, ExpiredCertificateIsRefused) {
  testing::TestCa ca("Expired Test CA");
  const testing::TestIdentity old =
      ca.Issue("kiosk", testing::CertUse::kServer, "DNS:localhost", -7200, -3600);
  testing::WriteTextFile(dir_.path() + "/old.pem", old.cert_pem);
  testing::WriteTextFile(dir_.path() + "/old.key", old.key_pem);
  const absl::Status status = Make(dir_.path() + "/old.pem", dir_.path() + "/old.key");
  EXPECT_NE(status.message().find("has expired"), std::string::npos) << status;
}

}  // namespace
}  // namespace timeledger::kiosk

// HTTPS: the hub's certificate must chain to a trusted CA and name the host. Certificates are
// made for the test with the openssl command (skipped when it is missing).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "share/mock_taxii.h"
#include "share/pull.h"
#include "share/share_test_util.h"

namespace tocsin::share {
namespace {

using testing::CapturedMessages;
using testing::fast_transport;
using testing::kCollection;
using testing::MockTaxii;
using testing::TempFolder;

bool run(const std::string& command) {
    return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

// A CA, and two server certificates it signs: one for 127.0.0.1 and localhost, one for
// another name only.
class Certificates {
  public:
    Certificates() {
        if (!run("command -v openssl")) return;
        const std::string d = folder_.path().string();
        const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
        ok_ = run("cd " + d + " && openssl req -x509 " + ec +
                  " -keyout ca.key -out ca.pem -days 2 -subj /CN=Tocsin-Test-CA"
                  " -addext basicConstraints=critical,CA:TRUE"
                  " -addext keyUsage=critical,keyCertSign,cRLSign") &&
              make_server("right", "subjectAltName=IP:127.0.0.1,DNS:localhost") &&
              make_server("wrong", "subjectAltName=DNS:wrong.example");
    }
    bool ok() const { return ok_; }
    std::string path(const std::string& name) const { return (folder_.path() / name).string(); }

  private:
    bool make_server(const std::string& name, const std::string& san) {
        const std::string d = folder_.path().string();
        std::ofstream(folder_.path() / (name + ".ext")) << san << "\n";
        return run("cd " + d +
                   " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
                   " -keyout " +
                   name + ".key -out " + name + ".csr -subj /CN=" + name) &&
               run("cd " + d + " && openssl x509 -req -in " + name +
                   ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out " + name +
                   ".pem -extfile " + name + ".ext");
    }

    TempFolder folder_;
    bool ok_ = false;
};

class ShareTls : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!certificates().ok()) GTEST_SKIP() << "the openssl command is not available";
    }

    std::unique_ptr<MockTaxii> serve(const std::string& name) {
        auto server = std::make_unique<httplib::SSLServer>(
            certificates().path(name + ".pem").c_str(), certificates().path(name + ".key").c_str());
        auto mock = std::make_unique<MockTaxii>(std::move(server));
        mock->add_indicators(3);
        return mock;
    }

    PullResult pull(const MockTaxii& mock, const std::string& ca_cert) {
        PullOptions o;
        o.url = mock.api_root_url();
        o.collection = kCollection;
        o.store = store.path();
        o.transport = fast_transport();
        o.transport.ca_cert_file = ca_cert;
        return pull_collection(o, captured.messages);
    }

    // Made once, on first use (not while tests are being listed).
    static const Certificates& certificates() {
        static const Certificates made;
        return made;
    }
    TempFolder store;
    CapturedMessages captured;
};

TEST_F(ShareTls, PullsFromAHubWhoseCertificateChainsToTheGivenCa) {
    const auto mock = serve("right");
    EXPECT_EQ(mock->api_root_url().substr(0, 8), "https://");
    const PullResult result = pull(*mock, certificates().path("ca.pem"));
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.objects, 3u);
}

TEST_F(ShareTls, RefusesACertificateNoTrustedCaIssued) {
    const auto mock = serve("right");
    const PullResult result = pull(*mock, "");  // the system's CAs do not know the test CA
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("not trusted"), std::string::npos) << result.error;
    EXPECT_EQ(result.objects, 0u);
}

TEST_F(ShareTls, RefusesACertificateForAnotherName) {
    const auto mock = serve("wrong");
    const PullResult result = pull(*mock, certificates().path("ca.pem"));
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("not trusted"), std::string::npos) << result.error;
    EXPECT_NE(result.error.find("127.0.0.1"), std::string::npos) << result.error;
}

}  // namespace
}  // namespace tocsin::share

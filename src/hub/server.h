// The TAXII 2.1 server: discovery, API roots, collections, objects (GET, POST), object (GET,
// DELETE), versions, manifest and status, over HTTPS (or plain HTTP on loopback only), with
// partner authentication and TLP 2.0 applied to everything that leaves.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "hub/config.h"
#include "hub/store.h"

namespace tocsin::hub {

class HubStartError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Why this configuration must not start (plain HTTP on a non-loopback address), or "".
std::string refusal_reason(const HubConfig& config);

class HubServer {
  public:
    // Opens the database (created when missing). Throws StoreError / SqliteError.
    explicit HubServer(HubConfig config);
    ~HubServer();
    HubServer(const HubServer&) = delete;
    HubServer& operator=(const HubServer&) = delete;

    // Loads TLS material and binds; port 0 in the configuration picks a free port. Returns the
    // bound port. Throws HubStartError with a message for the operator.
    int bind();
    // Serves until stop(); returns false when the listener failed.
    bool serve();
    void stop();

    Store& store();
    const HubConfig& config() const;

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tocsin::hub

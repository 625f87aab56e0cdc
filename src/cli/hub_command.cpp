#include "cli/hub_command.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "core/config.h"
#include "hub/auth.h"
#include "hub/config.h"
#include "hub/server.h"
#include "hub/stix.h"
#include "hub/store.h"

namespace tocsin::cli {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Partner names travel as the HTTP Basic user name: no ':' and nothing invisible.
bool valid_partner_name(const std::string& name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.' || c == '@';
    });
}

std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int serve(const hub::HubConfig& config) {
    // SIGINT/SIGTERM are taken by a thread of their own (sigwait), so stopping the server never
    // runs inside a signal handler. The mask is set before any thread starts and is inherited.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    hub::HubServer server(config);
    const int port = server.bind();
    fmt::print(stderr, "tocsin hub: serving TAXII 2.1 at {}://{}:{}/taxii2/ ({} API root(s))\n",
               config.tls() ? "https" : "http", config.listen_address, port,
               config.api_roots.size());
    std::atomic<bool> stopping = false;
    std::thread signal_thread([&] {
        int signal = 0;
        sigwait(&stop_signals, &signal);
        stopping = true;
        server.stop();
    });
    const bool ok = server.serve();
    if (!stopping) pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
    if (!ok && !stopping) {
        fmt::print(stderr, "tocsin hub: the listener failed\n");
        return kExitFailure;
    }
    fmt::print(stderr, "tocsin hub: stopped\n");
    return 0;
}

std::vector<hub::Grant> grants_of(const HubCommand::Args& args) {
    std::vector<hub::Grant> grants;
    const auto grant = [&](const std::string& id) -> hub::Grant& {
        for (auto& g : grants)
            if (g.collection == id) return g;
        return grants.emplace_back(hub::Grant{id, false, false});
    };
    for (const auto& id : args.read) grant(id).read = true;
    for (const auto& id : args.write) grant(id).write = true;
    return grants;
}

int partner_add(const hub::HubConfig& config, HubCommand::Args args) {
    if (!valid_partner_name(args.name)) {
        fmt::print(stderr,
                   "tocsin: a partner name is 1 to 64 letters, digits, '-', '_', '.' or '@'\n");
        return kExitUsage;
    }
    if (args.organisation.empty() || args.organisation.size() > 128) {
        fmt::print(stderr,
                   "tocsin: --org names the partner's organisation (1 to 128 characters)\n");
        return kExitUsage;
    }
    if (args.identity.empty()) {
        args.identity = hub::new_identity_id();
    } else if (!hub::is_stix_id_of_type(args.identity, "identity")) {
        fmt::print(stderr, "tocsin: --identity must read identity--<UUID>\n");
        return kExitUsage;
    }
    for (auto* ids : {&args.read, &args.write})
        for (auto& id : *ids) {
            std::transform(id.begin(), id.end(), id.begin(),
                           [](char c) { return static_cast<char>(std::tolower(c)); });
            if (!config.find_collection(id)) {
                fmt::print(stderr, "tocsin: collection {} is not in the hub configuration\n", id);
                return kExitUsage;
            }
        }
    const auto key = hub::issue_api_key();
    hub::PartnerRecord partner;
    partner.name = args.name;
    partner.organisation = args.organisation;
    partner.identity = args.identity;
    partner.key_id = key.key_id;
    partner.secret_hash = hub::hash_secret(key.secret);
    partner.created_us = now_us();
    partner.grants = grants_of(args);
    hub::Store store(config.database, 1);
    store.add_partner(partner);
    fmt::print(stderr,
               "tocsin: partner {} added (organisation {}, identity {}); its API key follows "
               "and is shown only this once\n",
               partner.name, partner.organisation, partner.identity);
    fmt::print("{}\n", key.text());
    return 0;
}

std::string grant_list(const hub::PartnerRecord& p, bool write) {
    std::string out;
    for (const auto& g : p.grants)
        if (write ? g.write : g.read) out += (out.empty() ? "" : ",") + g.collection;
    return out.empty() ? "-" : out;
}

int partner_list(const hub::HubConfig& config) {
    hub::Store store(config.database, 1);
    const auto partners = store.partners();
    if (partners.empty()) {
        fmt::print("no partners\n");
        return 0;
    }
    // Never a secret: the key id is the public half of a key.
    fmt::print("{:<20} {:<20} {:<47} {:<16} {:<8} {} / {}\n", "NAME", "ORGANISATION", "IDENTITY",
               "KEY ID", "STATE", "READ", "WRITE");
    for (const auto& p : partners)
        fmt::print("{:<20} {:<20} {:<47} {:<16} {:<8} {} / {}\n", p.name, p.organisation,
                   p.identity, p.revoked_us ? "-" : p.key_id, p.revoked_us ? "revoked" : "active",
                   grant_list(p, false), grant_list(p, true));
    return 0;
}

int partner_revoke(const hub::HubConfig& config, const std::string& name) {
    hub::Store store(config.database, 1);
    if (!store.revoke_partner(name)) {
        fmt::print(stderr, "tocsin: no active partner named {}\n", name);
        return kExitFailure;
    }
    fmt::print(stderr, "tocsin: partner {} revoked; its key stops working on its next request\n",
               name);
    return 0;
}

}  // namespace

HubCommand::HubCommand(CLI::App& app) {
    hub_ = app.add_subcommand("hub", "TAXII 2.1 hub with TLP 2.0 enforcement");
    hub_->add_option("-c,--config", args_.config_file, "hub.yaml");
    auto* partner = hub_->add_subcommand("partner", "Manage partners and their API keys");
    partner->require_subcommand(1);
    add_ = partner->add_subcommand("add", "Add a partner; prints its API key once");
    add_->add_option("name", args_.name, "Partner name (the HTTP Basic user name)")->required();
    add_->add_option("--org", args_.organisation, "The partner's organisation")->required();
    add_->add_option("--identity", args_.identity,
                     "The partner's STIX identity (identity--UUID); generated when absent");
    add_->add_option("--read", args_.read, "Collections it may read (ids, comma separated)")
        ->delimiter(',');
    add_->add_option("--write", args_.write, "Collections it may write (ids, comma separated)")
        ->delimiter(',');
    list_ = partner->add_subcommand("list", "List partners (never their keys)");
    revoke_ = partner->add_subcommand("revoke", "Revoke a partner's API key");
    revoke_->add_option("name", args_.name, "Partner name")->required();
    for (auto* sub : {add_, list_, revoke_})
        sub->add_option("-c,--config", args_.config_file, "hub.yaml");
}

bool HubCommand::parsed() const {
    return hub_->parsed();
}

int HubCommand::run() const {
    if (args_.config_file.empty()) {
        fmt::print(stderr, "tocsin: the hub needs its configuration: -c hub.yaml\n");
        return kExitUsage;
    }
    try {
        const auto config = hub::load_hub_config(args_.config_file);
        if (add_->parsed()) return partner_add(config, args_);
        if (list_->parsed()) return partner_list(config);
        if (revoke_->parsed()) return partner_revoke(config, args_.name);
        return serve(config);
    } catch (const ConfigError& e) {
        fmt::print(stderr, "tocsin: {}\n", e.what());
        return kExitUsage;
    } catch (const hub::HubStartError& e) {
        fmt::print(stderr, "tocsin hub: {}\n", e.what());
        return kExitFailure;
    } catch (const std::exception& e) {
        fmt::print(stderr, "tocsin hub: {}\n", e.what());
        return kExitFailure;
    }
}

}  // namespace tocsin::cli

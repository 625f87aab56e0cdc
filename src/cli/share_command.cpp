#include "cli/share_command.h"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "cli/config_file.h"
#include "core/config.h"
#include "share/credentials.h"
#include "share/endpoint.h"
#include "share/messages.h"
#include "share/pull.h"
#include "share/push.h"

namespace tocsin::cli {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

void add_common_options(CLI::App& command, ShareCommand::Args& args) {
    command.add_option("--collection", args.collection, "TAXII collection id")->required();
    command.add_option("--key-file", args.key_file,
                       "File whose first line is the API key (default: $TOCSIN_API_KEY)");
    command.add_option("--user", args.user,
                       "Send the key as HTTP Basic USER:KEY instead of Bearer");
    command.add_option("--ca-cert", args.ca_cert,
                       "PEM file of the CA that signed the hub's certificate (default: the "
                       "system's CAs)");
    command.add_flag("--allow-insecure-http", args.allow_insecure_http,
                     "Allow plain http:// to a host that is not this machine");
    command.add_flag("-q,--quiet", args.quiet, "Only errors and the summary");
}

// What the command says, without the key, on stderr. Warnings (used here for the summary and
// errors as well) show even with -q.
share::Messages make_messages(const share::Credentials& credentials, bool quiet) {
    return share::Messages(
        [quiet](share::Messages::Kind kind, std::string_view line) {
            if (!quiet || kind == share::Messages::Kind::warning) fmt::print(stderr, "{}\n", line);
        },
        share::secret_forms(credentials));
}

// The checks that make a command line wrong rather than a run failed: URL, transport, key.
std::optional<share::Credentials> check_usage(const ShareCommand::Args& args, std::string& error) {
    const auto endpoint = share::parse_endpoint(args.url, error);
    if (!endpoint) {
        error = fmt::format("{}: {}", args.url, error);
        return std::nullopt;
    }
    if (auto refusal = share::insecure_transport_refusal(*endpoint, args.allow_insecure_http)) {
        error = *refusal;
        return std::nullopt;
    }
    auto load =
        share::load_credentials(args.key_file, std::getenv(share::kApiKeyEnvironment), args.user);
    if (!load.credentials) {
        error = load.error;
        return std::nullopt;
    }
    if (!load.warning.empty()) fmt::print(stderr, "tocsin: warning: {}\n", load.warning);
    if (load.credentials->empty())
        fmt::print(stderr,
                   "tocsin: warning: no API key (--key-file or {}); requests are not "
                   "authenticated\n",
                   share::kApiKeyEnvironment);
    return load.credentials;
}

share::TransportOptions transport_of(const ShareCommand::Args& args) {
    share::TransportOptions transport;
    transport.ca_cert_file = args.ca_cert;
    transport.allow_insecure_http = args.allow_insecure_http;
    return transport;
}

// Where pull writes: --store, else the intel.store the sensor's configuration names (so that
// every `tocsin run` with that configuration loads what was pulled); empty on a usage error.
// A bad -c or --set is an error even when --store makes it unnecessary.
std::string pull_store(const ShareCommand::Args& args) {
    Config config;
    if (!load_config(config, args.config_file, args.sets)) return {};
    if (!args.store.empty()) return args.store;
    std::string store = config.get_string("intel.store");
    if (store.empty())
        fmt::print(stderr,
                   "tocsin: share pull: no folder to pull into: give --store DIR, or a "
                   "configuration that sets intel.store (-c tocsin.yaml)\n");
    return store;
}

int run_pull(const ShareCommand::Args& args) {
    const std::string store = pull_store(args);
    if (store.empty()) return kExitUsage;
    std::string error;
    const auto credentials = check_usage(args, error);
    if (!credentials) {
        fmt::print(stderr, "tocsin: share pull: {}\n", error);
        return kExitUsage;
    }
    const share::Messages messages = make_messages(*credentials, args.quiet);
    share::PullOptions options;
    options.url = args.url;
    options.collection = args.collection;
    options.store = store;
    options.credentials = *credentials;
    options.transport = transport_of(args);
    options.limit = args.limit;
    options.max_pages = args.max_pages;
    const share::PullResult result = share::pull_collection(options, messages);
    if (!result.folder.empty())
        messages.warn(fmt::format("tocsin: pulled {} pages ({} objects) into {}", result.pages,
                                  result.objects, result.folder.string()));
    if (!result.ok) {
        messages.warn(fmt::format("tocsin: share pull: {}", result.error));
        messages.warn(
            "tocsin: everything written so far is kept; run the same command again to "
            "continue");
        return kExitFailed;
    }
    return 0;
}

int run_push(const ShareCommand::Args& args) {
    std::string error;
    const auto credentials = check_usage(args, error);
    if (!credentials) {
        fmt::print(stderr, "tocsin: share push: {}\n", error);
        return kExitUsage;
    }
    const share::Messages messages = make_messages(*credentials, args.quiet);
    share::PushOptions options;
    options.url = args.url;
    options.collection = args.collection;
    options.log_dir = args.log_dir;
    options.credentials = *credentials;
    options.transport = transport_of(args);
    options.batch = args.batch;
    const share::PushResult result = share::push_sightings(options, messages);
    if (result.total != 0 || result.error.empty())
        messages.warn(
            fmt::format("tocsin: {} objects: {} acknowledged before, {} sent, {} "
                        "acknowledged, {} rejected, {} pending",
                        result.total, result.already, result.sent, result.acknowledged,
                        result.rejected, result.pending));
    if (!result.error.empty()) {
        messages.warn(fmt::format("tocsin: share push: {}", result.error));
        messages.warn(
            "tocsin: acknowledged objects are recorded; run the same command again to "
            "send the rest");
    }
    return result.ok ? 0 : kExitFailed;
}

}  // namespace

ShareCommand::ShareCommand(CLI::App& app) {
    auto* share = app.add_subcommand("share", "Exchange indicators and sightings over TAXII 2.1");
    share->require_subcommand(1);

    pull_ = share->add_subcommand(
        "pull", "Fetch a TAXII collection's objects into an intel folder (resumable)");
    pull_->add_option("--from", pull_args_.url, "TAXII API root URL, e.g. https://hub:8443/api1/")
        ->required();
    pull_->add_option("--store", pull_args_.store,
                      "Intel folder (what `tocsin run --intel` reads); pages go to a subfolder "
                      "(default: intel.store of the configuration)");
    pull_->add_option("-c,--config", pull_args_.config_file,
                      "tocsin.yaml, for intel.store when --store is not given");
    pull_->add_option("--set", pull_args_.sets, "Override a configuration key: KEY=VALUE");
    pull_->add_option("--limit", pull_args_.limit, "Objects per page (default 500)")
        ->check(CLI::Range(1u, 100000u));
    pull_->add_option("--max-pages", pull_args_.max_pages,
                      "Stop after this many pages; the next pull continues (default: no limit)");
    add_common_options(*pull_, pull_args_);

    push_ = share->add_subcommand(
        "push", "Send a run's sightings (LOGDIR/sightings.json) to a TAXII collection");
    push_->add_option("--to", push_args_.url, "TAXII API root URL, e.g. https://hub:8443/api1/")
        ->required();
    push_->add_option("logdir", push_args_.log_dir, "The run's log folder")->required();
    push_->add_option("--batch", push_args_.batch, "Objects per request (default 100)")
        ->check(CLI::Range(1u, 10000u));
    add_common_options(*push_, push_args_);
}

bool ShareCommand::parsed() const {
    return pull_->parsed() || push_->parsed();
}

int ShareCommand::run() const {
    if (pull_->parsed()) return run_pull(pull_args_);
    if (push_->parsed()) return run_push(push_args_);
    return kExitUsage;
}

}  // namespace tocsin::cli

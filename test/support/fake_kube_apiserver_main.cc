// The Kubernetes API stand-in as a process, for the e2e tests that run `meshward serve
// --kubeconfig` against it:
//
//   fake_kube_apiserver --dir DIR [--token T] [--no-istio]
//
// It writes DIR/kubeconfig (this server, its CA, a user with token T) and prints one JSON line,
// {"port":..,"control_port":..,"kubeconfig":..}, then serves until SIGTERM or SIGINT. A plain
// HTTP control listener on 127.0.0.1 lets the test change the cluster and inject faults:
//   POST /apply[?delivery=silent]   an object, or a list of objects
//   POST /remove                    {"group","kind","namespace","name"}
//   POST /drop-watches  /close-watches  /bookmark  /expire?style=event|http
//   POST /serve-kind    {"group","versions","kind","resource","namespaced"}
//   POST /stop-serving-kind {"group","kind"}
//   POST /tokens ["token", ...]   POST /delay?ms=N   POST /raw-line?resource=R (the body)
//   GET  /stats                     request counts per resource

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "test/support/fake_kube_apiserver.h"
#include "webhook/server/background_listener.h"
#include "webhook/server/termination_signals.h"

namespace {

using meshward::test_support::Delivery;
using meshward::test_support::ExpiryStyle;
using meshward::test_support::FakeKind;
using meshward::test_support::FakeKubeApiServer;
using json = nlohmann::json;

struct Arguments {
  std::string directory;
  std::string token = "test-token";
  bool istio = true;
};

bool parseArguments(int argc, char** argv, Arguments& arguments) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--no-istio") {
      arguments.istio = false;
    } else if ((flag == "--dir" || flag == "--token") && i + 1 < argc) {
      (flag == "--dir" ? arguments.directory : arguments.token) = argv[++i];
    } else {
      return false;
    }
  }
  return !arguments.directory.empty();
}

// Runs `action` for a control request; a malformed request is a 400 with the reason.
template <typename Action>
httplib::Server::Handler control(Action action) {
  return [action](const httplib::Request& request, httplib::Response& response) {
    try {
      action(request, response);
      if (response.body.empty()) {
        response.set_content("{}", "application/json");
      }
    } catch (const std::exception& error) {
      response.status = 400;
      response.set_content(error.what(), "text/plain");
    }
  };
}

void registerControl(httplib::Server& server, FakeKubeApiServer& fake) {
  server.Post("/apply", control([&](const httplib::Request& request, httplib::Response&) {
                const json body = json::parse(request.body);
                const Delivery delivery =
                    request.get_param_value("delivery") == "silent" ? Delivery::Silent : Delivery::Normal;
                for (const json& object : body.is_array() ? body : json::array({body})) {
                  fake.apply(object, delivery);
                }
              }));
  server.Post("/remove", control([&](const httplib::Request& request, httplib::Response& response) {
                const json body = json::parse(request.body);
                const bool removed = fake.remove(body.value("group", ""), body.at("kind").get<std::string>(),
                                                 body.value("namespace", ""), body.at("name").get<std::string>());
                response.status = removed ? 200 : 404;
              }));
  server.Post("/drop-watches", control([&](const httplib::Request&, httplib::Response&) { fake.dropWatches(); }));
  server.Post("/close-watches", control([&](const httplib::Request&, httplib::Response&) { fake.closeWatches(); }));
  server.Post("/bookmark", control([&](const httplib::Request&, httplib::Response&) { fake.bookmark(); }));
  server.Post("/expire", control([&](const httplib::Request& request, httplib::Response&) {
                fake.expireHistory(request.get_param_value("style") == "http" ? ExpiryStyle::HttpGone
                                                                              : ExpiryStyle::ErrorEvent);
              }));
  server.Post("/serve-kind", control([&](const httplib::Request& request, httplib::Response&) {
                const json body = json::parse(request.body);
                fake.serveKind(FakeKind{body.value("group", ""), body.at("versions").get<std::vector<std::string>>(),
                                        body.at("kind").get<std::string>(), body.at("resource").get<std::string>(),
                                        body.value("namespaced", true)});
              }));
  server.Post("/stop-serving-kind", control([&](const httplib::Request& request, httplib::Response&) {
                const json body = json::parse(request.body);
                fake.stopServingKind(body.value("group", ""), body.at("kind").get<std::string>());
              }));
  server.Post("/tokens", control([&](const httplib::Request& request, httplib::Response&) {
                fake.setTokens(json::parse(request.body).get<std::vector<std::string>>());
              }));
  server.Post("/delay", control([&](const httplib::Request& request, httplib::Response&) {
                fake.setResponseDelay(std::chrono::milliseconds(std::stoll(request.get_param_value("ms"))));
              }));
  server.Post("/raw-line", control([&](const httplib::Request& request, httplib::Response&) {
                fake.sendRawLine(request.get_param_value("resource"), request.body);
              }));
  server.Get(
      "/stats", control([&](const httplib::Request&, httplib::Response& response) {
        json lists = json::object();
        json watches = json::object();
        for (const char* resource : {"namespaces", "pods", "services", "destinationrules", "gateways", "sidecars",
                                     "virtualservices", "authorizationpolicies", "peerauthentications"}) {
          lists[resource] = fake.listRequests(resource);
          watches[resource] = fake.watchRequests(resource);
        }
        response.set_content(json{{"lists", lists},
                                  {"watches", watches},
                                  {"open_watches", fake.openWatches()},
                                  {"unauthorized", fake.unauthorizedRequests()},
                                  {"resource_version", fake.resourceVersion()}}
                                 .dump(),
                             "application/json");
      }));
}

}  // namespace

int main(int argc, char** argv) {
  Arguments arguments;
  if (!parseArguments(argc, argv, arguments)) {
    std::cerr << "usage: fake_kube_apiserver --dir DIR [--token T] [--no-istio]\n";
    return 2;
  }
  // Before any thread exists, so that every thread inherits the blocked mask.
  meshward::server::TerminationSignals signals;
  try {
    FakeKubeApiServer::Options options;
    options.tokens = {arguments.token};
    options.serve_istio = arguments.istio;
    FakeKubeApiServer fake(options);
    const std::string kubeconfig = arguments.directory + "/kubeconfig";
    std::ofstream(kubeconfig) << fake.kubeconfig(arguments.token);

    httplib::Server control_server;
    registerControl(control_server, fake);
    meshward::server::BackgroundListener control_listener(control_server);
    auto control_port = control_listener.start(meshward::server::ListenAddress{"127.0.0.1", 0});
    if (!control_port) {
      std::cerr << "fake_kube_apiserver: " << control_port.error() << "\n";
      return 1;
    }
    std::cout << json{{"port", fake.port()}, {"control_port", *control_port}, {"kubeconfig", kubeconfig}}.dump()
              << std::endl;
    signals.wait();
    control_listener.stop();
  } catch (const std::exception& error) {
    std::cerr << "fake_kube_apiserver: " << error.what() << "\n";
    return 1;
  }
  return 0;
}

// Sends N AdmissionReview requests, one after another, over one keep-alive TLS connection
// and prints the latency distribution: the per-request cost a kube-apiserver would see.
//
// Usage: admission_latency --url https://127.0.0.1:8443/validate --ca CA.pem --body FILE
//                          [--requests 10000] [--warmup 500]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <httplib.h>

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 8443;
  std::string path = "/validate";
  std::string ca;
  std::string body_file;
  int requests = 10000;
  int warmup = 500;
};

bool parseUrl(const std::string& url, Options& options) {
  const std::string prefix = "https://";
  if (url.rfind(prefix, 0) != 0) {
    return false;
  }
  const std::string rest = url.substr(prefix.size());
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  options.path = slash == std::string::npos ? "/" : rest.substr(slash);
  const size_t colon = authority.rfind(':');
  if (colon == std::string::npos) {
    return false;
  }
  options.host = authority.substr(0, colon);
  options.port = std::stoi(authority.substr(colon + 1));
  return true;
}

double percentile(const std::vector<double>& sorted, double fraction) {
  const size_t index = std::min(sorted.size() - 1, static_cast<size_t>(fraction * static_cast<double>(sorted.size())));
  return sorted[index];
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--url" && !parseUrl(value, options)) {
      std::cerr << "bad --url " << value << "\n";
      return 2;
    }
    if (flag == "--ca") {
      options.ca = value;
    } else if (flag == "--body") {
      options.body_file = value;
    } else if (flag == "--requests") {
      options.requests = std::stoi(value);
    } else if (flag == "--warmup") {
      options.warmup = std::stoi(value);
    }
  }
  std::ifstream file(options.body_file);
  if (!file || options.ca.empty() || options.requests <= 0) {
    std::cerr << "usage: admission_latency --url URL --ca CA.pem --body FILE [--requests N] [--warmup N]\n";
    return 2;
  }
  std::stringstream body;
  body << file.rdbuf();

  httplib::SSLClient client(options.host, options.port);
  client.set_ca_cert_path(options.ca.c_str());
  client.enable_server_certificate_verification(true);
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);

  std::vector<double> micros;
  micros.reserve(static_cast<size_t>(options.requests));
  for (int i = 0; i < options.warmup + options.requests; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto response = client.Post(options.path, body.str(), "application/json");
    const auto end = std::chrono::steady_clock::now();
    if (!response || response->status != 200) {
      std::cerr << "request " << i << " failed: "
                << (response ? std::to_string(response->status) : httplib::to_string(response.error())) << "\n";
      return 1;
    }
    if (i >= options.warmup) {
      micros.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
  }
  std::sort(micros.begin(), micros.end());
  std::printf("%s requests=%d p50=%.0fus p90=%.0fus p99=%.0fus p99.9=%.0fus max=%.0fus\n", options.path.c_str(),
              options.requests, percentile(micros, 0.50), percentile(micros, 0.90), percentile(micros, 0.99),
              percentile(micros, 0.999), micros.back());
  return 0;
}

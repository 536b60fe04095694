// An open-loop load client: sends the AdmissionReview mix at a fixed total rate over keep-alive
// TLS connections and prints the latency distribution, measured from when each request was due
// (so a stalled response also counts against the requests queued behind it, as in wrk2).
//
// Usage: fixed_rate_client --host 127.0.0.1 --port P --ca CA.pem --mix MIX_FILE
//                          [--rate 1000] [--seconds 30] [--connections 4] [--warmup-seconds 2]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string ca;
  std::string mix_file;
  double rate = 1000;
  double seconds = 30;
  int connections = 4;
  double warmup_seconds = 2;
};

struct MixRequest {
  std::string path;
  std::string body;
};

struct ConnectionResult {
  std::vector<double> micros;  // after the warm-up
  long failures = 0;
};

bool parseOptions(int argc, char** argv, Options& options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--host") {
      options.host = value;
    } else if (flag == "--port") {
      options.port = std::stoi(value);
    } else if (flag == "--ca") {
      options.ca = value;
    } else if (flag == "--mix") {
      options.mix_file = value;
    } else if (flag == "--rate") {
      options.rate = std::stod(value);
    } else if (flag == "--seconds") {
      options.seconds = std::stod(value);
    } else if (flag == "--connections") {
      options.connections = std::stoi(value);
    } else if (flag == "--warmup-seconds") {
      options.warmup_seconds = std::stod(value);
    } else {
      return false;
    }
  }
  return options.port > 0 && !options.ca.empty() && !options.mix_file.empty() && options.rate > 0 &&
         options.seconds > 0 && options.connections > 0;
}

std::vector<MixRequest> loadMix(const std::string& mix_file) {
  std::vector<MixRequest> mix;
  std::ifstream lines(mix_file);
  std::string path;
  std::string body_file;
  while (lines >> path >> body_file) {
    std::ifstream body(body_file);
    std::stringstream content;
    content << body.rdbuf();
    mix.push_back({path, content.str()});
  }
  return mix;
}

// One connection's share of the schedule: request k is due at start + offset + k * interval.
ConnectionResult runConnection(const Options& options, const std::vector<MixRequest>& mix, int index,
                               Clock::time_point start) {
  httplib::SSLClient client(options.host, options.port);
  client.set_ca_cert_path(options.ca.c_str());
  client.enable_server_certificate_verification(true);
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);

  const std::chrono::duration<double> interval(options.connections / options.rate);
  const auto offset = std::chrono::duration_cast<Clock::duration>(interval * index / options.connections);
  const auto warmup_end = start + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(options.warmup_seconds));
  const auto end = warmup_end + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(options.seconds));
  ConnectionResult result;
  for (long k = 0;; ++k) {
    const auto due = start + offset + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(k));
    if (due >= end) {
      break;
    }
    std::this_thread::sleep_until(due);
    const MixRequest& request = mix[static_cast<std::size_t>(k + index) % mix.size()];
    auto response = client.Post(request.path, request.body, "application/json");
    const auto answered = Clock::now();
    if (!response || response->status != 200) {
      ++result.failures;
      continue;
    }
    if (due >= warmup_end) {
      result.micros.push_back(std::chrono::duration<double, std::micro>(answered - due).count());
    }
  }
  return result;
}

double percentile(const std::vector<double>& sorted, double fraction) {
  const auto index = std::min(sorted.size() - 1, static_cast<std::size_t>(fraction * static_cast<double>(sorted.size())));
  return sorted[index];
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parseOptions(argc, argv, options)) {
    std::cerr << "usage: fixed_rate_client --port P --ca CA.pem --mix MIX_FILE [--host H] [--rate R] [--seconds S] "
                 "[--connections C] [--warmup-seconds W]\n";
    return 2;
  }
  const std::vector<MixRequest> mix = loadMix(options.mix_file);
  if (mix.empty()) {
    std::cerr << "no requests in " << options.mix_file << "\n";
    return 2;
  }
  std::vector<ConnectionResult> results(static_cast<std::size_t>(options.connections));
  std::vector<std::thread> threads;
  const auto start = Clock::now() + std::chrono::milliseconds(100);
  for (int index = 0; index < options.connections; ++index) {
    threads.emplace_back([&, index] { results[static_cast<std::size_t>(index)] = runConnection(options, mix, index, start); });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  std::vector<double> micros;
  long failures = 0;
  for (const ConnectionResult& result : results) {
    micros.insert(micros.end(), result.micros.begin(), result.micros.end());
    failures += result.failures;
  }
  if (micros.empty()) {
    std::cerr << "no request succeeded (" << failures << " failed)\n";
    return 1;
  }
  std::sort(micros.begin(), micros.end());
  std::printf("rate=%.0f requests=%zu failures=%ld p50_us=%.0f p90_us=%.0f p99_us=%.0f p999_us=%.0f max_us=%.0f\n",
              options.rate, micros.size(), failures, percentile(micros, 0.50), percentile(micros, 0.90),
              percentile(micros, 0.99), percentile(micros, 0.999), micros.back());
  return failures == 0 ? 0 : 1;
}

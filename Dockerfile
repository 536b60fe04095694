# meshward's container image, the one charts/meshward runs. From the repository root:
#   docker build -t REGISTRY/meshward:0.1.0 .
# Build stage: Debian 12 with the build packages of scripts/install-deps.sh (not the test tools),
# compiled by scripts/build.sh. Runtime stage: debian:12-slim with only the shared libraries the
# binary links, run as an unprivileged numeric user (runAsNonRoot can only verify a numeric UID).

FROM debian:12 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ cmake make pkg-config \
      libcpp-httplib-dev libssl-dev nlohmann-json3-dev libsimdjson-dev libyaml-cpp-dev libspdlog-dev libfmt-dev \
      libhowardhinnant-date-dev zlib1g-dev libbrotli-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN scripts/build.sh build meshward -DMESHWARD_TESTS=OFF \
 && strip --strip-unneeded build/meshward \
 && build/meshward version

FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcpp-httplib0.11 libssl3 libsimdjson14 libyaml-cpp0.7 libspdlog1.10 libfmt9 libbrotli1 zlib1g libstdc++6 \
      libdate-tz3 tzdata \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/meshward /usr/local/bin/meshward
USER 65532:65532
EXPOSE 8443 9090
ENTRYPOINT ["/usr/local/bin/meshward"]
CMD ["serve", "--listen", "0.0.0.0:8443", "--metrics-listen", "0.0.0.0:9090"]

# inspekt-mock as a container image (docs/deployment.md):
#   docker build -t inspekt-mock .
#   docker run --rm -p 8080:8080 -e INSPEKT_ADMIN_TOKEN inspekt-mock
# The build stage runs the README's scripts (through packaging/container-build-steps,
# which the tests run too); the runtime stage installs the .deb it made, so apt computes
# the runtime libraries from the package's dependencies.

FROM debian:bookworm-slim AS build
WORKDIR /src
COPY . .
RUN INSPEKT_BUILD_TESTS=OFF BUILD_DIR=/src/build-image packaging/container-build-steps /out

FROM debian:bookworm-slim
COPY --from=build /out/ /tmp/inspekt/
RUN apt-get update \
 && apt-get install -y --no-install-recommends /tmp/inspekt/*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/inspekt \
 && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin inspekt
COPY packaging/container-healthcheck /usr/local/bin/inspekt-healthcheck
USER 10001:10001
EXPOSE 8080
# The admin API wants a token on a non-loopback host: set INSPEKT_ADMIN_TOKEN, or mount a
# secret and add --admin-token-file /run/secrets/inspekt_admin_token (compose.yaml).
# Never --admin-token TOKEN: it would show in the process list.
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 CMD ["inspekt-healthcheck", "8080"]
CMD ["inspekt-mock", "--host", "0.0.0.0", "--port", "8080"]

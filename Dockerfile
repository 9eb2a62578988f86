# gemma-embed serve in a container. Build: docker build -t gemma-embed .
# Run (the model folder or .gguf mounted at /models; the key from the environment):
#   docker run --rm -p 8080:8080 -v "$PWD/models:/models:ro" -e GEMMA_EMBED_API_KEY=change-me \
#     gemma-embed --model /models/embeddinggemma-300m
# The server binds 0.0.0.0 inside the container, so it is reachable beyond loopback: give it an
# API key (GEMMA_EMBED_API_KEY or --api-key), with which it accepts any Host name; without one it
# warns and answers only Hosts that are loopback names or an --allowed-host NAME. Extra serve
# flags go after the image name. Mirrors or air-gapped registries: --build-arg JDK_IMAGE=… and
# RUNTIME_IMAGE=… name the two base images.
ARG JDK_IMAGE=eclipse-temurin:25-jdk
ARG RUNTIME_IMAGE=debian:bookworm-slim

# Build stage: the project's own build (wrapper + JDK 25) makes the no-JDK tarball of dist/.
FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -ntp -q -pl dist -am -DskipTests -Dmaven.javadoc.skip -Dmaven.source.skip package \
 && mkdir /out \
 && tar -xzf dist/target/gemma-embed-*-linux-*.tar.gz -C /out \
 && mv /out/gemma-embed-* /out/gemma-embed

# Runtime stage: the jlinked runtime needs only glibc; curl serves the health check.
FROM ${RUNTIME_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --user-group --home-dir /home/gemma-embed --create-home \
      --shell /usr/sbin/nologin gemma-embed
COPY --from=build /out/gemma-embed /opt/gemma-embed
# the CLI's cache (parsed tokenizers) and Hugging Face downloads of `gemma-embed pull`
ENV XDG_CACHE_HOME=/home/gemma-embed/.cache
USER gemma-embed
VOLUME /models
EXPOSE 8080
# /health needs no API key; the start period covers loading a large model from a slow volume
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health || exit 1
# exec form: the launcher execs java as PID 1, so `docker stop` (SIGTERM) drains requests in flight
ENTRYPOINT ["/opt/gemma-embed/bin/gemma-embed", "serve", "--host", "0.0.0.0", "--port", "8080"]
CMD ["--model", "/models/embeddinggemma-300m"]

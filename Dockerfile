# syntax=docker/dockerfile:1
# One image for every service (actor, joiner, learner, parameter-server, simulator);
# docker-compose.yml picks the service with `command: ["node", "services/<name>/dist/main.js"]`.
#
#   docker build -t streaming-rl-recommender:local .
#
# NPM_CI_FLAGS: the optional native TensorFlow packages (@tensorflow/tfjs-node, -node-gpu) are left out by
# default (their install scripts download libtensorflow); the services then use the pure-JS/WASM backends.
# Build with --build-arg NPM_CI_FLAGS= to include them.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
WORKDIR /app

# --- Only the package manifests, so the npm layers below stay cached until a dependency changes ----------
FROM base AS manifests
COPY . /src
RUN mkdir -p /manifests \
 && cd /src \
 && cp package.json package-lock.json /manifests/ \
 && find shared services tools test -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \; \
 && cp --parents tools/*/bin/* /manifests/

# --- Build: all dependencies (dev included), then tsc -b ---------------------------------------------------
FROM base AS build
ARG NPM_CI_FLAGS=--omit=optional
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci ${NPM_CI_FLAGS}
COPY . .
RUN npx tsc -b
# Collect what runs: compiled JS and the Avro schemas (no sources, no tests).
RUN mkdir -p /out/shared \
 && cp -a shared/dist shared/schemas /out/shared/ \
 && for d in services/*/; do mkdir -p "/out/${d}" && cp -a "${d}dist" "/out/${d}"; done \
 && for d in tools/*/; do mkdir -p "/out/${d}" && cp -a "${d}dist" "/out/${d}"; done

# --- Production dependencies only: shared + services + tools (no dev deps, no test workspace) --------------
FROM base AS prod-deps
ARG NPM_CI_FLAGS=--omit=optional
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev ${NPM_CI_FLAGS} --workspace=shared --workspace=services --workspace=tools \
 || npm ci --omit=dev ${NPM_CI_FLAGS}

# --- Runtime ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production METRICS_PORT=9464
WORKDIR /app
# Manifests + node_modules (workspace links point at ./shared, ./services/* and ./tools/*), then the compiled code.
COPY --from=prod-deps /app/ ./
COPY --from=build /out/ ./
# Files stay root-owned (read-only for the app); the process runs as the image's unprivileged "node" user.
USER node
EXPOSE 9464
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://localhost:' + (process.env.METRICS_PORT || 9464) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "-e", "console.error('Pick a service: node services/<actor|joiner|learner|parameter-server|simulator>/dist/main.js'); process.exit(2)"]

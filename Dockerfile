# syntax=docker/dockerfile:1
# Ensemble's image: one process serving Slack (/slack/events), Teams (/api/messages) and /healthz on PORT.
# Configuration comes from the environment at run time (docker run --env-file .env, or compose's env_file):
# no secret is baked into the image, and .env is not part of the build context (.dockerignore).
# Note: no Docker engine runs on the project's machines, so this file is checked by test/e2e/deploy.test.ts
# (parsed, and its HEALTHCHECK and CMD run against a build) rather than built there.

# --- build: all dependencies (TypeScript), compile to dist/ ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
COPY bench ./bench
COPY programme ./programme
RUN npm run build

# --- runtime: production dependencies only, the compiled bot and the default programme ---
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3978 DATA_DIR=/app/data
# V8's young generation grows to 3 × 16 MB under request bursts and a GC does not give it back: capped at 8 MB
# semi-spaces the bot's resident memory is ~40 MB lower for the same latency (npm run bench:memory). The same
# flag is in "npm start", and the benchmarks start the bot with it (bench/support/node-flags.ts).
ENV NODE_OPTIONS=--max-semi-space-size=8
WORKDIR /app
COPY package.json package-lock.json ./
# No production dependency has an install script, so none runs.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
# The charts' font (Inter, SIL OFL), read on the first chart drawn
COPY assets ./assets
COPY programme ./programme
# The embedded store's folder (unused with MONGODB_URI), writable by the non-root user "node" of the base image.
# It is also where the default DATA_DIR (./data, from the working folder /app) points, so a .env copied from
# .env.example (DATA_DIR=./data, or blank) still writes into the volume.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3978
# The slim image has no curl: Node itself asks /healthz (200 when the store answers, 503 otherwise).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM (docker stop) stops the bot cleanly: leases are released, the store is closed.
CMD ["node", "dist/src/main.js"]

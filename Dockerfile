# syntax=docker/dockerfile:1
# Sekoia.io automation module image: `node dist/main.js <docker_parameters>`.

# --- Build: compile TypeScript, then keep production dependencies only ---------------------------
FROM node:20-slim AS builder
# sqlite3 (state store) compiles its native binding when no prebuilt one fits.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.image.json ./
# Only src/ ships: the emulators, the demo and the benches (tools/) are never compiled here.
COPY src ./src
RUN npx tsc -p tsconfig.image.json \
    && npm prune --omit=dev --no-audit --no-fund

# --- Runtime: production node_modules, compiled code and the module files, as a non-root user ---
FROM node:20-slim
# Memory, as measured by npm run bench (which runs the trigger with these variables) on a
# 1,000,000-attribute sync: MALLOC_ARENA_MAX=2, because SQLite runs on libuv's worker threads and
# glibc gives each thread a malloc arena that keeps what it freed (peak about 10 MB lower, and
# steady); a young generation of 8 MB semi-spaces instead of 16 (peak about 20 MB lower at the same
# speed: the objects of a MISP page are short-lived).
ENV NODE_ENV=production MALLOC_ARENA_MAX=2 NODE_OPTIONS=--max-semi-space-size=8
RUN groupadd --system sekoiaio-runtime \
    && useradd --system --gid sekoiaio-runtime --home-dir /app --shell /usr/sbin/nologin sekoiaio-runtime \
    && mkdir -p /symphony_data \
    && chown sekoiaio-runtime:sekoiaio-runtime /symphony_data
WORKDIR /app
COPY --from=builder /build/package.json ./
COPY --from=builder /build/node_modules ./node_modules
COPY --from=builder /build/dist ./dist
COPY manifest.json trigger_misp_ids_to_ioc.json ./
USER sekoiaio-runtime
ENTRYPOINT ["node", "dist/main.js"]

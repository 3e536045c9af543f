# syntax=docker/dockerfile:1
# Sekoia.io automation module image: `node dist/main.js <docker_parameters>`.
# Node.js 24 (LTS): Node 20 reached its end of life on 2026-04-30.

# --- Build: compile TypeScript, then keep what runs only ------------------------------------------
FROM node:24-slim AS builder
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
# Production dependencies only, without node-gyp and its dependencies (sqlite3's optional peer,
# for building: the only optional packages of the tree) and without sqlite3's sources and build
# objects: the compiled binding is all it loads.
RUN npx tsc -p tsconfig.image.json \
    && npm prune --omit=dev --omit=optional --no-audit --no-fund \
    && rm -rf node_modules/node-gyp node_modules/sqlite3/deps node_modules/sqlite3/src node_modules/sqlite3/node-addon-api \
        node_modules/sqlite3/binding.gyp node_modules/sqlite3/build/Release/obj.target \
    && find node_modules/sqlite3/build -type f ! -name node_sqlite3.node -delete \
    && find node_modules/sqlite3/build -type d -empty -delete \
    && find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete \
    && find node_modules/.bin -xtype l -delete \
    && test -f node_modules/sqlite3/build/Release/node_sqlite3.node

# --- Runtime: production node_modules, compiled code and the module files, as a non-root user ---
FROM node:24-slim
# Memory, as measured by npm run bench (which runs the trigger with these variables) on a
# 1,000,000-attribute sync: MALLOC_ARENA_MAX=2, because SQLite runs on libuv's worker threads and
# glibc gives each thread a malloc arena that keeps what it freed (peak about 10 MB lower, and
# steady); a young generation of 8 MB semi-spaces instead of 16 (peak about 20 MB lower at the same
# speed: the objects of a MISP page are short-lived).
ENV NODE_ENV=production MALLOC_ARENA_MAX=2 NODE_OPTIONS=--max-semi-space-size=8
# Sekoia's images run as sekoiaio-runtime with UID 1000 (useradd -ms /bin/bash), so that a volume
# writable by 1000 is writable here: the base image's `node` user holds UID 1000 and goes.
RUN userdel --remove node 2>/dev/null; groupdel node 2>/dev/null; \
    useradd --uid 1000 --create-home --shell /bin/bash sekoiaio-runtime \
    && mkdir -p /symphony_data \
    && chown sekoiaio-runtime:sekoiaio-runtime /symphony_data
WORKDIR /app
COPY --from=builder /build/package.json ./
COPY --from=builder /build/node_modules ./node_modules
COPY --from=builder /build/dist ./dist
COPY manifest.json trigger_misp_ids_to_ioc.json ./
USER sekoiaio-runtime
ENTRYPOINT ["node", "dist/main.js"]

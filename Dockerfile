# syntax=docker/dockerfile:1
#
# One image for every Brigade node; SERVICES picks what a container runs (api, kitchen, …;
# unset = all of them, the embedded mode). Two stages: the first compiles the TypeScript with
# the dev dependencies, the second holds the compiled JavaScript and production dependencies
# only (no tsx, no TypeScript, no test tools) and runs as the unprivileged `node` user.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json moleculer.config.ts ./
COPY lib ./lib
COPY mixins ./mixins
COPY middlewares ./middlewares
COPY services ./services
COPY public ./public
COPY scripts ./scripts
# Type-check first: the build script ends in `|| true` (for the public/ copy), which would let a
# failed compile through. The test -f lines make sure the output is all there.
RUN npx tsc -p tsconfig.build.json --noEmit \
 && npm run build \
 && test -f dist/moleculer.config.js && test -f dist/scripts/brigade-runner.js && test -f dist/public/index.html

FROM node:22-bookworm-slim AS runtime
# MALLOC_MMAP_THRESHOLD_: glibc gives big freed blocks (a password hash's 16 MB) back to the system
# instead of keeping one per thread for good (README "Memory"); npm start sets it too.
# --experimental-async-context-frame: request IDs in the logs without promise hooks (a fifth of
# an order placement's CPU on Node 22 without it; middlewares/request-context.middleware.ts).
# HOST=0.0.0.0: in a container the gateway must listen beyond loopback (Brigade's default).
ENV MALLOC_MMAP_THRESHOLD_=131072 \
    NODE_OPTIONS=--experimental-async-context-frame \
    NODE_ENV=production \
    SERVICEDIR=dist/services \
    PORT=3000 \
    HOST=0.0.0.0 \
    HEALTH_PORT=3001 \
    METRICS_PORT=3030 \
    DATA_DIR=/app/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The SQLite file and the generated token secret live here when MONGO_URI is not set.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000 3001 3030
# Every node serves /health/ready on HEALTH_PORT, gateway or not (the image has no curl: node does it).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||3001)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Moleculer's runner as Brigade starts it (scripts/brigade-runner.ts), run by node, not npm:
# SIGTERM reaches node itself, and Moleculer shuts down gracefully.
CMD ["node", "dist/scripts/brigade-runner.js", "--config", "dist/moleculer.config.js", "--mask", "**/*.service.js"]

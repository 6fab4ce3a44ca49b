# One image for the web process and the workers.
#
#   docker build -t finetune-dashboard .
#   docker run -e DATABASE_URL=postgresql://… -e ADMIN_PASSWORD=… -p 3000:3000 finetune-dashboard
#       npm start: migrations, demo data, starter model, then the web server and one worker
#       (without DATABASE_URL: the embedded PostgreSQL, data in /app/.data: mount a volume there)
#   docker run -e DATABASE_URL=postgresql://… finetune-dashboard node --import tsx worker/index.ts
#       one more worker against the same database (what `npm run worker` runs, minus npm and the
#       shell between them, which would not pass a SIGTERM on to the worker)
#
# HOST=0.0.0.0 is the default here: inside a container the published port arrives on the
# container's own interface, not on loopback.
#
# Everything is fetched in the build stage (npm ci from the registry, next build); nothing is
# downloaded when a container runs. onnxruntime-node's CPU binaries ship inside its npm package;
# its install script would only fetch CUDA files, so it is skipped (ONNXRUNTIME_NODE_INSTALL=skip:
# npm 10, the npm of the node images, does not read package.json's allowScripts).
#
# NODE_IMAGE: any Debian-based image with Node.js ≥ 20.19 and npm on PATH, with useradd.
# Without Docker Hub, build one offline: scripts/containers/base-images.sh.

ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 \
    ONNXRUNTIME_NODE_INSTALL=skip \
    CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1
# Dependencies first, so that a source change does not repeat npm ci. postinstall runs
# `prisma generate` (offline), which reads prisma.config.ts and the schema (not the migrations).
COPY package.json package-lock.json .npmrc prisma.config.ts ./
COPY prisma/schema.prisma ./prisma/schema.prisma
COPY scripts/postinstall.mjs ./scripts/postinstall.mjs
RUN npm ci && npm cache clean --force
COPY . .
# The product's own build step: next build, then the source stamp npm start compares, so that a
# container starts the built app at once instead of building it again.
RUN node --import tsx --input-type=module \
      -e "const { buildWeb } = await import('./lib/web-build.ts'); await buildWeb(process.cwd(), { ...process.env, NODE_ENV: 'production' });" \
 && rm -rf .next/cache

FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    npm_config_update_notifier=false \
    npm_config_cache=/tmp/npm-cache \
    HOST=0.0.0.0 \
    PORT=3000 \
    MODELS_DIR=/app/models \
    DATA_DIR=/app/.data
# A fixed uid/gid, so that volumes and bind mounts can be given to it (chown 10001).
RUN groupadd --gid 10001 finetune \
 && useradd --uid 10001 --gid finetune --home-dir /app --no-create-home --shell /usr/sbin/nologin finetune
# The application stays root's and read-only to the user; it writes only base models and versions
# (MODELS_DIR), the embedded PostgreSQL's data (DATA_DIR, when DATABASE_URL is not set) and
# Next.js's runtime cache.
COPY --from=build /app /app
RUN mkdir -p /app/models /app/.data /app/.next/cache \
 && chown finetune:finetune /app/models /app/.data /app/.next/cache \
 && node --import tsx --input-type=module \
      -e "const { webBuildIsCurrent } = await import('./lib/web-build.ts'); if (!(await webBuildIsCurrent(process.cwd()))) { console.error('the web build is not current: npm start would rebuild it'); process.exit(1); }"
USER finetune
# Mount volumes on /app/models (base models, model versions) and, for the embedded PostgreSQL,
# /app/.data (docker-compose.yml does). No VOLUME here: a worker would get an anonymous one per
# container for a directory it never uses.
EXPOSE 3000
# No HEALTHCHECK here: the same image runs workers, which serve no HTTP. docker-compose.yml checks
# the web container with GET /api/health.
CMD ["npm", "start"]

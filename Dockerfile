# The gateway's production image (docs/deployment.md). Two stages: `build` installs every
# dependency and compiles; `runtime` holds only the compiled output, the production
# dependencies and the files the gateway reads at run time, and runs as a non-root user.
#   docker build -t orders-gateway .
#   docker run --rm orders-gateway npm run db:migrate     # once per deploy, never at each start
#   docker run -p 4000:4000 -e DATABASE_URL=... -e JWT_PUBLIC_KEY=... orders-gateway

# The Node major of .nvmrc (a contract test checks they agree).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# No Prisma telemetry from the build.
ENV CHECKPOINT_DISABLE=1
# Dependencies before the code, so that a change of code alone reuses this layer. npm ci's
# postinstall applies patches/ (to @prisma/adapter-pg, a runtime dependency) and generates the
# Prisma client from prisma/schema.prisma (with the Prisma CLI, a development dependency).
COPY package.json package-lock.json prisma.config.ts ./
COPY patches ./patches
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Development dependencies are pruned from this install rather than installed afresh without
# them: a fresh `npm ci --omit=dev` would run the postinstall without the tools it needs, and
# the patched adapter and the generated client are already in place. The scripts the image
# offers run the compiled output with plain node: no TypeScript loader, no src/.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm pkg set 'scripts.start=node dist/src/main.js' 'scripts.db:migrate=node dist/src/cli/migrate.js' 'scripts.db:seed=node dist/prisma/seed.js'

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
# Owned by root and read-only to the gateway's user: the process cannot change its own code.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Read at run time from beside package.json (src/projectRoot.ts): the SDL, the deprecation
# registry and trusted documents, the migrations, and the IDE's own files (GRAPHQL_IDE=on).
COPY schema ./schema
COPY prisma/migrations ./prisma/migrations
COPY src/ide/browser ./src/ide/browser
# The one writable folder: the embedded database's, used only when DATABASE_URL is unset.
RUN mkdir .data && chown node:node .data
USER node
EXPOSE 4000
# /healthz answers while the process runs; slim images have no curl, so node asks.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Plain node as PID 1: it receives SIGTERM itself and drains within SHUTDOWN_GRACE_MS (npm would
# stand between). Migrations are never run here: `npm run db:migrate` is its own one-shot job.
CMD ["node", "dist/src/main.js"]

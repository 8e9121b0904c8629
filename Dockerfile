# syntax=docker/dockerfile:1
#
# The kaji image: `kaji webhook` (the admission webhook kaji synth deploys to
# every cluster, clusters/<cluster>/platform/webhook/). Multi-stage: build with
# the full Node toolchain, run on distroless Node 20 as a non-root user.
# Runs with a read-only root filesystem: nothing is written at run time except
# to TMPDIR, which the Deployment mounts as an emptyDir.
#
#   docker build -t <account>.dkr.ecr.<region>.amazonaws.com/kaji:<version> .

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so a source change does not reinstall them; no install
# scripts run (the build below is explicit).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY schema ./schema
COPY templates ./templates
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM gcr.io/distroless/nodejs20-debian12:nonroot AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    TMPDIR=/tmp
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schema ./schema
COPY --from=build /app/templates ./templates
# distroless's nonroot user (the Deployment runs as the same uid/gid).
USER 65532:65532
EXPOSE 9876
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/cli/main.js", "webhook"]
CMD ["--port", "9876"]

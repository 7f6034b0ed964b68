# One image for every service; docker-compose.yml picks the entry point per container.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV PRISMA_HIDE_UPDATE_MESSAGE=1
COPY package.json package-lock.json turbo.json tsconfig.base.json ./
COPY packages packages
COPY subgraphs subgraphs
COPY gateway gateway
COPY scripts scripts
COPY prisma prisma
COPY schema schema
RUN npm ci --no-audit --no-fund
RUN npx turbo run build --output-logs=errors-only

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER node
# Overridden per service in docker-compose.yml.
CMD ["node", "--max-semi-space-size=64", "gateway/dist/index.js"]

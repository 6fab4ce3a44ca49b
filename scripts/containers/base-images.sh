#!/bin/sh
# Base images for the Dockerfile and docker-compose.yml on a machine that cannot pull from Docker
# Hub but can reach Debian's mirror and the npm registry (how they were made and tried here):
#
#   localhost/debian-base:bookworm  debootstrap --variant=minbase, imported with podman import
#   localhost/node-base:bookworm    that + this machine's node binary and npm (NODE_IMAGE)
#   localhost/postgres:15-debian    that + Debian's postgresql-15, configured like postgres:16 (POSTGRES_IMAGE)
#
# Then:
#   podman build --build-arg NODE_IMAGE=localhost/node-base:bookworm -t finetune-dashboard .
#   NODE_IMAGE=localhost/node-base:bookworm POSTGRES_IMAGE=localhost/postgres:15-debian \
#     POSTGRES_PASSWORD=… ADMIN_PASSWORD=… NEXTAUTH_SECRET=… podman-compose up -d --scale worker=2
#
# Run as root (debootstrap). MIRROR: the Debian mirror apt uses here (/etc/apt/sources.list*).
# Podman inside a VM or container with cgroups v1 ("hybrid") and capped rlimits may need
# CONTAINERS_CONF pointing at a file such as:
#   [containers]
#   default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]   # at most `ulimit -Hn`, `ulimit -Hu`
#   [engine]
#   cgroup_manager = "cgroupfs"
#   runtime = "runc"                                                # crun 1.8 refuses hybrid cgroups
set -eu
here=$(cd "$(dirname "$0")" && pwd)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
ROOTFS=${ROOTFS:-/tmp/rootfs}

if [ ! -x "$ROOTFS/bin/sh" ]; then
  debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR"
fi
echo "deb $MIRROR bookworm main" > "$ROOTFS/etc/apt/sources.list"
tar -C "$ROOTFS" -c . | podman import - localhost/debian-base:bookworm

# Node.js: bookworm's nodejs package is 18; copy the node binary and npm this machine runs.
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$(readlink -f "$(command -v node)")" "$ctx/node"
cp -a "$(npm root -g)/npm" "$ctx/npm"
# and the CA bundle this machine trusts (a TLS-inspecting proxy's CA may be in it)
cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca-certificates.crt"
podman build -f "$here/node.Containerfile" -t localhost/node-base:bookworm "$ctx"

podman build -f "$here/postgres.Containerfile" -t localhost/postgres:15-debian "$here"

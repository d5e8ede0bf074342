#!/usr/bin/env bash
# Installs the servers that the cluster providers' tests and scripts/cluster.sh run as local processes, when missing:
#   etcd 3.4 (Debian's etcd-server)     -> /usr/bin/etcd
#   s3rver 3.7.1 (npm, locked here)     -> scripts/infra/node/node_modules/.bin/s3rver
#   RabbitMQ 3.10 (Debian's rabbitmq-server) -> /usr/lib/rabbitmq/bin/rabbitmq-server (the cluster's control bus)
#   Chromium (Debian's chromium)         -> /usr/bin/chromium (the dashboard's headless-browser test)
# Extra apt packages that the caller also needs can be passed as arguments, so one apt-get call installs everything.
# Idempotent and quiet when everything is present. Exit code is non-zero when an install failed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rc=0

apt_packages=("$@")
command -v etcd >/dev/null || apt_packages+=(etcd-server)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || apt_packages+=(rabbitmq-server)
[ -x /usr/bin/chromium ] || apt_packages+=(chromium)
if [ "${#apt_packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  { "${apt_get[@]}" -o DPkg::Lock::Timeout=600 update -qq &&
    DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
      "${apt_packages[@]}" >/dev/null; } || { echo "apt-get install ${apt_packages[*]} failed"; rc=1; }
fi

if [ ! -f "$here/node/node_modules/s3rver/package.json" ]; then
  (cd "$here/node" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci for s3rver failed"; rc=1; }
fi
exit $rc

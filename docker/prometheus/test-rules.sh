#!/usr/bin/env bash
# Checks alerts.yml and runs its unit tests (alerts.test.yml) with Prometheus's own promtool.
#
#   bash docker/prometheus/test-rules.sh            # promtool must be on PATH
#   bash docker/prometheus/test-rules.sh --install  # as root: installs Debian's prometheus first if needed
#
# --install is what CI uses. The package's postinst would start a Prometheus server; a policy-rc.d
# that refuses every start is in place while it installs (the usual way to install services in a
# container, and what systemd's deb-systemd-invoke honours too), and a systemd host gets the unit
# disabled, so nothing is left running and nothing needs an init system.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

install_promtool() {
  export DEBIAN_FRONTEND=noninteractive
  local policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq -o DPkg::Lock::Timeout=300
  # Another apt on the machine (a developer's) may hold the lock for a while: wait for it.
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 prometheus >/dev/null
  if [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  fi
}

if ! command -v promtool >/dev/null 2>&1; then
  if [ "${1:-}" = "--install" ]; then
    echo "promtool missing: installing Debian's prometheus package with apt-get"
    install_promtool
  else
    echo "promtool is not installed: apt-get install prometheus (Debian), or run this with --install as root" >&2
    exit 1
  fi
fi

cd "$here"
promtool --version 2>&1 | sed -n 1p
promtool check rules alerts.yml
promtool test rules alerts.test.yml

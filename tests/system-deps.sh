#!/usr/bin/env bash
# System packages the integration tests start as real servers (only dnsmasq, for published-DNS checks).
set -euo pipefail
if ! command -v dnsmasq >/dev/null 2>&1 && ! [ -x /usr/sbin/dnsmasq ]; then
  echo "installing dnsmasq for the DNS tests" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends dnsmasq-base >/dev/null
fi

#!/usr/bin/env bash
# Regenerates package-lock.json from package.json so that `npm ci` passes on every machine (Linux, macOS,
# Windows, x64 or arm64, glibc or musl) and `npm install` leaves it as it is. Run it after changing dependencies in
# package.json, or after a merge that touched package.json or package-lock.json (conflict markers included):
#
#   scripts/lock.sh            keep the versions already locked, add or drop what package.json changed
#   scripts/lock.sh --fresh    resolve everything again: newest versions within package.json's ranges
#
# then commit package.json and package-lock.json together.
#
# Why a script: a lock written by `npm install` in a folder that already has node_modules lists only this
# platform's native builds of @swc/core and unrs-resolver (npm/cli#4828), and `npm ci` then refuses it on a clean
# clone ("package.json and package-lock.json … are not in sync … Missing: @swc/core-darwin-arm64 from lock file").
# `--package-lock-only` resolves from the registry's metadata alone, ignoring node_modules, so every platform's
# entry is written (npm needs only their metadata, which the registry serves; nothing is downloaded).
#
# Steps: (1) resolve (a lock with merge conflict markers is resolved by npm itself); (2) scripts/check-lock.mjs
# checks that every optional dependency of every locked package is in the lock; (3) unless --no-verify, in a
# temporary copy of package.json and the lock: `npm ci` must pass, and `npm install` after it must not change the
# lock. The lock names no registry host (omit-lockfile-registry-resolved), so it installs from whichever registry
# npm is configured with.
set -euo pipefail
cd "$(dirname "$0")/.."

fresh=0
verify=1
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=1 ;;
    --no-verify) verify=0 ;;
    *) echo "usage: $0 [--fresh] [--no-verify]" >&2; exit 2 ;;
  esac
done

say() { printf '[lock] %s\n' "$*" >&2; }
export npm_config_omit_lockfile_registry_resolved=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

if [ "$fresh" = 1 ]; then
  say 'removing package-lock.json: every version is resolved again'
  rm -f package-lock.json
fi

say "npm $(npm --version): npm install --package-lock-only"
npm install --package-lock-only --ignore-scripts --no-audit --no-fund
node scripts/check-lock.mjs package-lock.json

if [ "$verify" = 1 ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  cp package.json package-lock.json "$tmp/"
  [ -f .npmrc ] && cp .npmrc "$tmp/"
  say "verifying in $tmp: npm ci, then npm install must leave the lock unchanged"
  (cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$tmp/package-lock.json" "$tmp/after-ci.json"
  (cd "$tmp" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
  if ! cmp -s package-lock.json "$tmp/package-lock.json"; then
    say 'npm install changed the lock after npm ci:'
    diff -u package-lock.json "$tmp/package-lock.json" | head -40 >&2 || true
    exit 1
  fi
  say 'ok: npm ci passes, npm install leaves the lock as it is'
fi
git --no-pager diff --stat -- package.json package-lock.json 2>/dev/null || true

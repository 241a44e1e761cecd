#!/bin/sh
# Packs the two published packages, exactly as `npm publish` would upload them, into $1:
# hookline-<version>.tgz (the server and its CLI, the dashboard inside) and
# hookline-webhooks-<version>.tgz (the receiver SDK, which hookline depends on).
# Run from a checkout after `npm install` and `npm run build` (`npm test` builds too).
set -eu
out=${1:?usage: deploy/pack.sh <output-dir>}
mkdir -p "$out"
cd "$(dirname "$0")/.."
npm pack --silent --pack-destination "$out" -w @hookline/webhooks -w hookline

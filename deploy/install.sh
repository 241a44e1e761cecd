#!/bin/sh
# Installs Hookline from the tarballs deploy/pack.sh made into an empty project at $1, the way a
# user installs it from npm: its package.json approves better-sqlite3's install script (npm 11
# lists unapproved scripts; --strict-allow-scripts, a coming npm's default, runs only approved
# ones), then `npm install` of the tarballs, without dev dependencies. The server then runs as
# $1/node_modules/.bin/hookline serve (or `npx hookline serve` from $1).
# The tarball test (packages/server/test/installable-packages.test.ts) runs this same script.
set -eu
app=${1:?usage: deploy/install.sh <app-dir> <tarball>...}
shift
mkdir -p "$app"
cat >"$app/package.json" <<'JSON'
{
  "name": "hookline-app",
  "private": true,
  "type": "module",
  "allowScripts": { "better-sqlite3": true }
}
JSON
# Absolute tarball paths, since npm runs in the project.
for tarball do
  shift
  set -- "$@" "$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")"
done
cd "$app"
# --prefer-offline: what the npm cache holds is used without asking the registry again.
npm install --omit=dev --prefer-offline --strict-allow-scripts --no-audit --no-fund "$@"

#!/usr/bin/env bash
# Builds gpu.js's optional `gl` module (headless-gl, with its bundled ANGLE) from source, so gpu.js can run its
# `headlessgl` mode in Node, and installs xvfb so it has a display: on a machine without a GPU that is Mesa's
# software GL. package.json denies gl's install script (allowScripts gl:false), so `npm ci` leaves the module's
# sources in node_modules/gl without a binary; this script compiles it (about 6 minutes) and checks it loads.
#
# Usage: scripts/setup-headlessgl.sh            then run tests under a display: xvfb-run -a npx vitest run …
# Re-running is cheap: nothing is installed or compiled when `gl` already creates a context.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# 1. System packages: X11/GL headers for the build, pkg-config to find them, xvfb for a display at run time.
pkgs=(libxi-dev libx11-dev libxext-dev libgl-dev pkg-config xvfb)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-headlessgl: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# A context needs a display; probe under xvfb-run unless one is already set.
probe() {
  local js="const gl = require('gl')(1, 1); if (!gl) { console.error('gl loaded but created no context'); process.exit(1); }"
  if [ -n "${DISPLAY:-}" ]; then node -e "$js"; else xvfb-run -a node -e "$js"; fi
}

if [ -f node_modules/gl/build/Release/webgl.node ] && probe 2>/dev/null; then
  echo "setup-headlessgl: gl already builds a context; nothing to do"
  exit 0
fi

# 2. The module's sources. `npm ci` installs them as gpu.js's optionalDependency (with the install script skipped);
# if they are missing, fetch the locked version without touching package.json or the lock file.
if [ ! -f node_modules/gl/binding.gyp ]; then
  echo "setup-headlessgl: node_modules/gl is missing; installing gl@8.1.6 without saving"
  npm install --no-save --no-audit --no-fund --ignore-scripts gl@8.1.6
fi

# 3. Compile. node-gyp comes with gl (its dependency); use the running Node's headers when they are installed
# (Debian's nodejs ships them under /usr/include/node), so nothing has to be downloaded.
gyp=node_modules/gl/node_modules/.bin/node-gyp
[ -x "$gyp" ] || gyp=node_modules/.bin/node-gyp
[ -x "$gyp" ] || gyp="npx --yes node-gyp"
nodedir=()
prefix="$(dirname "$(dirname "$(command -v node)")")"
if [ -f "$prefix/include/node/node.h" ]; then nodedir=(--nodedir="$prefix"); fi
gyp_abs="$gyp"
case "$gyp" in node_modules/*) gyp_abs="$PWD/$gyp" ;; esac
echo "setup-headlessgl: compiling gl (takes about 6 minutes)"
(cd node_modules/gl && $gyp_abs rebuild -j "$(nproc)" "${nodedir[@]}")

probe
echo "setup-headlessgl: gl is built; run gpu tests under a display, e.g. xvfb-run -a npx vitest run test/engine/backends"

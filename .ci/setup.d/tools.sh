#!/usr/bin/env bash
# Tools / MCP: the MCP SDK (1.x, pinned), the npm MCP servers used by tests/tools, and Debian's Chromium for the
# one @playwright/mcp browser test. Idempotent and quick when everything is already present.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3

if ! "$PY" -c "import mcp, sys; v=__import__('importlib.metadata').metadata.version('mcp'); sys.exit(0 if v.startswith('1.') else 1)" 2>/dev/null; then
  "$PY" -m pip install -q "mcp>=1.11,<2"
fi

NPM_PKGS=(@modelcontextprotocol/server-everything @modelcontextprotocol/server-filesystem @playwright/mcp)
missing=0
for p in "${NPM_PKGS[@]}"; do
  [ -f "node_modules/$p/package.json" ] || missing=1
done
if [ "$missing" = 1 ]; then
  if ! command -v npm >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  # Repo-local, git-ignored node_modules/; --no-save keeps the repo free of package.json changes.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-save --no-audit --no-fund --silent "${NPM_PKGS[@]}"
fi

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "tools.sh: chromium missing and not root; the Playwright MCP test will skip" >&2
  fi
fi

#!/usr/bin/env bash
# Code executors: bubblewrap (the local sandbox), util-linux (setpriv/unshare), the Jupyter kernel, the docker SDK.
set -euo pipefail
if ! command -v bwrap >/dev/null 2>&1 || ! command -v setpriv >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq bubblewrap util-linux >/dev/null
fi
PY="${PYTHON:-python}"
if [ -x .venv/bin/python ]; then PY=.venv/bin/python; fi
if ! "$PY" -c "import jupyter_client, ipykernel, docker" >/dev/null 2>&1; then
  "$PY" -m pip install -q "jupyter-client>=8" "ipykernel>=6" "docker>=7"
fi

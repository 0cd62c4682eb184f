#!/usr/bin/env bash
# Creates .venv-agents (the example agent's environment, examples/agent/requirements.txt)
# when it is missing or was made from other requirements. livekit-agents pins an older
# `livekit` SDK than Tests/interop does, so it cannot share .venv. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

REQS=examples/agent/requirements.txt
VENV=.venv-agents

if [ ! -x "$VENV/bin/python" ] || ! cmp -s "$REQS" "$VENV/.requirements" 2>/dev/null; then
  echo "setup-agents: creating $VENV from $REQS"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -r "$REQS"
  cp "$REQS" "$VENV/.requirements"
fi
# The agent needs no model files: do not run `agent.py download-files`.
"$VENV/bin/python" -c "import livekit.agents, livekit.rtc" >/dev/null

# Shared by scripts/*: create .venv and install the project from pyproject.toml when it
# changed. Source it with EXTRAS set ("" for running, "dev" for tests).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtual environment in .venv"
  "$PYTHON" -m venv "$VENV"
fi
stamp_of() { (cat pyproject.toml; echo "extras=$1") | sha256sum | cut -c1-16; }
want="$(stamp_of "${EXTRAS:-}")"
have_dev="$(stamp_of dev)"
if [ ! -f "$VENV/.installed-$want" ] && [ ! -f "$VENV/.installed-$have_dev" ]; then
  echo "==> installing the project${EXTRAS:+ with [$EXTRAS]}"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null
  if [ -n "${EXTRAS:-}" ]; then
    "$VENV/bin/python" -m pip install --quiet -e ".[${EXTRAS}]"
  else
    "$VENV/bin/python" -m pip install --quiet -e .
  fi
  rm -f "$VENV"/.installed-*
  touch "$VENV/.installed-$want"
fi
PY="$VENV/bin/python"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

# Sourced by scripts/serve and scripts/test: a project-local virtualenv, (re)installed when pyproject changes.
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
hash=$(sha1sum pyproject.toml | cut -c1-12)
stamp=.venv/.installed-$hash${SPARRING_EXTRAS:+-dev}
# A dev install holds everything the server needs too, so serve after test installs nothing.
if [ ! -f "$stamp" ] && [ ! -f ".venv/.installed-$hash-dev" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".${SPARRING_EXTRAS:+[$SPARRING_EXTRAS]}"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# Sourced by scripts/serve and scripts/test: a project-local virtualenv, (re)installed when pyproject.toml
# or constraints.txt (every package pinned at the version the suite passed with) changes.
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
hash=$(cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
stamp=.venv/.installed-$hash${SPARRING_EXTRAS:+-dev}
# A dev install holds everything the server needs too, so serve after test installs nothing.
if [ ! -f "$stamp" ] && [ ! -f ".venv/.installed-$hash-dev" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -c constraints.txt -e ".${SPARRING_EXTRAS:+[$SPARRING_EXTRAS]}"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

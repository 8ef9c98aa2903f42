# Sourced by scripts/serve and scripts/test: a project-local virtualenv, (re)installed when pyproject changes.
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)${SPARRING_EXTRAS:+-dev}
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".${SPARRING_EXTRAS:+[$SPARRING_EXTRAS]}"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

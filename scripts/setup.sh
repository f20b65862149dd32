#!/usr/bin/env bash
# Installs what Arpenteur needs on a Debian/Ubuntu machine, idempotently.
#   scripts/setup.sh            system libraries, .venv, Python and npm packages (enough to run the app)
#   scripts/setup.sh --test     the same, plus PostgreSQL/PostGIS (started, with a role and a template
#                               database for the tests) and Chromium for the browser tests
# Each step checks before acting, so a second run takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TEST=0
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TEST=1 ;;
    *) echo "usage: $0 [--test]" >&2; exit 2 ;;
  esac
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- system packages ----------------------------------------------------------------------------
# libpango-1.0-0 / libpangoft2-1.0-0 and the DejaVu fonts: WeasyPrint's PDF reports.
apt_pkgs=(libsqlite3-mod-spatialite nodejs npm libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
if [ "$WITH_TEST" = 1 ]; then
  apt_pkgs+=(postgresql postgresql-15-postgis-3 chromium fonts-dejavu-core fonts-noto-color-emoji poppler-utils wrk)
fi
missing=()
for p in "${apt_pkgs[@]}"; do
  # node and npm may come from elsewhere (nvm, nodesource): only install them when absent
  if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "Installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# --- Python ---------------------------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
  say "Creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
stamp_dir=.venv/.arpenteur-stamps
mkdir -p "$stamp_dir"
py_hash=$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp_dir/py-$py_hash" ]; then
  say "Installing Python packages"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[dev]'
  rm -f "$stamp_dir"/py-*; touch "$stamp_dir/py-$py_hash"
fi

# --- front-end assets (pinned npm packages, copied under webapp/static/vendor) ----------------------
if [ -f package-lock.json ]; then
  npm_hash=$(cat package-lock.json scripts/vendor_assets.py 2>/dev/null | sha256sum | cut -c1-16)
  if [ ! -f "$stamp_dir/npm-$npm_hash" ] || [ ! -d webapp/static/vendor ]; then
    say "Installing front-end assets from npm"
    npm ci --no-audit --no-fund --loglevel=error
    .venv/bin/python scripts/vendor_assets.py
    rm -f "$stamp_dir"/npm-*; touch "$stamp_dir/npm-$npm_hash"
  fi
fi

# --- PostGIS for the tests ------------------------------------------------------------------------------
if [ "$WITH_TEST" = 1 ]; then
  if ! pg_lsclusters -h 2>/dev/null | awk '$4 == "online"' | grep -q .; then
    say "Starting PostgreSQL"
    cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
    if [ -z "$cluster" ]; then $SUDO pg_createcluster 15 main; cluster="15 main"; fi
    # shellcheck disable=SC2086
    $SUDO pg_ctlcluster $cluster start
  fi
  as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
  for _ in $(seq 1 30); do as_pg "psql -qAtc 'select 1'" >/dev/null 2>&1 && break; sleep 1; done
  if [ "$(as_pg "psql -qAtc \"select 1 from pg_roles where rolname='arpenteur'\"")" != 1 ]; then
    say "Creating PostgreSQL role and databases"
    as_pg "psql -qc \"CREATE ROLE arpenteur LOGIN CREATEDB PASSWORD 'arpenteur'\""
  fi
  # Benchmarks drop their databases WITH (FORCE), which must also stop an autovacuum worker still
  # analysing a freshly loaded one (a fresh machine's `make bench` failed there without this).
  as_pg "psql -qc 'GRANT pg_signal_backend TO arpenteur'" >/dev/null
  for dbname in arpenteur arpenteur_template; do
    if [ "$(as_pg "psql -qAtc \"select 1 from pg_database where datname='$dbname'\"")" != 1 ]; then
      as_pg "psql -qc 'CREATE DATABASE $dbname OWNER arpenteur'"
    fi
    as_pg "psql -q -d $dbname -c 'CREATE EXTENSION IF NOT EXISTS postgis'"
  done
  # The tests clone this template (CREATEDB is enough to clone a template database)
  as_pg "psql -qc 'ALTER DATABASE arpenteur_template IS_TEMPLATE true'"
fi
# --- bytecode of the project's own modules ---------------------------------------------------------------
# Where PYTHONDONTWRITEBYTECODE is set (as on these machines), no process writes .pyc files, so every one
# (each gunicorn worker, each test worker, each command) compiled webapp/ again: about 0.6 s of the 2–3 s
# it takes to start. Python still reads .pyc files that exist; a changed file is simply compiled again.
.venv/bin/python -m compileall -q -j 0 webapp geodata mobile_forms >/dev/null
say "Set-up complete"

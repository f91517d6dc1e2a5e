#!/usr/bin/env bash
# One command: install, migrate the SQLite database, load the demo, and start
# the web server (plus the scheduler and outbox dispatcher when present).
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/bootstrap.sh requirements.txt
export FLASK_APP=wsgi
if [ ! -f instance/config.py ]; then  # a persistent secret key for this installation
  mkdir -p instance
  echo "SECRET_KEY = \"$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')\"" > instance/config.py
fi
.venv/bin/flask --app wsgi db upgrade
.venv/bin/flask --app wsgi demo
port="${PORT:-5000}"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' INT TERM EXIT
.venv/bin/gunicorn --bind "127.0.0.1:${port}" --workers 2 --access-logfile - wsgi:app &
pids+=($!)
for proc in "scheduler run" "outbox run"; do
  if .venv/bin/flask --app wsgi ${proc%% *} --help >/dev/null 2>&1; then
    .venv/bin/flask --app wsgi $proc &
    pids+=($!)
  fi
done
echo "栏目已启动：公开网站 http://127.0.0.1:${port}/  内网 http://127.0.0.1:${port}/intranet/  （Ctrl-C 停止）"
wait -n

#!/usr/bin/env bash
# One command: install what the tests need and run the whole suite
# (SQLite; set TEST_DATABASE_URL to run it on PostgreSQL too).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/bootstrap.sh requirements-dev.txt
exec .venv/bin/python -m pytest "$@"

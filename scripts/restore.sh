#!/usr/bin/env bash
# Restore Firebreak's database from a file written by scripts/backup.sh.
#   scripts/restore.sh FILE --yes
# Replaces the current data entirely: stop the web processes and Celery workers first.
# PostgreSQL: pg_restore --clean into DATABASE_URL, in one transaction (all or nothing).
# Embedded SQLite: the database file is replaced (the old one is kept as *.before-restore).
set -euo pipefail
cd "$(dirname "$0")/.."

FILE=${1:-}
[ -n "$FILE" ] && [ -f "$FILE" ] || { echo "usage: scripts/restore.sh FILE --yes" >&2; exit 2; }
[ "${2:-}" = "--yes" ] || { echo "this replaces all current data; add --yes" >&2; exit 2; }

DATA_DIR=${FIREBREAK_DATA_DIR:-var}
URL=${DATABASE_URL:-}

case "$URL" in
  postgres://* | postgresql://*)
    pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
      --exit-on-error --dbname="$URL" "$FILE"
    ;;
  "" | sqlite://*)
    DB=${URL#sqlite:///}
    DB=${DB:-$DATA_DIR/firebreak.sqlite3}
    sqlite3 "$FILE" "PRAGMA integrity_check" | grep -qx ok || { echo "$FILE is damaged" >&2; exit 1; }
    [ -f "$DB" ] && cp "$DB" "$DB.before-restore"
    sqlite3 "$DB" ".restore '$FILE'"   # through SQLite, so its WAL stays consistent
    ;;
  *)
    echo "unsupported DATABASE_URL: ${URL%%://*}://..." >&2
    exit 2
    ;;
esac
echo "restored $FILE"

#!/usr/bin/env bash
# Back up Firebreak's database to one file.
#   scripts/backup.sh [FILE]     (default: var/backups/firebreak-<UTC time>.<dump|sqlite3>)
# PostgreSQL (DATABASE_URL=postgres://...): pg_dump custom format, consistent while in use.
# Embedded SQLite (no DATABASE_URL): sqlite3's online .backup, safe while the app runs.
# Prints the path of the backup it wrote. Restore with scripts/restore.sh FILE.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA_DIR=${FIREBREAK_DATA_DIR:-var}
URL=${DATABASE_URL:-}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)

case "$URL" in
  postgres://* | postgresql://*)
    OUT=${1:-$DATA_DIR/backups/firebreak-$STAMP.dump}
    mkdir -p "$(dirname "$OUT")"
    pg_dump --format=custom --no-owner --no-privileges --file="$OUT.partial" "$URL"
    ;;
  "" | sqlite://*)
    DB=${URL#sqlite:///}
    DB=${DB:-$DATA_DIR/firebreak.sqlite3}
    [ -f "$DB" ] || { echo "no database at $DB" >&2; exit 1; }
    OUT=${1:-$DATA_DIR/backups/firebreak-$STAMP.sqlite3}
    mkdir -p "$(dirname "$OUT")"
    rm -f "$OUT.partial"
    sqlite3 "$DB" ".backup '$OUT.partial'"
    ;;
  *)
    echo "unsupported DATABASE_URL: ${URL%%://*}://..." >&2
    exit 2
    ;;
esac
mv "$OUT.partial" "$OUT"   # a backup file exists only once it is complete
chmod 600 "$OUT"
echo "$OUT"

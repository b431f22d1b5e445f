#!/usr/bin/env bash
# Makes sure a local PostgreSQL is installed, running on 127.0.0.1:5432, and has the role and
# database the tests use: postgres://rabbitchat:rabbitchat@127.0.0.1:5432/rabbitchat_test
#
# Idempotent: installs postgresql with apt-get only when it is missing, creates a cluster only
# when there is none, starts it only when it is down (bounded wait), and creates the role and
# the database only when they do not exist yet. The repository's test command runs this before
# `swift test`; ChatStoreTests read RABBITCHAT_TEST_DATABASE_URL (default: the URL above).
set -euo pipefail

log() { echo "postgresql.sh: $*" >&2; }

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

if ! command -v pg_lsclusters >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    log "installing postgresql"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null \
        || { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }
fi

# The newest installed server version; create its cluster when the package left none.
version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    log "creating cluster $version/main"
    $SUDO pg_createcluster "$version" main >/dev/null
fi

# Loopback only: the database must never be reachable from outside this machine.
conf="/etc/postgresql/$version/main/postgresql.conf"
if [ -f "$conf" ] && ! grep -q "^listen_addresses = '127.0.0.1'" "$conf"; then
    echo "listen_addresses = '127.0.0.1'" | $SUDO tee -a "$conf" >/dev/null
fi

# The shared test phase opens many stores at once (every PostgreSQL suite's servers and
# clients): Debian's default of 100 connections runs out and tests then time out waiting.
restart_needed=false
if [ -f "$conf" ] && ! grep -q "^max_connections = 400" "$conf"; then
    echo "max_connections = 400" | $SUDO tee -a "$conf" >/dev/null
    restart_needed=true
fi

status="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}')"
if [ "$status" = "online" ] && [ "$restart_needed" = true ]; then
    log "restarting cluster $version/main for max_connections"
    $SUDO pg_ctlcluster "$version" main restart
elif [ "$status" != "online" ]; then
    log "starting cluster $version/main"
    $SUDO pg_ctlcluster "$version" main start
fi

as_postgres() {
    if [ "$(id -u)" = "0" ]; then
        su postgres -s /bin/sh -c "$1"
    else
        $SUDO -u postgres sh -c "$1"
    fi
}

deadline=$((SECONDS + 60))
until as_postgres "psql -qtAc 'select 1'" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
        log "postgresql did not accept connections within 60 s"
        exit 1
    fi
    sleep 1
done

if [ "$(as_postgres "psql -qtAc \"select 1 from pg_roles where rolname = 'rabbitchat'\"")" != "1" ]; then
    log "creating role rabbitchat"
    as_postgres "psql -qc \"create role rabbitchat login password 'rabbitchat'\"" >/dev/null
fi
if [ "$(as_postgres "psql -qtAc \"select 1 from pg_database where datname = 'rabbitchat_test'\"")" != "1" ]; then
    log "creating database rabbitchat_test"
    as_postgres "createdb -O rabbitchat rabbitchat_test"
fi

log "PostgreSQL $version is up on 127.0.0.1:5432 (rabbitchat/rabbitchat, database rabbitchat_test)"

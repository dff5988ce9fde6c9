#!/usr/bin/env bash
# Print the URL of a PostgreSQL database the tests may wipe, making one if needed.
#
#   1. $TEST_DATABASE_URL, if set, is printed as is.
#   2. Else, if a server answers on 127.0.0.1:5432, the dedicated database `secop_test` is
#      created there (never the shared `test` or `postgres` databases) and its URL printed.
#   3. Else Debian's postgresql is installed if missing, its cluster started (created if
#      there is none), and the `secop_test` database created. Where loopback logins need a
#      password (stock pg_hba.conf), a `secop` role with a password owns it.
#
# Only the URL goes to stdout; progress goes to stderr. Exits non-zero when it cannot.
set -euo pipefail

if [ -n "${TEST_DATABASE_URL:-}" ]; then
    printf '%s\n' "$TEST_DATABASE_URL"
    exit 0
fi

HOST=127.0.0.1
PORT="${ENSURE_POSTGRES_PORT:-5432}"   # another port only to try this script on a spare cluster
DB=secop_test
ROLE=secop
ROLE_PASSWORD=secop

log() { printf 'ensure_postgres: %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
fi

apt_install() {
    log "apt-get install $*"
    $SUDO apt-get update -qq >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

reachable() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$HOST" -p "$PORT" -t 2
    else
        python3 - "$HOST" "$PORT" <<'EOF'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
except OSError:
    sys.exit(1)
EOF
    fi
}

# Run psql as the postgres superuser over the local socket (peer auth on a stock Debian cluster).
as_postgres() {
    if [ "$(id -un)" = postgres ]; then
        "$@"
    elif [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        sudo -u postgres "$@"
    fi
}

ensure_db_over_tcp() {
    # $1 = user. Succeeds when that user can log in without a password and own/create $DB.
    local user="$1"
    psql -X -q -w -h "$HOST" -p "$PORT" -U "$user" -d postgres -tAc 'select 1' >/dev/null 2>&1 || return 1
    if [ "$(psql -X -w -h "$HOST" -p "$PORT" -U "$user" -d postgres -tAc \
            "select 1 from pg_database where datname = '$DB'")" != 1 ]; then
        log "creating database $DB"
        psql -X -q -w -h "$HOST" -p "$PORT" -U "$user" -d postgres -c "create database $DB" >&2
    fi
}

ensure_role_and_db_over_socket() {
    log "making sure role $ROLE and database $DB exist (through the local socket)"
    as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" -d postgres >&2 <<EOF
do \$\$ begin
  if not exists (select 1 from pg_roles where rolname = '$ROLE') then
    create role $ROLE login password '$ROLE_PASSWORD';
  end if;
  -- the suite makes one database per test process next to $DB
  alter role $ROLE createdb;
end \$\$;
EOF
    if [ "$(as_postgres psql -X -p "$PORT" -d postgres -tAc "select 1 from pg_database where datname = '$DB'")" != 1 ]; then
        as_postgres createdb -p "$PORT" -O "$ROLE" "$DB" >&2
    fi
}

if ! reachable; then
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        apt_install postgresql
    fi
    # The cluster that listens on $PORT (Debian's main one on 5432), created if there is none.
    read -r version cluster < <(pg_lsclusters -h 2>/dev/null | awk -v p="$PORT" '$3 == p {print $1, $2; exit}') || true
    if [ -z "${version:-}" ]; then
        version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
        cluster=main
        [ -d "/etc/postgresql/$version/main" ] && cluster=secop
        log "creating cluster $version/$cluster on port $PORT"
        $SUDO pg_createcluster -p "$PORT" "$version" "$cluster" >&2
    fi
    log "starting cluster $version/$cluster"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start >&2 || true
    for _ in $(seq 1 30); do
        reachable && break
        sleep 1
    done
    reachable || { log "PostgreSQL $version/$cluster did not start on $HOST:$PORT"; exit 1; }
fi

if ! command -v psql >/dev/null 2>&1; then
    apt_install postgresql-client
fi

# A server configured for trust on loopback (CI machines, this workplace): use it directly.
for user in postgres "$(id -un)"; do
    if ensure_db_over_tcp "$user"; then
        printf 'postgresql://%s@%s:%s/%s\n' "$user" "$HOST" "$PORT" "$DB"
        exit 0
    fi
done

# A stock Debian cluster (scram on TCP, peer on the socket): make a password role.
ensure_role_and_db_over_socket
if PGPASSWORD="$ROLE_PASSWORD" psql -X -q -w -h "$HOST" -p "$PORT" -U "$ROLE" -d "$DB" -tAc 'select 1' >/dev/null; then
    printf 'postgresql://%s:%s@%s:%s/%s\n' "$ROLE" "$ROLE_PASSWORD" "$HOST" "$PORT" "$DB"
    exit 0
fi
log "cannot log in to $DB on $HOST:$PORT"
exit 1

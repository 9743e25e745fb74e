#!/usr/bin/env bash
# Makes sure a PostgreSQL 15 server is running on 127.0.0.1:5432 with the role and database the
# tests use (MEMEX_PG_URL's default: postgres://memex:memex@127.0.0.1:5432/memex). Installs the
# Debian package if it is missing. Needs root. Fails loudly: the PostgreSQL tests never skip.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null || [ ! -d /etc/postgresql/15/main ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi
# Loopback only: the test server never listens on another interface.
sed -i "s/^#\?listen_addresses.*/listen_addresses = '127.0.0.1'/" /etc/postgresql/15/main/postgresql.conf
pg_ctlcluster 15 main start 2>/dev/null || pg_ctlcluster 15 main status >/dev/null
for _ in $(seq 1 50); do
  runuser -u postgres -- pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 0.2
done
runuser -u postgres -- psql -qAt -c "SELECT 1 FROM pg_roles WHERE rolname = 'memex'" | grep -q 1 ||
  runuser -u postgres -- psql -q -c "CREATE ROLE memex LOGIN SUPERUSER PASSWORD 'memex'"
runuser -u postgres -- psql -qAt -c "SELECT 1 FROM pg_database WHERE datname = 'memex'" | grep -q 1 ||
  runuser -u postgres -- psql -q -c "CREATE DATABASE memex OWNER memex ENCODING 'UTF8' TEMPLATE template0"
echo "postgres: ready on 127.0.0.1:5432 ($(runuser -u postgres -- psql -qAt -c 'SHOW server_version'))"

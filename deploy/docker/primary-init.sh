#!/bin/sh
# Runs once, when the primary's data directory is created (docker-entrypoint-initdb.d): a role for
# the streaming replica and a pg_hba line letting it connect for replication from the compose network.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '${REPLICATION_PASSWORD}';
SQL
echo "host replication replicator 172.28.0.0/24 scram-sha-256" >> "$PGDATA/pg_hba.conf"

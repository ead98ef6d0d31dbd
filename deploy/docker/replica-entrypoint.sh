#!/bin/sh
# The streaming replica: on first start, copy the primary with pg_basebackup (-R writes
# standby.signal and primary_conninfo; -C -S keeps a replication slot so the primary holds the WAL
# the replica still needs), then run PostgreSQL as a hot standby.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_isready -h primary -U postgres; do sleep 1; done
    PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup -h primary -U replicator -D "$PGDATA" \
        -R -X stream -C -S replica1 --checkpoint=fast --progress
    chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c hot_standby_feedback=on

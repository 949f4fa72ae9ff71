-- Work shared by replicas on one database.

-- A source's lease: the replica fetching it this cycle, and until when.
-- Keyed by name, as a due source may never have been stored.
CREATE TABLE source_leases (
    name       text PRIMARY KEY,
    holder     text NOT NULL DEFAULT '',
    expires_at timestamptz NOT NULL DEFAULT '-infinity'
);
-- A claim walks the free leases, oldest first, and stops at its limit,
-- instead of passing over every lease already taken this cycle.
CREATE INDEX source_leases_by_expiry ON source_leases (expires_at);

-- Per-host politeness across replicas: the earliest time the next request
-- to a host may start. Each request reserves the slot after the last.
CREATE TABLE host_slots (
    host    text PRIMARY KEY,
    next_at timestamptz NOT NULL
);

-- A host's lease: the replica reading the sources of one host this cycle.
-- Every source of a host is read by one replica at a time, so the host's
-- politeness (requests in flight, pauses, its slow-down) is one
-- replica's to keep. paused_until carries a Retry-After the host asked
-- for to the replica that reads it next.
CREATE TABLE host_leases (
    host         text PRIMARY KEY,
    holder       text NOT NULL DEFAULT '',
    expires_at   timestamptz NOT NULL DEFAULT '-infinity',
    paused_until timestamptz
);
CREATE INDEX host_leases_by_expiry ON host_leases (expires_at);

-- What the bbolt store keeps, in tables: sources with their validators
-- and health, the item keys each source has shown, and digests with their
-- progress per sink.

-- A source's number is what its seen keys refer to: a 4-byte id in each of
-- a hundred thousand rows instead of the name. A row exists for every
-- source anything was stored for; stored is false until the source's own
-- state is written (Store.Sources lists only those).
CREATE TABLE sources (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    stored        boolean NOT NULL DEFAULT false,
    initialized   boolean NOT NULL DEFAULT false,
    etag          text NOT NULL DEFAULT '',
    last_modified text NOT NULL DEFAULT '',
    last_success  timestamptz,
    last_attempt  timestamptz,
    last_error    text NOT NULL DEFAULT '',
    failures      integer NOT NULL DEFAULT 0,
    next_attempt  timestamptz,
    not_reached   text NOT NULL DEFAULT '',
    article_tries jsonb
);

-- An item key of item.Key's form (32 hex digits) is stored as its 16
-- bytes, any other key as a 0x00 byte and its text (see storedKey);
-- seen_at is Unix seconds, all a retention of days needs.
CREATE TABLE seen (
    source_id integer NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    key       bytea NOT NULL,
    seen_at   bigint NOT NULL,
    PRIMARY KEY (source_id, key)
);
CREATE INDEX seen_by_time ON seen (seen_at);

CREATE TABLE digests (
    id      text PRIMARY KEY,
    created timestamptz NOT NULL,
    payload bytea,
    merged  text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX digests_by_created ON digests (created, id);

CREATE TABLE deliveries (
    digest_id    text NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
    sink         text NOT NULL,
    delivered    boolean NOT NULL DEFAULT false,
    delivered_at timestamptz,
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    next_attempt timestamptz,
    parked       boolean NOT NULL DEFAULT false,
    held         boolean NOT NULL DEFAULT false,
    merged_into  text NOT NULL DEFAULT '',
    PRIMARY KEY (digest_id, sink)
);
-- Pending and Parked read only the open deliveries, as the bbolt store's
-- index of open digests, so a cycle's cost does not grow with the
-- digests delivered over the retention.
CREATE INDEX deliveries_open ON deliveries (digest_id) WHERE NOT delivered;

-- Small values the store keeps by name: when Prune last ran, the digest
-- last delivered (with its content, for previews).
CREATE TABLE meta (
    key   text PRIMARY KEY,
    value bytea NOT NULL
);

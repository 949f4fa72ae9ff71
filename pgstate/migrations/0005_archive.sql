-- The archive of items read: one row an item, its JSON as the bbolt store
-- keeps it in a chunk, ordered by when it was archived.
CREATE TABLE archive (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    archived timestamptz NOT NULL,
    item     bytea NOT NULL
);
CREATE INDEX archive_archived ON archive (archived, id);

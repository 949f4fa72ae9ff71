-- What the bbolt store learnt since: a source's run of failures, the
-- latest matches per topic, and the stories digests sent.

ALTER TABLE sources
    ADD COLUMN failing_since   timestamptz,
    ADD COLUMN health_reported boolean NOT NULL DEFAULT false;

-- The latest matches of each topic, at most state.RecentPerTopic. The
-- match time is kept in nanoseconds, as the bbolt store orders a
-- commit's matches a nanosecond apart; data is the match as JSON.
CREATE TABLE recent (
    topic      text NOT NULL,
    matched_ns bigint NOT NULL,
    key        text NOT NULL,
    data       bytea NOT NULL,
    PRIMARY KEY (topic, matched_ns, key)
);

-- The stories digests sent, by when (nanoseconds) and id; data is the
-- cycle's own, opaque here.
CREATE TABLE stories (
    created_ns bigint NOT NULL,
    id         text NOT NULL,
    data       bytea NOT NULL,
    PRIMARY KEY (created_ns, id)
);

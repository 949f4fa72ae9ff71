-- How many messages of a digest sent in several (a chat sink's size
-- limit) the sink has accepted, so that a retry resumes at the next one.
ALTER TABLE deliveries ADD COLUMN parts integer NOT NULL DEFAULT 0;

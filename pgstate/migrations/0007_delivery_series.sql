-- Which of the several digests one check stored for a sink this one is,
-- and of how many (0 and 0 for a digest alone), so each message can say.
ALTER TABLE deliveries ADD COLUMN series_n integer NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN series_of integer NOT NULL DEFAULT 0;

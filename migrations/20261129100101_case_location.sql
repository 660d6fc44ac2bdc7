-- The phone's position a citizen chose to send with a case, in millionths of a degree.
ALTER TABLE cases ADD COLUMN latitude_e6 BIGINT;
ALTER TABLE cases ADD COLUMN longitude_e6 BIGINT;

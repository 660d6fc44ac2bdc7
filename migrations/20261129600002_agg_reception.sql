-- Reception days (接待日) counted as they are planned, cancelled and held, filed under
-- the China date of the day and its month, and under every region path above the
-- station (as `agg_cases`' region breakdowns), so the cockpit's total of planned and held
-- days for any region and period reads a few rows instead of every day of every
-- station. `planned` and `held` follow `domain::reception`. Derived data: filled from
-- the meetings when empty (`cockpit::fill_if_empty`) and again by every rebuild.
CREATE TABLE agg_reception (
    region_path TEXT NOT NULL,
    grain TEXT NOT NULL,
    bucket TEXT NOT NULL,
    planned BIGINT NOT NULL,
    held BIGINT NOT NULL,
    PRIMARY KEY (region_path, grain, bucket)
);

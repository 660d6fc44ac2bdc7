-- How many open cases are next due on each day, under every region path above the case,
-- its own, and '/' (db::open_due): kept in the transaction that writes a case, so the
-- cockpit's overdue total of any region reads one range of one region path's rows instead
-- of walking every overdue case of the province (29,700 at the synthetic million). Derived
-- from the cases alone: left empty here and counted from them when the server starts
-- (actions::cockpit::fill_if_empty) and by `minyi cockpit rebuild`. SQLite stores it
-- clustered by its key (db::layout).
CREATE TABLE open_due (
    region_path TEXT NOT NULL,
    due TEXT NOT NULL,
    cases BIGINT NOT NULL,
    PRIMARY KEY (region_path, due)
);

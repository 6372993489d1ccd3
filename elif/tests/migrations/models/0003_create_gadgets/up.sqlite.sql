CREATE TABLE gadgets (
    id TEXT PRIMARY KEY,
    small SMALLINT NOT NULL,
    count INTEGER NOT NULL,
    big BIGINT NOT NULL,
    ratio REAL NOT NULL,
    precise DOUBLE NOT NULL,
    active BOOLEAN NOT NULL,
    label TEXT NOT NULL,
    bytes BLOB NOT NULL,
    day DATE NOT NULL,
    at TEXT NOT NULL,
    meta TEXT NOT NULL,
    note TEXT
);

CREATE TABLE gadgets (
    id UUID PRIMARY KEY,
    small SMALLINT NOT NULL,
    count INTEGER NOT NULL,
    big BIGINT NOT NULL,
    ratio REAL NOT NULL,
    precise DOUBLE PRECISION NOT NULL,
    active BOOLEAN NOT NULL,
    label TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    day DATE NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    meta JSONB NOT NULL,
    note TEXT
);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    author_id BIGINT NOT NULL REFERENCES authors (id),
    title TEXT NOT NULL CHECK (length(title) > 0),
    summary TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE elif_one_time_tokens (
    id BIGSERIAL PRIMARY KEY,
    purpose TEXT NOT NULL,
    subject TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX elif_one_time_tokens_subject ON elif_one_time_tokens (subject);

CREATE TABLE elif_api_tokens (
    id BIGSERIAL PRIMARY KEY,
    subject TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    abilities JSONB NOT NULL,
    last_used_at TIMESTAMPTZ,
    expires_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX elif_api_tokens_subject ON elif_api_tokens (subject);

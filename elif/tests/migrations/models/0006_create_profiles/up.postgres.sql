CREATE TABLE profiles (
    id BIGSERIAL PRIMARY KEY,
    author_id BIGINT NOT NULL UNIQUE REFERENCES authors (id),
    bio TEXT
);

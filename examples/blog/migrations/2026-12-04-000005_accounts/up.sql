ALTER TABLE authors ADD COLUMN email TEXT;
ALTER TABLE authors ADD COLUMN password_hash TEXT;
ALTER TABLE authors ADD COLUMN role TEXT NOT NULL DEFAULT 'author';
CREATE UNIQUE INDEX authors_email ON authors (email);

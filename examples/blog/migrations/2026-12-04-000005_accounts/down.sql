DROP INDEX authors_email;
ALTER TABLE authors DROP COLUMN role;
ALTER TABLE authors DROP COLUMN password_hash;
ALTER TABLE authors DROP COLUMN email;

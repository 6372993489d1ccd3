DROP TABLE profiles; DROP TABLE products; DROP TABLE notes; DROP TABLE favorites; DROP TABLE article_tags; DROP TABLE tags; DROP TABLE articles; DROP TABLE follows; DROP TABLE users;

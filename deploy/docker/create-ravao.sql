-- The application's role and database on the primary (docker-entrypoint-initdb.d, first start only).
-- The password is replaced by the one in .env through psql's variable: set it again with
-- ALTER ROLE ravao PASSWORD '…' if you change RAVAO_DB_PASSWORD later.
\getenv ravao_password RAVAO_DB_PASSWORD
CREATE ROLE ravao LOGIN PASSWORD :'ravao_password';
CREATE DATABASE ravao OWNER ravao;

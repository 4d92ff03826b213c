-- ID_UNIQUE_PARTENAIRE is the declarant's own line key (domain.md §8: unique across every file
-- that declarant ever imported). Unique per account rather than across the database, so that an
-- account can neither learn that another used a key (409) nor block the keys the server will
-- assign to another. SQLite cannot change a column constraint: the table is rebuilt.
CREATE TABLE declaration_titulaires_v2 (
    id                   INTEGER PRIMARY KEY,
    declaration_id       INTEGER NOT NULL REFERENCES declarations (id),
    account_id           INTEGER NOT NULL REFERENCES accounts (id),
    position             INTEGER NOT NULL,
    id_unique_partenaire TEXT NOT NULL,
    nir                  TEXT NOT NULL,
    removed              INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1))
);
INSERT INTO declaration_titulaires_v2
    (id, declaration_id, account_id, position, id_unique_partenaire, nir, removed)
SELECT t.id, t.declaration_id, d.account_id, t.position, t.id_unique_partenaire, t.nir, t.removed
FROM declaration_titulaires t JOIN declarations d ON d.id = t.declaration_id;
DROP TABLE declaration_titulaires;
ALTER TABLE declaration_titulaires_v2 RENAME TO declaration_titulaires;
CREATE UNIQUE INDEX declaration_titulaires_key
    ON declaration_titulaires (account_id, id_unique_partenaire);
CREATE INDEX declaration_titulaires_declaration ON declaration_titulaires (declaration_id);
CREATE INDEX declaration_titulaires_nir ON declaration_titulaires (nir);

-- ID_UNIQUE_PARTENAIRE is unique per account rather than across the database (see
-- ../sqlite/0002_titulaire_keys_per_account.sql for why). PostgreSQL changes the table in place.
ALTER TABLE declaration_titulaires ADD COLUMN account_id BIGINT REFERENCES accounts (id);
UPDATE declaration_titulaires t SET account_id = d.account_id
FROM declarations d WHERE d.id = t.declaration_id;
ALTER TABLE declaration_titulaires ALTER COLUMN account_id SET NOT NULL;
ALTER TABLE declaration_titulaires DROP CONSTRAINT declaration_titulaires_id_unique_partenaire_key;
CREATE UNIQUE INDEX declaration_titulaires_key
    ON declaration_titulaires (account_id, id_unique_partenaire);

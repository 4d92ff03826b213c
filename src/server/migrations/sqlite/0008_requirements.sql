-- The trainings each poste requires (issue 19 §1): one row per poste (optionally narrowed to a
-- site and a service) and training type, set by the account's `administration` users or
-- imported from a sheet; `validity_months` is the employer's shorter validity, NULL for the
-- catalogue's. `PUT /v1/requirements` replaces the account's whole list.
CREATE TABLE requirements (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    poste           TEXT NOT NULL,
    site            TEXT,
    service         TEXT,
    training_code   TEXT NOT NULL,
    validity_months INTEGER CHECK (validity_months > 0)
);
CREATE INDEX requirements_account ON requirements (account_id, id);

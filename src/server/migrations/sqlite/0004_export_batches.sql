-- Export memory (issue 12 item 5). Each bulk file handed to the user is a batch: its account, its
-- layout, when it was made, the exact file (so it can be downloaded again byte for byte) and one
-- line per titulaire it holds. The portal's answer is recorded once per batch: accepted, refused
-- whole (domain.md §8: one violated global condition rejects the whole file), or some titulaires
-- refused by name. A titulaire line is "sent" while some batch holds it unrefused; a refused line
-- is exported again by the next batch (ASSUMPTION: a line the portal refused was not imported, so
-- its ID_UNIQUE_PARTENAIRE is not yet "already imported" and may be sent again).
CREATE TABLE export_batches (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    idempotency_key TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('adf', 'jdr')),
    all_lines       INTEGER NOT NULL CHECK (all_lines IN (0, 1)),
    created_at      TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    file            TEXT NOT NULL,
    answer          TEXT CHECK (answer IN ('accepted', 'refused', 'refused_titulaires')),
    answered_at     TEXT
);
CREATE UNIQUE INDEX export_batches_idempotency ON export_batches (account_id, idempotency_key);
CREATE INDEX export_batches_account ON export_batches (account_id, id);

-- One line per titulaire of a batch, keyed like declaration_titulaires (account, line key).
CREATE TABLE export_lines (
    id                   INTEGER PRIMARY KEY,
    batch_id             INTEGER NOT NULL REFERENCES export_batches (id),
    account_id           INTEGER NOT NULL REFERENCES accounts (id),
    declaration_id       INTEGER NOT NULL REFERENCES declarations (id),
    position             INTEGER NOT NULL,
    id_unique_partenaire TEXT NOT NULL,
    nom_titulaire        TEXT NOT NULL,
    refused              INTEGER NOT NULL DEFAULT 0 CHECK (refused IN (0, 1))
);
CREATE UNIQUE INDEX export_lines_batch ON export_lines (batch_id, position);
CREATE INDEX export_lines_key ON export_lines (account_id, id_unique_partenaire, batch_id);

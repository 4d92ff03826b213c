-- Schema of the sandbox Passeport API (SQLite). Dates are ISO-8601 text (YYYY-MM-DD), which sorts
-- chronologically. All SQL of the server lives in src/server/store.rs and in these migrations.
-- Unique constraints on bulk-loaded tables are named indexes (not column constraints) so that the
-- demo seeding can drop and rebuild them around its bulk load.

-- Server-wide facts: whether the database was seeded with demonstration data.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Accounts: employers and training organisations (organismes de formation).
CREATE TABLE accounts (
    id    INTEGER PRIMARY KEY,
    kind  TEXT NOT NULL CHECK (kind IN ('organisme_formation', 'employeur')),
    siret TEXT NOT NULL UNIQUE,
    name  TEXT NOT NULL,
    nda   TEXT
);

-- Bearer tokens, stored as SHA-256 hex digests, never in clear.
CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
) WITHOUT ROWID;

-- Workers (titulaires). `employer_account_id` is the employer account that sees them, if any;
-- `search` is the folded (lowercase, accent-free) text searched by GET /v1/workers?q=.
CREATE TABLE workers (
    id                  INTEGER PRIMARY KEY,
    nir                 TEXT NOT NULL,
    last_name           TEXT NOT NULL,
    usage_name          TEXT,
    first_names         TEXT NOT NULL,
    birth_date          TEXT,
    employer_siret      TEXT NOT NULL,
    employer_name       TEXT NOT NULL,
    site                TEXT NOT NULL,
    employer_account_id INTEGER REFERENCES accounts (id),
    search              TEXT NOT NULL
);
CREATE UNIQUE INDEX workers_nir ON workers (nir);
CREATE INDEX workers_employer ON workers (employer_account_id, id);

-- Training sessions, owned by the account that delivered them (an OF, or an employer for an
-- internal training).
CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    training_code TEXT NOT NULL,
    title         TEXT NOT NULL,
    organisme     TEXT NOT NULL,
    place         TEXT NOT NULL,
    start_date    TEXT NOT NULL,
    end_date      TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id, end_date, id);

CREATE TABLE session_trainees (
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    worker_id  INTEGER NOT NULL REFERENCES workers (id),
    outcome    TEXT NOT NULL CHECK (outcome IN ('passed', 'attended', 'absent', 'pending'))
);
CREATE UNIQUE INDEX session_trainees_session ON session_trainees (session_id, worker_id);
CREATE INDEX session_trainees_worker ON session_trainees (worker_id, session_id);

-- Passport entries with their expiry computed at insert from the catalogue, and `superseded`
-- set when a later entry of the same training type exists for the same worker. The two owner
-- columns are copied from the worker and the session so that GET /v1/expirations walks one
-- partial index per account kind.
CREATE TABLE passport_entries (
    id                  INTEGER PRIMARY KEY,
    worker_id           INTEGER NOT NULL REFERENCES workers (id),
    training_code       TEXT NOT NULL,
    end_date            TEXT NOT NULL,
    validity_start      TEXT,
    validity_end        TEXT,
    expires_on          TEXT,
    superseded          INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1)),
    session_id          INTEGER REFERENCES sessions (id),
    employer_account_id INTEGER REFERENCES accounts (id),
    session_account_id  INTEGER REFERENCES accounts (id)
);
CREATE INDEX passport_entries_worker ON passport_entries (worker_id, training_code);
CREATE INDEX passport_entries_employer_expiry
    ON passport_entries (employer_account_id, expires_on, id)
    WHERE superseded = 0 AND expires_on IS NOT NULL;
CREATE INDEX passport_entries_session_expiry
    ON passport_entries (session_account_id, expires_on, id)
    WHERE superseded = 0 AND expires_on IS NOT NULL;

-- Recorded declarations. `body` is the declaration as JSON, as it stands now (removed titulaires
-- are gone from it); `body_hash` is the SHA-256 of the body as first received, for idempotency.
CREATE TABLE declarations (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    idempotency_key TEXT,
    body_hash       TEXT,
    kind            TEXT NOT NULL CHECK (kind IN ('attestation', 'justificatif')),
    reference       TEXT NOT NULL,
    training_title  TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('enregistree', 'en_retard', 'supprimee')),
    deadline        TEXT,
    created_at      TEXT NOT NULL,
    session_id      INTEGER REFERENCES sessions (id),
    body            TEXT NOT NULL
);
CREATE UNIQUE INDEX declarations_idempotency
    ON declarations (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX declarations_account ON declarations (account_id, id);
CREATE INDEX declarations_session ON declarations (session_id) WHERE session_id IS NOT NULL;

-- One line per titulaire. ID_UNIQUE_PARTENAIRE is unique across the whole database and stays
-- reserved after the titulaire is removed (domain.md §8: unique across every file ever imported).
CREATE TABLE declaration_titulaires (
    id                   INTEGER PRIMARY KEY,
    declaration_id       INTEGER NOT NULL REFERENCES declarations (id),
    position             INTEGER NOT NULL,
    id_unique_partenaire TEXT NOT NULL UNIQUE,
    nir                  TEXT NOT NULL,
    removed              INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1))
);
CREATE INDEX declaration_titulaires_declaration ON declaration_titulaires (declaration_id);
CREATE INDEX declaration_titulaires_nir ON declaration_titulaires (nir);

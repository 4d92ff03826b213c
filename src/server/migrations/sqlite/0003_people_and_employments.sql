-- A team's own data (issue 13, docs/model.md): one PERSON per NIR, known by each account through
-- its own WORKER row (the employment: matricule, site, service, poste, manager, dates), and
-- passport entries that belong to the person, each with its source.
-- Tenant tables are keyed by account (workers.employer_account_id, sessions.account_id,
-- declarations.account_id); person tables by person (persons.id, passport_entries.person_id), so
-- that a distributed PostgreSQL can shard each along its key.

-- People: the NIR (first 13 characters) names one person nationally. Nothing else is stored
-- here: the identity as each account knows it stays on its worker row.
CREATE TABLE persons (
    id  INTEGER PRIMARY KEY,
    nir TEXT NOT NULL UNIQUE
);
-- Existing workers are one row per NIR: each becomes a person of the same id.
INSERT INTO persons (id, nir) SELECT id, nir FROM workers;

-- Workers become employments: the person as one employer account knows them. A worker with no
-- account is a trainee whose employer has no account (seen by training organisations only).
ALTER TABLE workers ADD COLUMN person_id INTEGER REFERENCES persons (id);
UPDATE workers SET person_id = id;
ALTER TABLE workers ADD COLUMN employee_number TEXT;
ALTER TABLE workers ADD COLUMN service TEXT;
ALTER TABLE workers ADD COLUMN job TEXT;
ALTER TABLE workers ADD COLUMN manager TEXT;
ALTER TABLE workers ADD COLUMN entry_date TEXT;
ALTER TABLE workers ADD COLUMN leaving_date TEXT;
ALTER TABLE workers ADD COLUMN archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1));
-- One worker per person and per account (NULL accounts are distinct for SQLite), one matricule
-- per account; the NIR is no longer unique across accounts.
DROP INDEX workers_nir;
CREATE UNIQUE INDEX workers_account_nir ON workers (employer_account_id, nir);
CREATE UNIQUE INDEX workers_account_number ON workers (employer_account_id, employee_number);
CREATE INDEX workers_person ON workers (person_id, employer_account_id);

-- Passport entries belong to the person. `source` says where each comes from: a closed
-- `session` of its owner, a training record `recorded` by an employer, or a declaration line
-- `declared` by an account (`declaration_line_id`). `training_code` is NULL for a declared
-- training that maps to no catalogue type (« type non reconnu »), whose declared title is kept.
-- The two viewer columns say which accounts see the entry: `employer_account_id` the employer
-- (the recorder, or the account whose SIRET is the line's SIRET_EMPLOYEUR), `session_account_id`
-- the training organisation that delivered or declared it. `expires_on` and `superseded` are
-- recomputed from the catalogue when the rules change (server start-up, docs/model.md).
-- A removed training record keeps its row (`removed_at`, `removed_reason`): the history.
CREATE TABLE passport_entries_v2 (
    id                  INTEGER PRIMARY KEY,
    person_id           INTEGER NOT NULL REFERENCES persons (id),
    training_code       TEXT,
    training_title      TEXT,
    end_date            TEXT NOT NULL,
    validity_start      TEXT,
    validity_end        TEXT,
    expires_on          TEXT,
    superseded          INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1)),
    source              TEXT NOT NULL DEFAULT 'session'
                        CHECK (source IN ('session', 'recorded', 'declared')),
    source_account_id   INTEGER REFERENCES accounts (id),
    session_id          INTEGER REFERENCES sessions (id),
    declaration_line_id INTEGER REFERENCES declaration_titulaires (id),
    employer_siret      TEXT,
    organisme           TEXT,
    reference           TEXT,
    recorded_on         TEXT,
    removed_at          TEXT,
    removed_reason      TEXT,
    employer_account_id INTEGER REFERENCES accounts (id),
    session_account_id  INTEGER REFERENCES accounts (id)
);
INSERT INTO passport_entries_v2 (id, person_id, training_code, end_date, validity_start,
    validity_end, expires_on, superseded, source, source_account_id, session_id,
    employer_account_id, session_account_id)
SELECT e.id, w.person_id, e.training_code, e.end_date, e.validity_start, e.validity_end,
    e.expires_on, e.superseded, 'session', e.session_account_id, e.session_id,
    e.employer_account_id, e.session_account_id
FROM passport_entries e JOIN workers w ON w.id = e.worker_id;
DROP TABLE passport_entries;
ALTER TABLE passport_entries_v2 RENAME TO passport_entries;
CREATE INDEX passport_entries_person ON passport_entries (person_id, training_code);
CREATE INDEX passport_entries_employer_expiry
    ON passport_entries (employer_account_id, expires_on, id)
    WHERE superseded = 0 AND expires_on IS NOT NULL AND removed_at IS NULL;
CREATE INDEX passport_entries_session_expiry
    ON passport_entries (session_account_id, expires_on, id)
    WHERE superseded = 0 AND expires_on IS NOT NULL AND removed_at IS NULL;
CREATE INDEX passport_entries_line
    ON passport_entries (declaration_line_id) WHERE declaration_line_id IS NOT NULL;
-- Entries declared for an employer SIRET that had no account yet, attached when it gets one.
CREATE INDEX passport_entries_unattached
    ON passport_entries (employer_siret) WHERE employer_account_id IS NULL;

-- Idempotency of every POST but the declarations' own (which keep theirs on the declaration):
-- the first answer, replayed for the same key and body, a conflict for another body.
CREATE TABLE idempotency_keys (
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    key        TEXT NOT NULL,
    route      TEXT NOT NULL,
    body_hash  TEXT NOT NULL,
    status     INTEGER NOT NULL,
    response   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (account_id, key)
) WITHOUT ROWID;

-- Ready to shard (issue 14 §5, docs/scaling.md): the keys of the tenant tables that can carry
-- their account do, as on PostgreSQL. Each new unique key holds the same rows unique as the one
-- it replaces, since a session, a batch or a declaration belongs to one account. SQLite cannot
-- change a foreign key: session_trainees and export_lines are rebuilt with their rows and ids.

-- The parents' (account_id, id), which the tenant foreign keys below join on.
CREATE UNIQUE INDEX sessions_account_key ON sessions (account_id, id);
CREATE UNIQUE INDEX declarations_account_key ON declarations (account_id, id);
DROP INDEX export_batches_account;
CREATE UNIQUE INDEX export_batches_account ON export_batches (account_id, id);

-- A trainee row carries its session's account, the distribution column of the tenant tables.
CREATE TABLE session_trainees_v3 (
    session_id INTEGER NOT NULL,
    worker_id  INTEGER NOT NULL REFERENCES workers (id),
    outcome    TEXT NOT NULL
               CHECK (outcome IN ('passed', 'failed', 'attended', 'absent', 'pending')),
    account_id INTEGER NOT NULL,
    FOREIGN KEY (account_id, session_id) REFERENCES sessions (account_id, id)
);
INSERT INTO session_trainees_v3 (session_id, worker_id, outcome, account_id)
SELECT t.session_id, t.worker_id, t.outcome, s.account_id
FROM session_trainees t JOIN sessions s ON s.id = t.session_id;
DROP TABLE session_trainees;
ALTER TABLE session_trainees_v3 RENAME TO session_trainees;
CREATE UNIQUE INDEX session_trainees_session ON session_trainees (account_id, session_id, worker_id);
CREATE INDEX session_trainees_worker ON session_trainees (worker_id, session_id);

-- An export line joins its batch and its declaration within its account.
CREATE TABLE export_lines_v2 (
    id                   INTEGER PRIMARY KEY,
    batch_id             INTEGER NOT NULL,
    account_id           INTEGER NOT NULL REFERENCES accounts (id),
    declaration_id       INTEGER NOT NULL,
    position             INTEGER NOT NULL,
    id_unique_partenaire TEXT NOT NULL,
    nom_titulaire        TEXT NOT NULL,
    refused              INTEGER NOT NULL DEFAULT 0 CHECK (refused IN (0, 1)),
    FOREIGN KEY (account_id, batch_id) REFERENCES export_batches (account_id, id),
    FOREIGN KEY (account_id, declaration_id) REFERENCES declarations (account_id, id)
);
INSERT INTO export_lines_v2 (id, batch_id, account_id, declaration_id, position,
                             id_unique_partenaire, nom_titulaire, refused)
SELECT id, batch_id, account_id, declaration_id, position, id_unique_partenaire, nom_titulaire,
       refused
FROM export_lines;
DROP TABLE export_lines;
ALTER TABLE export_lines_v2 RENAME TO export_lines;
CREATE UNIQUE INDEX export_lines_batch ON export_lines (account_id, batch_id, position);
CREATE INDEX export_lines_key ON export_lines (account_id, id_unique_partenaire, batch_id);

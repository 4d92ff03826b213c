-- Ready to shard (issue 14 §5, docs/scaling.md): the keys of the tenant tables that can carry
-- their account do. Each new unique key holds the same rows unique as the one it replaces, since
-- a session, a batch or a declaration belongs to one account.

-- The parents' (account_id, id), which the tenant foreign keys below join on.
CREATE UNIQUE INDEX sessions_account_key ON sessions (account_id, id);
CREATE UNIQUE INDEX declarations_account_key ON declarations (account_id, id);
DROP INDEX export_batches_account;
CREATE UNIQUE INDEX export_batches_account ON export_batches (account_id, id);

-- A trainee row carries its session's account, the distribution column of the tenant tables.
ALTER TABLE session_trainees ADD COLUMN account_id BIGINT;
UPDATE session_trainees t SET account_id = s.account_id FROM sessions s WHERE s.id = t.session_id;
ALTER TABLE session_trainees ALTER COLUMN account_id SET NOT NULL;
ALTER TABLE session_trainees DROP CONSTRAINT session_trainees_session_id_fkey;
ALTER TABLE session_trainees ADD CONSTRAINT session_trainees_session_id_fkey
    FOREIGN KEY (account_id, session_id) REFERENCES sessions (account_id, id);
DROP INDEX session_trainees_session;
CREATE UNIQUE INDEX session_trainees_session ON session_trainees (account_id, session_id, worker_id);

-- An export line joins its batch and its declaration within its account.
ALTER TABLE export_lines DROP CONSTRAINT export_lines_batch_id_fkey;
ALTER TABLE export_lines ADD CONSTRAINT export_lines_batch_id_fkey
    FOREIGN KEY (account_id, batch_id) REFERENCES export_batches (account_id, id);
ALTER TABLE export_lines DROP CONSTRAINT export_lines_declaration_id_fkey;
ALTER TABLE export_lines ADD CONSTRAINT export_lines_declaration_id_fkey
    FOREIGN KEY (account_id, declaration_id) REFERENCES declarations (account_id, id);
DROP INDEX export_lines_batch;
CREATE UNIQUE INDEX export_lines_batch ON export_lines (account_id, batch_id, position);

-- Session writes (issue 13 §1, docs/model.md "Sessions"): a trainee's outcome may be `failed`
-- (attended, assessment not passed), and a session has a closed state. SQLite cannot change a
-- CHECK: session_trainees is rebuilt with the same indexes.
CREATE TABLE session_trainees_v2 (
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    worker_id  INTEGER NOT NULL REFERENCES workers (id),
    outcome    TEXT NOT NULL
               CHECK (outcome IN ('passed', 'failed', 'attended', 'absent', 'pending'))
);
INSERT INTO session_trainees_v2 (session_id, worker_id, outcome)
SELECT session_id, worker_id, outcome FROM session_trainees;
DROP TABLE session_trainees;
ALTER TABLE session_trainees_v2 RENAME TO session_trainees;
CREATE UNIQUE INDEX session_trainees_session ON session_trainees (session_id, worker_id);
CREATE INDEX session_trainees_worker ON session_trainees (worker_id, session_id);

-- The day the session was closed (POST /v1/sessions/{id}/close): its passed and attended
-- trainees then have their passport entry, and what the entries depend on (type, dates,
-- trainees, outcomes) no longer changes. A session whose entries were written before this
-- migration (the demo data) counts as closed on its end date.
ALTER TABLE sessions ADD COLUMN closed_at TEXT;
UPDATE sessions SET closed_at = end_date WHERE EXISTS (SELECT 1 FROM passport_entries e
    WHERE e.session_id = sessions.id AND e.source = 'session');

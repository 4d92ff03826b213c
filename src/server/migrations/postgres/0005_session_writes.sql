-- Session writes (issue 13 §1, docs/model.md "Sessions"): a trainee's outcome may be `failed`
-- (attended, assessment not passed), and a session has a closed state. Same version as the
-- SQLite migration; PostgreSQL changes the CHECK in place.
ALTER TABLE session_trainees DROP CONSTRAINT session_trainees_outcome_check;
ALTER TABLE session_trainees ADD CONSTRAINT session_trainees_outcome_check
    CHECK (outcome IN ('passed', 'failed', 'attended', 'absent', 'pending'));

-- The day the session was closed (POST /v1/sessions/{id}/close). A session whose entries were
-- written before this migration counts as closed on its end date.
ALTER TABLE sessions ADD COLUMN closed_at DATE;
UPDATE sessions SET closed_at = end_date WHERE EXISTS (SELECT 1 FROM passport_entries e
    WHERE e.session_id = sessions.id AND e.source = 'session');

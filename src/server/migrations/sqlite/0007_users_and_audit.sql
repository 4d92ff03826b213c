-- Users, roles, revocation and the audit trail (issue 17, docs/model.md "Utilisateurs").
-- A user belongs to one account; `role` is lecture, saisie or administration; `nir_access`
-- lets a lecture user read NIRs unmasked; `sites` (JSON array of site names) limits the
-- workers the user sees and changes, NULL for every site; `disabled_at` refuses its tokens.
CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('lecture', 'saisie', 'administration')),
    nir_access  BOOLEAN NOT NULL DEFAULT FALSE,
    sites       TEXT,
    created_at  TEXT NOT NULL,
    disabled_at TEXT,
    UNIQUE (account_id, email)
);

-- A token belongs to a user; `prefix` is its first characters (what `token list` shows and
-- `token revoke` takes); a revoked or expired token is refused at once.
ALTER TABLE tokens ADD COLUMN user_id INTEGER REFERENCES users (id);
ALTER TABLE tokens ADD COLUMN prefix TEXT;
ALTER TABLE tokens ADD COLUMN expires_at TEXT;
ALTER TABLE tokens ADD COLUMN revoked_at TEXT;
ALTER TABLE tokens ADD COLUMN last_used_at TEXT;

-- The tokens made before users: their clear text is unknown, so their prefix is `#` and the
-- first characters of their hash. Their « administration » user is created by the server at
-- start (Store::adopt_tokens), which also covers the tokens of the demonstration data.
UPDATE tokens SET prefix = '#' || substr(hash, 1, 8);

-- The audit trail: one row per write, appended in the write's transaction and never updated
-- or deleted by the API. `before` and `after` are JSON objects of the changed fields (NIRs
-- masked); `user_id` is NULL for a write of the command line.
CREATE TABLE audit_entries (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id    INTEGER REFERENCES users (id),
    user_email TEXT NOT NULL,
    at         TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    before     TEXT,
    after      TEXT
);
CREATE INDEX audit_entries_account ON audit_entries (account_id, id);

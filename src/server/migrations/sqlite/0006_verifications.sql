-- The employer's check of a training organisation's declaration line (décret 2022-1712 art. 7-I,
-- issue 16, docs/model.md "Vérification"). A row exists once the employer acted on the line:
-- `verifiee`, or `correction_demandee` with its message. « à vérifier » and « réputée vérifiée »
-- are not stored: they follow from the window of assets/deadlines.toml and today.
-- `subject` is the line as the employer saw it (JSON), kept for when the organisation removes the
-- titulaire; `watermark` is the last declaration line id when the request was made, so that a
-- later line of the same organisation for the same NIR (« déclarer à nouveau ») closes it.
-- Keyed by the employer account (tenant table); the organisation column serves its own list.
CREATE TABLE verifications (
    line_id                 INTEGER PRIMARY KEY REFERENCES declaration_titulaires (id),
    employer_account_id     INTEGER NOT NULL REFERENCES accounts (id),
    organisation_account_id INTEGER NOT NULL REFERENCES accounts (id),
    status                  TEXT NOT NULL CHECK (status IN ('verifiee', 'correction_demandee')),
    message                 TEXT,
    acted_on                TEXT NOT NULL,
    watermark               INTEGER NOT NULL,
    subject                 TEXT NOT NULL
);
CREATE INDEX verifications_employer ON verifications (employer_account_id, line_id);
CREATE INDEX verifications_organisation ON verifications (organisation_account_id, line_id);

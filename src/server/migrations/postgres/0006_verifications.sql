-- The employer's check of a training organisation's declaration line (art. 7-I); see
-- ../sqlite/0006_verifications.sql for what each column holds.
CREATE TABLE verifications (
    line_id                 BIGINT PRIMARY KEY REFERENCES declaration_titulaires (id),
    employer_account_id     BIGINT NOT NULL REFERENCES accounts (id),
    organisation_account_id BIGINT NOT NULL REFERENCES accounts (id),
    status                  TEXT NOT NULL CHECK (status IN ('verifiee', 'correction_demandee')),
    message                 TEXT,
    acted_on                DATE NOT NULL,
    watermark               BIGINT NOT NULL,
    subject                 TEXT NOT NULL
);
CREATE INDEX verifications_employer ON verifications (employer_account_id, line_id);
CREATE INDEX verifications_organisation ON verifications (organisation_account_id, line_id);

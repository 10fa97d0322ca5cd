-- Distinct statements of a claim: reports in syndicated copies of one agency story count once.
ALTER TABLE claims ADD COLUMN statements INTEGER NOT NULL DEFAULT 0

-- Bounded pages (issue 14).  The claims list and the home page read claims most reported first, a
-- page at a time: this index serves that order, so a page stops at its limit instead of sorting
-- every claim.
CREATE INDEX IF NOT EXISTS claims_reports ON claims(reports DESC, first_said);
-- A speaker's page names the claims the speaker repeats most: counted from this index alone (only
-- quotations in a claim are in it), not by reading every quotation of the speaker.
CREATE INDEX IF NOT EXISTS quotations_speaker_claim ON quotations(speaker, claim_id) WHERE claim_id IS NOT NULL;
-- A claim's page lists its reports in date order: its affirming members (quotations.claim_id names
-- the claim) are read in that order from this index, so a claim reported 20,000 times is not sorted
-- for each page.  Partial: only quotations in a claim are in it.
CREATE INDEX IF NOT EXISTS quotations_claim_key ON quotations(claim_id, said_key, article_id, start, id)
    WHERE claim_id IS NOT NULL;
-- A speaker is found by id or by its name in any case (a page's /speaker/…, a filter's exact name)
-- from an index on both, not by reading every speaker.
CREATE INDEX IF NOT EXISTS speakers_name_nocase ON speakers(name COLLATE NOCASE)

-- How sure the speaker stage is of a quotation's speaker (issue 15): 0-1, NULL where there is no speaker
-- or the row was stored before this column existed.
ALTER TABLE quotations ADD COLUMN speaker_confidence REAL

-- The full-text rows take the rowid of their quotation, so that replacing or deleting a quotation
-- finds its search row through the rowid (FTS5 has no index on quotation_id: deleting by it read
-- the whole search table for every row, which made loading a large export quadratic).
CREATE TEMP TABLE fts_copy AS SELECT quotation_id, text, speaker, stems FROM quotations_fts;
DELETE FROM quotations_fts;
INSERT INTO quotations_fts(rowid, quotation_id, text, speaker, stems)
    SELECT q.rowid, c.quotation_id, c.text, c.speaker, c.stems FROM fts_copy c JOIN quotations q ON q.id = c.quotation_id;
DROP TABLE fts_copy

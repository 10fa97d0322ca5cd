-- Dates that cannot exist (2024-13, 2024-02-31), stored by versions before issue 13's validation,
-- become NULL: the store's Python step right after this file checks every distinct published and
-- said_on value with dates.calendar.valid_iso.  Nothing else changes.
SELECT 1

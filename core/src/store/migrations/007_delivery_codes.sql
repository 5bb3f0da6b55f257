-- Delivery codes: the short random code that delivery lists and receipts show instead of the
-- household's name, and that the household gives to confirm a delivery. Derived from the
-- household documents (profile.delivery_code); NULL while the household's document is not on
-- this device or predates codes. The index serves the uniqueness check when a code is made.
-- Filled from the documents by the rebuild that runs after this migration.
ALTER TABLE households ADD COLUMN delivery_code TEXT;
CREATE INDEX households_by_delivery_code ON households (antenna_id, delivery_code);

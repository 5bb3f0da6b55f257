-- The storage id the relay gave in its `peer` message when this device last synced through
-- it. A relay restored from a backup has a new one: it may have forgotten changes it once
-- confirmed, so the device forgets its sync states for that antenna and offers every
-- document again (each phone resends what it wrote). NULL until the first sync.
ALTER TABLE relay_links ADD COLUMN relay_storage_id TEXT;

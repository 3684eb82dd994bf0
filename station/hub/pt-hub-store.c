/* pt-hub-store.c: the hub's connections, migrations and transactions, its stations and
 * enrolment codes, and the admin's lists (see pt-hub-store.h).  Ingest, evidence and heads
 * are in pt-hub-store-events.c. */
#include "pt-hub-store-private.h"

#include "pt-error.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-time.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

/* Each entry is one migration, run in its own transaction; append, never edit. */
static const char *const migrations[] = {
    /* 1: the whole first schema. */
    "CREATE TABLE stations ("
    "  id text PRIMARY KEY,"
    "  name text NOT NULL,"
    "  public_key bytea NOT NULL UNIQUE CHECK (length(public_key) = 32),"
    "  enrolled_at timestamptz NOT NULL DEFAULT now(),"
    "  revoked_at timestamptz,"
    "  last_heard timestamptz,"
    "  head_seq bigint,"
    "  head_hash bytea,"
    "  head_at timestamptz,"
    "  contiguous_seq bigint NOT NULL DEFAULT 0);"
    "CREATE TABLE enrol_codes ("
    "  code_hash bytea PRIMARY KEY,"
    "  name text NOT NULL,"
    "  created_at timestamptz NOT NULL DEFAULT now(),"
    "  expires_at timestamptz NOT NULL,"
    "  used_at timestamptz,"
    "  used_by text REFERENCES stations (id));"
    "CREATE TABLE batches ("
    "  id bigserial PRIMARY KEY,"
    "  gtin text NOT NULL,"
    "  lot text NOT NULL,"
    "  product text,"
    "  variety text,"
    "  grower text,"
    "  first_seen timestamptz NOT NULL DEFAULT now(),"
    "  UNIQUE (gtin, lot));"
    "CREATE INDEX batches_lot ON batches (lot);"
    "CREATE INDEX batches_grower ON batches (grower) WHERE grower IS NOT NULL;"
    /* Identity and chain position: unique across all months, so not partitioned. */
    "CREATE TABLE event_keys ("
    "  station_id text NOT NULL REFERENCES stations (id),"
    "  seq bigint NOT NULL CHECK (seq >= 1),"
    "  hash bytea NOT NULL UNIQUE,"
    "  event_id text NOT NULL UNIQUE,"
    "  event_time timestamptz NOT NULL,"
    "  batch_id bigint REFERENCES batches (id),"
    "  prev_batch_hash bytea,"
    "  prev_station_hash bytea,"
    "  PRIMARY KEY (station_id, seq));"
    /* Two held events naming one predecessor are a fork: never stored. */
    "CREATE UNIQUE INDEX event_keys_prev_batch ON event_keys (prev_batch_hash)"
    "  WHERE prev_batch_hash IS NOT NULL;"
    "CREATE UNIQUE INDEX event_keys_prev_station ON event_keys (prev_station_hash)"
    "  WHERE prev_station_hash IS NOT NULL;"
    "CREATE INDEX event_keys_batch ON event_keys (batch_id, station_id, seq);"
    "CREATE TABLE events ("
    "  station_id text NOT NULL,"
    "  seq bigint NOT NULL,"
    "  event_id text NOT NULL,"
    "  hash bytea NOT NULL,"
    "  hash_id text,"
    "  step text NOT NULL,"
    "  biz_step text NOT NULL,"
    "  event_type text NOT NULL,"
    "  action text,"
    "  disposition text,"
    "  status_action text,"
    "  event_time timestamptz NOT NULL,"
    "  record_time timestamptz NOT NULL,"
    "  batch_id bigint,"
    "  gtin text,"
    "  lot text,"
    "  biz_location text,"
    "  read_point text,"
    "  epc_classes text[] NOT NULL,"
    "  quantity double precision,"
    "  body text NOT NULL,"
    "  prev_batch_hash bytea,"
    "  prev_station_hash bytea,"
    "  signature bytea NOT NULL,"
    "  received_at timestamptz NOT NULL DEFAULT now(),"
    "  PRIMARY KEY (station_id, seq, event_time)"
    ") PARTITION BY RANGE (event_time);"
    "CREATE INDEX events_batch ON events (batch_id, station_id, seq);"
    "CREATE INDEX events_gtin_lot ON events (gtin, lot, event_time);"
    "CREATE INDEX events_lot ON events (lot);"
    "CREATE INDEX events_biz_step_time ON events (biz_step, event_time);"
    "CREATE INDEX events_time ON events (event_time);"
    "CREATE INDEX events_record_time ON events (record_time);"
    "CREATE INDEX events_biz_location ON events (biz_location, event_time)"
    "  WHERE biz_location IS NOT NULL;"
    "CREATE INDEX events_hash_id ON events (hash_id);"
    "CREATE INDEX events_epc_classes ON events USING gin (epc_classes);"
    /* One partition per UTC month, made on demand; the lock keeps two hub processes from
     * making the same one. */
    "CREATE FUNCTION hub_events_partition(t timestamptz) RETURNS text LANGUAGE plpgsql AS $$"
    " DECLARE"
    "   m timestamp := date_trunc('month', t AT TIME ZONE 'UTC');"
    "   n text := 'events_' || to_char(m, 'YYYY_MM');"
    " BEGIN"
    "   IF to_regclass(n) IS NULL THEN"
    "     PERFORM pg_advisory_xact_lock(hashtext('packtrace-hub-partition'));"
    "     IF to_regclass(n) IS NULL THEN"
    "       EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',"
    "                      n, m AT TIME ZONE 'UTC', (m + interval '1 month') AT TIME ZONE 'UTC');"
    "     END IF;"
    "   END IF;"
    "   RETURN n;"
    " END $$;"
    "CREATE TABLE evidence ("
    "  sha256 bytea PRIMARY KEY CHECK (length(sha256) = 32),"
    "  station_id text NOT NULL REFERENCES stations (id),"
    "  media_type text NOT NULL,"
    "  size bigint NOT NULL,"
    "  data bytea NOT NULL,"
    "  received_at timestamptz NOT NULL DEFAULT now());"
    "CREATE TABLE evidence_refs ("
    "  sha256 bytea NOT NULL,"
    "  station_id text NOT NULL,"
    "  seq bigint NOT NULL,"
    "  PRIMARY KEY (sha256, station_id, seq));"
    "CREATE TABLE heads ("
    "  id bigserial PRIMARY KEY,"
    "  station_id text NOT NULL REFERENCES stations (id),"
    "  seq bigint NOT NULL,"
    "  hash bytea NOT NULL,"
    "  received_at timestamptz NOT NULL DEFAULT now(),"
    "  alert text);"
    "CREATE INDEX heads_station ON heads (station_id, id);"
    "CREATE TABLE alerts ("
    "  id bigserial PRIMARY KEY,"
    "  station_id text NOT NULL REFERENCES stations (id),"
    "  kind text NOT NULL,"
    "  message text NOT NULL,"
    "  created_at timestamptz NOT NULL DEFAULT now());"
    "CREATE INDEX alerts_station ON alerts (station_id, id);"
    "CREATE TABLE quarantine ("
    "  id bigserial PRIMARY KEY,"
    "  station_id text NOT NULL REFERENCES stations (id),"
    "  seq bigint,"
    "  event_id text,"
    "  received text NOT NULL,"
    "  reason text NOT NULL,"
    "  received_at timestamptz NOT NULL DEFAULT now());"
    "CREATE INDEX quarantine_station ON quarantine (station_id, id);"
    /* The quality index, kept by ingest: per ISO week (Monday, UTC), station and batch;
     * grower and variety come from batches, so per-grower views sum few rows. */
    "CREATE TABLE quality_weekly ("
    "  week date NOT NULL,"
    "  station_id text NOT NULL,"
    "  batch_id bigint NOT NULL REFERENCES batches (id),"
    "  events bigint NOT NULL DEFAULT 0,"
    "  inspections bigint NOT NULL DEFAULT 0,"
    "  conformant bigint NOT NULL DEFAULT 0,"
    "  non_conformant bigint NOT NULL DEFAULT 0,"
    "  holds bigint NOT NULL DEFAULT 0,"
    "  recalls bigint NOT NULL DEFAULT 0,"
    "  quantity_inspected double precision NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (week, station_id, batch_id));"
    "CREATE INDEX quality_weekly_batch ON quality_weekly (batch_id);",
    /* 2: what the buyer API, the EPCIS query interface and the quality index read
     * (pt-hub-store-query.c): bearer tokens, the keyset order of GET /events, and tables kept
     * by a statement trigger on events, so they change in the transaction that stores the
     * events and are never recomputed by scanning all events. */
    "CREATE TABLE hub_tokens ("
    "  id bigserial PRIMARY KEY,"
    "  name text NOT NULL,"
    "  role text NOT NULL CHECK (role IN ('buyer', 'admin')),"
    "  gln text CHECK (gln ~ '^[0-9]{13}$'),"
    "  token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),"
    "  created_at timestamptz NOT NULL DEFAULT now(),"
    "  revoked_at timestamptz,"
    "  CHECK (role = 'admin' OR gln IS NOT NULL));"
    "CREATE INDEX events_query_key ON events (event_time, station_id, seq);"
    "CREATE INDEX events_disposition ON events (disposition, event_time);"
    "CREATE INDEX events_read_point ON events (read_point, event_time)"
    "  WHERE read_point IS NOT NULL;"
    "CREATE INDEX events_type ON events (event_type, event_time);"
    /* Per batch, as its signed events state it: the station that commissioned it, its pack
     * date, the class its last inspection declared and its state (a recall is final). */
    "CREATE TABLE batch_facts ("
    "  batch_id bigint PRIMARY KEY REFERENCES batches (id),"
    "  station_id text,"
    "  pack_date date,"
    "  grade text,"
    "  graded_at timestamptz,"
    "  state text NOT NULL DEFAULT 'active');"
    "CREATE INDEX batch_facts_station ON batch_facts (station_id);"
    "CREATE INDEX batch_facts_pack_date ON batch_facts (pack_date);"
    "CREATE INDEX batch_facts_grade ON batch_facts (grade);"
    /* Which buyer (GLN) a batch was loaded for: a scoped buyer's search joins this. */
    "CREATE TABLE batch_buyers ("
    "  gln text NOT NULL,"
    "  batch_id bigint NOT NULL REFERENCES batches (id),"
    "  PRIMARY KEY (gln, batch_id));"
    /* The quality index's detail beside quality_weekly's counts: per week, station, batch,
     * the fruit per grade class and size code, fruit per defect kind, inspections per
     * declared class, fruit, fruit with defects and estimated kg inspected. */
    "CREATE TABLE quality_facets ("
    "  week date NOT NULL,"
    "  station_id text NOT NULL,"
    "  batch_id bigint NOT NULL REFERENCES batches (id),"
    "  facet text NOT NULL CHECK (facet IN ('grade', 'size', 'defect', 'declared', 'fruit',"
    "    'fruit_with_defects', 'weight_kg')),"
    "  key text NOT NULL DEFAULT '',"
    "  amount double precision NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (week, station_id, batch_id, facet, key));"
    "CREATE INDEX quality_facets_batch ON quality_facets (batch_id);"
    "CREATE FUNCTION hub_num(v jsonb) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$"
    "  SELECT CASE WHEN jsonb_typeof(v) = 'number' THEN v::text::double precision END $$;"
    "CREATE FUNCTION hub_events_derive() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  INSERT INTO quality_facets AS q (week, station_id, batch_id, facet, key, amount)"
    "  SELECT week, station_id, batch_id, f.facet, f.key, sum(f.amount) FROM ("
    "    SELECT date_trunc('week', event_time AT TIME ZONE 'UTC')::date AS week, station_id,"
    "      batch_id, body::jsonb AS j FROM new_events"
    "    WHERE biz_step = 'inspecting' AND batch_id IS NOT NULL) i,"
    "  LATERAL ("
    "    SELECT 'grade', g.key, hub_num(g.value) FROM jsonb_each("
    "      CASE WHEN jsonb_typeof(j->'pt:gradeDistribution') = 'object'"
    "      THEN j->'pt:gradeDistribution' END) g"
    "    UNION ALL SELECT 'size', z.key, hub_num(z.value) FROM jsonb_each("
    "      CASE WHEN jsonb_typeof(j->'pt:sizeDistribution') = 'object'"
    "      THEN j->'pt:sizeDistribution' END) z"
    "    UNION ALL SELECT 'defect', d.key, hub_num(d.value) FROM jsonb_each("
    "      CASE WHEN jsonb_typeof(j->'pt:defects'->'fruitByKind') = 'object'"
    "      THEN j->'pt:defects'->'fruitByKind' END) d"
    "    UNION ALL SELECT 'declared', j->>'pt:declaredClass', 1"
    "      WHERE jsonb_typeof(j->'pt:declaredClass') = 'string'"
    "    UNION ALL SELECT 'fruit', '', hub_num(j->'pt:fruitCount')"
    "    UNION ALL SELECT 'fruit_with_defects', '', hub_num(j->'pt:defects'->'fruitWithDefects')"
    "    UNION ALL SELECT 'weight_kg', '', hub_num(j->'pt:estimatedWeightKg')"
    "  ) f(facet, key, amount) WHERE f.amount IS NOT NULL"
    "  GROUP BY 1, 2, 3, 4, 5"
    "  ON CONFLICT (week, station_id, batch_id, facet, key) DO UPDATE"
    "    SET amount = q.amount + EXCLUDED.amount;"
    "  INSERT INTO batch_buyers (gln, batch_id)"
    "  SELECT DISTINCT substr(d->>'destination', 24), batch_id FROM new_events,"
    "    jsonb_array_elements(CASE WHEN jsonb_typeof(body::jsonb->'destinationList') = 'array'"
    "      THEN body::jsonb->'destinationList' END) d"
    "  WHERE biz_step IN ('loading', 'departing') AND batch_id IS NOT NULL"
    "    AND d->>'destination' ~ '^https://id[.]gs1[.]org/414/[0-9]{13}$'"
    "  ON CONFLICT DO NOTHING;"
    "  INSERT INTO batch_facts AS b (batch_id, station_id, pack_date)"
    "  SELECT DISTINCT ON (batch_id) batch_id, station_id, CASE WHEN body::jsonb->>'pt:packDate'"
    "    ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN (body::jsonb->>'pt:packDate')::date END"
    "  FROM new_events WHERE biz_step = 'commissioning' AND batch_id IS NOT NULL"
    "  ORDER BY batch_id, seq"
    "  ON CONFLICT (batch_id) DO UPDATE SET station_id = coalesce(b.station_id,"
    "    EXCLUDED.station_id), pack_date = coalesce(b.pack_date, EXCLUDED.pack_date);"
    "  INSERT INTO batch_facts AS b (batch_id, grade, graded_at)"
    "  SELECT DISTINCT ON (batch_id) batch_id, body::jsonb->>'pt:declaredClass', event_time"
    "  FROM new_events WHERE biz_step = 'inspecting' AND batch_id IS NOT NULL"
    "    AND jsonb_typeof(body::jsonb->'pt:declaredClass') = 'string'"
    "  ORDER BY batch_id, event_time DESC, seq DESC"
    "  ON CONFLICT (batch_id) DO UPDATE SET grade = EXCLUDED.grade,"
    "    graded_at = EXCLUDED.graded_at"
    "    WHERE b.graded_at IS NULL OR b.graded_at <= EXCLUDED.graded_at;"
    "  INSERT INTO batch_facts AS b (batch_id, state)"
    "  SELECT DISTINCT ON (batch_id) batch_id, CASE status_action WHEN 'hold' THEN 'held'"
    "    WHEN 'recall' THEN 'recalled' ELSE 'active' END"
    "  FROM new_events WHERE status_action IN ('hold', 'release', 'recall')"
    "    AND batch_id IS NOT NULL ORDER BY batch_id, station_id, seq DESC"
    "  ON CONFLICT (batch_id) DO UPDATE SET state = EXCLUDED.state"
    "    WHERE b.state <> 'recalled';"
    "  RETURN NULL;"
    " END $$;"
    "CREATE TRIGGER events_derive AFTER INSERT ON events REFERENCING NEW TABLE AS new_events"
    "  FOR EACH STATEMENT EXECUTE FUNCTION hub_events_derive();",
    /* 3: two requests that meet a month's first events at once both found no partition:
     * the advisory lock serialises them, but the second's to_regclass() can still answer
     * from a catalog cache of before the first committed, and its CREATE then failed the
     * request with "already exists".  That answer now means the partition is there. */
    "CREATE OR REPLACE FUNCTION hub_events_partition(t timestamptz) RETURNS text"
    " LANGUAGE plpgsql AS $$"
    " DECLARE"
    "   m timestamp := date_trunc('month', t AT TIME ZONE 'UTC');"
    "   n text := 'events_' || to_char(m, 'YYYY_MM');"
    " BEGIN"
    "   IF to_regclass(n) IS NULL THEN"
    "     PERFORM pg_advisory_xact_lock(hashtext('packtrace-hub-partition'));"
    "     BEGIN"
    "       EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF events"
    " FOR VALUES FROM (%L) TO (%L)',"
    "                      n, m AT TIME ZONE 'UTC', (m + interval '1 month') AT TIME ZONE 'UTC');"
    "     EXCEPTION WHEN duplicate_table THEN NULL;"
    "     END;"
    "   END IF;"
    "   RETURN n;"
    " END $$;"
    /* Three indexes no statement reads, each one more B-tree insert per ingested event:
     * event_time alone is the first column of events_query_key, nothing looks events up by
     * lot alone (batches does) or by Event Hash ID. */
    "DROP INDEX events_time;"
    "DROP INDEX events_lot;"
    "DROP INDEX events_hash_id;",
    /* 4: the stations' key rotations (pt-hub-store-keys.c), in chain order from 1. */
    "CREATE TABLE key_rotations ("
    "  station_id text NOT NULL REFERENCES stations (id),"
    "  idx integer NOT NULL CHECK (idx >= 1),"
    "  record text NOT NULL,"
    "  signature bytea NOT NULL,"
    "  new_signature bytea NOT NULL,"
    "  new_key bytea NOT NULL UNIQUE,"
    "  after_seq bigint NOT NULL,"
    "  received_at timestamptz NOT NULL DEFAULT now(),"
    "  PRIMARY KEY (station_id, idx));",
    /* 5: the verdict of a batch's last grading decision (conformant, non_conformant) beside
     * the class it declared, for the buyer search's verdict= and its Grade column.  A
     * trigger of its own, after events_derive (triggers fire in name order): it takes the
     * verdict of the inspection events_derive took the class of (same event time). */
    "ALTER TABLE batch_facts ADD COLUMN verdict text;"
    "CREATE FUNCTION hub_verdict(body text) RETURNS text LANGUAGE sql IMMUTABLE AS $$"
    "  SELECT CASE WHEN body::jsonb->>'disposition' LIKE '%non_conformant' THEN 'non_conformant'"
    "    WHEN body::jsonb->>'disposition' LIKE '%conformant' THEN 'conformant' END $$;"
    "UPDATE batch_facts f SET verdict = v.verdict FROM ("
    "  SELECT DISTINCT ON (batch_id) batch_id, event_time, hub_verdict(body) AS verdict"
    "  FROM events WHERE biz_step = 'inspecting' AND batch_id IS NOT NULL"
    "    AND jsonb_typeof(body::jsonb->'pt:declaredClass') = 'string'"
    "  ORDER BY batch_id, event_time DESC, seq DESC) v"
    "  WHERE v.batch_id = f.batch_id AND v.event_time = f.graded_at;"
    "CREATE FUNCTION hub_events_verdict() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  UPDATE batch_facts f SET verdict = v.verdict FROM ("
    "    SELECT DISTINCT ON (batch_id) batch_id, event_time, hub_verdict(body) AS verdict"
    "    FROM new_events WHERE biz_step = 'inspecting' AND batch_id IS NOT NULL"
    "      AND jsonb_typeof(body::jsonb->'pt:declaredClass') = 'string'"
    "    ORDER BY batch_id, event_time DESC, seq DESC) v"
    "    WHERE v.batch_id = f.batch_id AND v.event_time = f.graded_at;"
    "  RETURN NULL;"
    " END $$;"
    "CREATE TRIGGER events_verdict AFTER INSERT ON events REFERENCING NEW TABLE AS new_events"
    "  FOR EACH STATEMENT EXECUTE FUNCTION hub_events_verdict();",
    /* 6: recall and hold notices to buyers that came through the hub (pt-hub-store-notices.c):
     * one row per buyer's notice as its station numbered it, and the buyer's acknowledgement,
     * which the station fetches back. */
    "CREATE TABLE notices ("
    "  station_id text NOT NULL REFERENCES stations (id),"
    "  notice bigint NOT NULL CHECK (notice >= 1),"
    "  gln text NOT NULL CHECK (gln ~ '^[0-9]{13}$'),"
    "  kind text NOT NULL CHECK (kind IN ('recall', 'hold')),"
    "  drill boolean NOT NULL,"
    "  lot text NOT NULL,"
    "  body text NOT NULL,"
    "  received_at timestamptz NOT NULL DEFAULT now(),"
    "  acked_at timestamptz,"
    "  ack_by text,"
    "  ack_on_hand double precision CHECK (ack_on_hand >= 0),"
    "  ack_action text,"
    "  PRIMARY KEY (station_id, notice));"
    "CREATE INDEX notices_gln ON notices (gln, received_at DESC);",
    /* 7: the video relay (pt-hub-store-video.c): what buyers ask of a station's loads, which
     * the station reads when it polls, and what it pushed back: the answers, live playlists
     * and segments, and recorded clips in chunks.  Transient: pruned as each station polls. */
    "CREATE TABLE video_wants ("
    "  station_id text NOT NULL REFERENCES stations (id),"
    "  gln text NOT NULL,"
    "  load_id bigint NOT NULL CHECK (load_id >= 1),"
    "  kind text NOT NULL CHECK (kind IN ('info', 'live', 'clip')),"
    "  camera text NOT NULL,"
    "  part integer NOT NULL,"
    "  asked_at timestamptz NOT NULL DEFAULT now(),"
    "  PRIMARY KEY (station_id, gln, load_id, kind, camera, part));"
    "CREATE TABLE video_files ("
    "  station_id text NOT NULL REFERENCES stations (id),"
    "  name text NOT NULL,"
    "  body bytea NOT NULL,"
    "  stored_at timestamptz NOT NULL DEFAULT now(),"
    "  PRIMARY KEY (station_id, name));"
    "CREATE INDEX video_files_stored ON video_files (stored_at);"
    "ALTER TABLE stations ADD COLUMN video_polled_at timestamptz;",
    /* 8: each station's public profile for the consumer page (pt-hub-store-profile.c): the
     * newest only, verbatim with its SHA-256 (GET /hub/v1/station names it, so the station
     * sends it again only when it changed), and the logo it names; a station's other logos
     * are dropped as a new profile or logo arrives. */
    "CREATE TABLE station_profiles ("
    "  station_id text PRIMARY KEY REFERENCES stations (id),"
    "  profile text NOT NULL,"
    "  sha256 bytea NOT NULL,"
    "  logo_sha256 bytea,"
    "  updated_at timestamptz NOT NULL DEFAULT now());"
    "CREATE TABLE profile_logos ("
    "  station_id text NOT NULL REFERENCES stations (id),"
    "  sha256 bytea NOT NULL,"
    "  media_type text NOT NULL,"
    "  data bytea NOT NULL,"
    "  received_at timestamptz NOT NULL DEFAULT now(),"
    "  PRIMARY KEY (station_id, sha256));"
    "CREATE INDEX profile_logos_sha256 ON profile_logos (sha256);",
    /* 9: what ingest pays per stored event (SCALING.md, "Where an ingest's time goes").
     * event_keys' two foreign keys were a row trigger and a lookup each per event, for what
     * ingest already guarantees: the station row is locked FOR UPDATE through the transaction
     * (stations are revoked, never deleted) and batch_id comes from the batches upsert of the
     * same transaction (batches are never deleted).  The derive trigger parsed an inspection's
     * body once per reference to it (a subquery's body::jsonb is pulled up into every use):
     * each record is now parsed once per statement, in a materialised CTE.  The verdict is set
     * by the same upsert as the class it goes with, so its own trigger is gone. */
    "ALTER TABLE event_keys DROP CONSTRAINT event_keys_station_id_fkey,"
    "  DROP CONSTRAINT event_keys_batch_id_fkey;"
    "DROP TRIGGER events_verdict ON events;"
    "DROP FUNCTION hub_events_verdict();"
    "CREATE OR REPLACE FUNCTION hub_events_derive() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  WITH i AS MATERIALIZED ("
    "    SELECT date_trunc('week', event_time AT TIME ZONE 'UTC')::date AS week, station_id,"
    "      batch_id, event_time, seq, body::jsonb AS j FROM new_events"
    "    WHERE biz_step = 'inspecting' AND batch_id IS NOT NULL),"
    "  f AS (INSERT INTO quality_facets AS q (week, station_id, batch_id, facet, key, amount)"
    "  SELECT week, station_id, batch_id, f.facet, f.key, sum(f.amount) FROM i,"
    "  LATERAL ("
    "    SELECT 'grade', g.key, hub_num(g.value) FROM jsonb_each("
    "      CASE WHEN jsonb_typeof(j->'pt:gradeDistribution') = 'object'"
    "      THEN j->'pt:gradeDistribution' END) g"
    "    UNION ALL SELECT 'size', z.key, hub_num(z.value) FROM jsonb_each("
    "      CASE WHEN jsonb_typeof(j->'pt:sizeDistribution') = 'object'"
    "      THEN j->'pt:sizeDistribution' END) z"
    "    UNION ALL SELECT 'defect', d.key, hub_num(d.value) FROM jsonb_each("
    "      CASE WHEN jsonb_typeof(j->'pt:defects'->'fruitByKind') = 'object'"
    "      THEN j->'pt:defects'->'fruitByKind' END) d"
    "    UNION ALL SELECT 'declared', j->>'pt:declaredClass', 1"
    "      WHERE jsonb_typeof(j->'pt:declaredClass') = 'string'"
    "    UNION ALL SELECT 'fruit', '', hub_num(j->'pt:fruitCount')"
    "    UNION ALL SELECT 'fruit_with_defects', '', hub_num(j->'pt:defects'->'fruitWithDefects')"
    "    UNION ALL SELECT 'weight_kg', '', hub_num(j->'pt:estimatedWeightKg')"
    "  ) f(facet, key, amount) WHERE f.amount IS NOT NULL"
    "  GROUP BY 1, 2, 3, 4, 5"
    "  ON CONFLICT (week, station_id, batch_id, facet, key) DO UPDATE"
    "    SET amount = q.amount + EXCLUDED.amount)"
    /* The class and verdict of each batch's last inspection that declared one. */
    "  INSERT INTO batch_facts AS b (batch_id, grade, graded_at, verdict)"
    "  SELECT DISTINCT ON (batch_id) batch_id, j->>'pt:declaredClass', event_time,"
    "    CASE WHEN j->>'disposition' LIKE '%non_conformant' THEN 'non_conformant'"
    "    WHEN j->>'disposition' LIKE '%conformant' THEN 'conformant' END"
    "  FROM i WHERE jsonb_typeof(j->'pt:declaredClass') = 'string'"
    "  ORDER BY batch_id, event_time DESC, seq DESC"
    "  ON CONFLICT (batch_id) DO UPDATE SET grade = EXCLUDED.grade,"
    "    graded_at = EXCLUDED.graded_at, verdict = EXCLUDED.verdict"
    "    WHERE b.graded_at IS NULL OR b.graded_at <= EXCLUDED.graded_at;"
    "  WITH l AS MATERIALIZED (SELECT batch_id, body::jsonb AS j FROM new_events"
    "    WHERE biz_step IN ('loading', 'departing') AND batch_id IS NOT NULL)"
    "  INSERT INTO batch_buyers (gln, batch_id)"
    "  SELECT DISTINCT substr(d->>'destination', 24), batch_id FROM l,"
    "    jsonb_array_elements(CASE WHEN jsonb_typeof(j->'destinationList') = 'array'"
    "      THEN j->'destinationList' END) d"
    "  WHERE d->>'destination' ~ '^https://id[.]gs1[.]org/414/[0-9]{13}$'"
    "  ON CONFLICT DO NOTHING;"
    "  WITH c AS MATERIALIZED (SELECT batch_id, station_id, seq, body::jsonb->>'pt:packDate' AS d"
    "    FROM new_events WHERE biz_step = 'commissioning' AND batch_id IS NOT NULL)"
    "  INSERT INTO batch_facts AS b (batch_id, station_id, pack_date)"
    "  SELECT DISTINCT ON (batch_id) batch_id, station_id,"
    "    CASE WHEN d ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN d::date END"
    "  FROM c ORDER BY batch_id, seq"
    "  ON CONFLICT (batch_id) DO UPDATE SET station_id = coalesce(b.station_id,"
    "    EXCLUDED.station_id), pack_date = coalesce(b.pack_date, EXCLUDED.pack_date);"
    "  INSERT INTO batch_facts AS b (batch_id, state)"
    "  SELECT DISTINCT ON (batch_id) batch_id, CASE status_action WHEN 'hold' THEN 'held'"
    "    WHEN 'recall' THEN 'recalled' ELSE 'active' END"
    "  FROM new_events WHERE status_action IN ('hold', 'release', 'recall')"
    "    AND batch_id IS NOT NULL ORDER BY batch_id, station_id, seq DESC"
    "  ON CONFLICT (batch_id) DO UPDATE SET state = EXCLUDED.state"
    "    WHERE b.state <> 'recalled';"
    "  RETURN NULL;"
    " END $$;",
};

G_STATIC_ASSERT(G_N_ELEMENTS(migrations) == PT_HUB_SCHEMA_VERSION);

static PGconn *
connect_dsn(const char *dsn, GError **error)
{
  PGconn *conn = PQconnectdb(dsn);
  if (PQstatus(conn) != CONNECTION_OK) {
    g_autofree char *msg = g_strdup(PQerrorMessage(conn));
    g_strchomp(msg);
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot connect to PostgreSQL: %s", msg);
    PQfinish(conn);
    return NULL;
  }
  if (!pt_hub_pq_session_settings(conn, error)) {
    PQfinish(conn);
    return NULL;
  }
  return conn;
}

PtHubStore *
pt_hub_store_open(const char *dsn, const char *read_dsn, GError **error)
{
  g_return_val_if_fail(dsn != NULL, NULL);
  g_autoptr(PtHubStore) store = g_new0(PtHubStore, 1);
  store->months = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  store->named = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  if (!read_dsn || !*read_dsn) {
    store->w = connect_dsn(dsn, error);
    if (!store->w)
      return NULL;
    store->r = store->w;
    return g_steal_pointer(&store);
  }
  store->r = connect_dsn(read_dsn, error);
  if (!store->r)
    return NULL;
  /* Reads go on with the primary away (pages, resolver, queries from the replica); writes
   * find the connection bad and try it again each time (pt-hub-pq.c), answering 503 meanwhile. */
  g_autoptr(GError) down = NULL;
  store->w = connect_dsn(dsn, &down);
  if (!store->w) {
    g_message("hub: reading the replica only while the primary is away: %s", down->message);
    /* A connection left bad, as one the server dropped: the next write resets it. */
    store->w = PQconnectdb(dsn);
    if (PQstatus(store->w) == CONNECTION_OK && !pt_hub_pq_session_settings(store->w, error))
      return NULL;
  }
  return g_steal_pointer(&store);
}

void
pt_hub_store_free(PtHubStore *store)
{
  if (!store)
    return;
  if (store->r && store->r != store->w)
    PQfinish(store->r);
  if (store->w)
    PQfinish(store->w);
  if (store->months)
    g_hash_table_unref(store->months);
  if (store->named)
    g_hash_table_unref(store->named);
  g_free(store);
}

gboolean
pt_hub_store_begin(PtHubStore *store, GError **error)
{
  store->in_tx = pt_hub_pq_command(store, "begin", "BEGIN", 0, NULL, error);
  return store->in_tx;
}

gboolean
pt_hub_store_commit(PtHubStore *store, GError **error)
{
  gboolean ok = pt_hub_pq_command(store, "commit", "COMMIT", 0, NULL, error);
  store->in_tx = FALSE;
  return ok;
}

void
pt_hub_store_rollback(PtHubStore *store)
{
  if (PQstatus(store->w) == CONNECTION_OK)
    PQclear(PQexec(store->w, "ROLLBACK"));
  store->in_tx = FALSE;
}

static const char sql_version_table[] =
    "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)";
static const char sql_version_read[] = "SELECT coalesce(max(version), 0) FROM schema_version";
static const char sql_version_lock[] =
    "SELECT pg_advisory_xact_lock(hashtext('packtrace-hub-migrate'))";
static const char sql_version_set[] = "INSERT INTO schema_version (version) VALUES ($1::integer)";
static const char sql_version_exists[] = "SELECT to_regclass('schema_version') IS NOT NULL";

static int
schema_version_on(PtHubStore *store, gboolean read, GError **error)
{
  PGresult *res = pt_hub_pq_exec(store, read, "schema version", sql_version_exists, 0, NULL,
                                 PGRES_TUPLES_OK, error);
  if (!res)
    return -1;
  gboolean exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
  PQclear(res);
  if (!exists)
    return 0;
  res = pt_hub_pq_exec(store, read, "schema version", sql_version_read, 0, NULL, PGRES_TUPLES_OK,
                       error);
  if (!res)
    return -1;
  int v = (int)pt_hub_pq_int(res, 0, 0);
  PQclear(res);
  return v;
}

int
pt_hub_store_schema_version(PtHubStore *store, GError **error)
{
  return schema_version_on(store, FALSE, error);
}

gboolean
pt_hub_store_check_schema(PtHubStore *store, GError **error)
{
  /* On the read connection: a replica has the primary's schema, and a hub reading one starts
   * while the primary is away. */
  int v = schema_version_on(store, TRUE, error);
  if (v < 0)
    return FALSE;
  if (v != PT_HUB_SCHEMA_VERSION) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "the hub database has schema version %d, this packtrace needs %d (run "
                "`packtrace hub migrate`%s)",
                v, PT_HUB_SCHEMA_VERSION, v > PT_HUB_SCHEMA_VERSION ? " of a newer packtrace" : "");
    return FALSE;
  }
  return TRUE;
}

/* One migration in one transaction, under the advisory lock: another hub process migrating
 * at the same time waits, then finds the version moved and does nothing. */
static gboolean
migrate_one(PtHubStore *store, gboolean *done, int *applied, GError **error)
{
  if (!pt_hub_store_begin(store, error))
    return FALSE;
  PGresult *res = pt_hub_pq_exec(store, FALSE, "migration lock", sql_version_lock, 0, NULL,
                                 PGRES_TUPLES_OK, error);
  gboolean ok = res != NULL;
  PQclear(res);
  ok = ok && pt_hub_pq_command(store, "schema_version", sql_version_table, 0, NULL, error);
  res = ok ? pt_hub_pq_exec(store, FALSE, "schema version", sql_version_read, 0, NULL,
                            PGRES_TUPLES_OK, error)
           : NULL;
  int v = res ? (int)pt_hub_pq_int(res, 0, 0) : -1;
  PQclear(res);
  ok = ok && res != NULL;
  if (ok && v > PT_HUB_SCHEMA_VERSION) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "the hub database has schema version %d; this packtrace knows up to %d (a "
                "newer packtrace migrated it)",
                v, PT_HUB_SCHEMA_VERSION);
    ok = FALSE;
  }
  if (ok && v == PT_HUB_SCHEMA_VERSION) {
    *done = TRUE;
    pt_hub_store_rollback(store);
    return TRUE;
  }
  if (ok) {
    PGresult *m = PQexec(store->w, migrations[v]);
    g_autofree char *what = g_strdup_printf("migration %d", v + 1);
    ok = pt_hub_pq_ok(store->w, what, m, PGRES_COMMAND_OK, error);
    PQclear(m);
  }
  if (ok) {
    char next[16];
    g_snprintf(next, sizeof next, "%d", v + 1);
    const char *params[] = {next};
    ok = pt_hub_pq_command(store, "schema version", sql_version_set, 1, params, error);
  }
  if (!ok) {
    pt_hub_store_rollback(store);
    return FALSE;
  }
  if (!pt_hub_store_commit(store, error))
    return FALSE;
  (*applied)++;
  return TRUE;
}

gboolean
pt_hub_store_migrate(PtHubStore *store, int *applied_out, GError **error)
{
  int applied = 0;
  gboolean done = FALSE;
  while (!done)
    if (!migrate_one(store, &done, &applied, error))
      return FALSE;
  if (applied_out)
    *applied_out = applied;
  return TRUE;
}

/* Stations ------------------------------------------------------------------------------ */

void
pt_hub_station_free(PtHubStation *station)
{
  if (!station)
    return;
  g_free(station->id);
  g_free(station->name);
  g_free(station->enrolled_at);
  g_free(station->last_heard);
  g_free(station->video_polled);
  g_free(station->head_hash);
  pt_key_chain_free(station->chain);
  g_free(station);
}

static const char sql_station_add[] =
    "INSERT INTO stations (id, name, public_key) VALUES ($1, $2, decode($3, 'hex'))";

gboolean
pt_hub_store_station_add(PtHubStore *store, const char *id, const char *name,
                         const guint8 public_key[PT_PUB_LEN], GError **error)
{
  g_autofree char *hex = pt_hex_encode(public_key, PT_PUB_LEN);
  const char *params[] = {id, name, hex};
  g_autoptr(GError) local = NULL;
  if (pt_hub_pq_command(store, "add station", sql_station_add, 3, params, &local))
    return TRUE;
  if (g_error_matches(local, PT_ERROR, PT_ERROR_CONFLICT)) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "station %s (this key) is registered already",
                id);
    return FALSE;
  }
  g_propagate_error(error, g_steal_pointer(&local));
  return FALSE;
}

/* Columns 0-8 of a station row, shared by get, list and status. */
#define STATION_COLS                                                                               \
  "s.id, s.name, encode(s.public_key, 'hex'), s.revoked_at IS NOT NULL, " PT_HUB_SQL_TS(           \
      "s.enrolled_at") ", " PT_HUB_SQL_TS("s.last_heard") ", s.head_seq, encode(s.head_hash, "     \
                                                          "'hex')"

static const char sql_station_get[] = "SELECT " STATION_COLS " FROM stations s WHERE s.id = $1";
static const char sql_station_get_locked[] =
    "SELECT " STATION_COLS " FROM stations s WHERE s.id = $1 FOR UPDATE";

/* Counts: held events, last seq, contiguous seq (kept by ingest,
 * pt_hub_store_events_insert()), quarantine, alerts. */
static const char sql_station_counts[] =
    "SELECT " STATION_COLS ","
    " (SELECT count(*) FROM event_keys k WHERE k.station_id = s.id),"
    " (SELECT coalesce(max(seq), 0) FROM event_keys k WHERE k.station_id = s.id),"
    " s.contiguous_seq,"
    " (SELECT count(*) FROM quarantine q WHERE q.station_id = s.id),"
    " (SELECT count(*) FROM alerts a WHERE a.station_id = s.id),"
    " " PT_HUB_SQL_TS("s.video_polled_at") " FROM stations s WHERE ($1::text IS NULL OR s.id = $1) "
                                           "ORDER BY s.name, s.id";

static PtHubStation *
station_from_row(const PGresult *res, int i, gboolean with_counts)
{
  PtHubStation *st = g_new0(PtHubStation, 1);
  st->id = pt_hub_pq_text(res, i, 0);
  st->name = pt_hub_pq_text(res, i, 1);
  pt_hub_pq_hex(res, i, 2, st->public_key, PT_PUB_LEN);
  st->revoked = strcmp(PQgetvalue(res, i, 3), "t") == 0;
  st->enrolled_at = pt_hub_pq_text(res, i, 4);
  st->last_heard = pt_hub_pq_text(res, i, 5);
  st->head_seq = pt_hub_pq_int(res, i, 6);
  st->head_hash = pt_hub_pq_text(res, i, 7);
  if (with_counts) {
    st->n_events = pt_hub_pq_int(res, i, 8);
    st->last_seq = pt_hub_pq_int(res, i, 9);
    st->contiguous_seq = pt_hub_pq_int(res, i, 10);
    st->n_quarantined = pt_hub_pq_int(res, i, 11);
    st->n_alerts = pt_hub_pq_int(res, i, 12);
    st->video_polled = pt_hub_pq_text(res, i, 13);
  }
  return st;
}

PtHubStation *
pt_hub_store_station_get(PtHubStore *store, const char *id, gboolean for_update, GError **error)
{
  const char *params[] = {id};
  PGresult *res = pt_hub_pq_exec(store, FALSE, "read station",
                                 for_update ? sql_station_get_locked : sql_station_get, 1, params,
                                 PGRES_TUPLES_OK, error);
  if (!res)
    return NULL;
  PtHubStation *st = NULL;
  if (PQntuples(res) == 1)
    st = station_from_row(res, 0, FALSE);
  else
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "unknown station %s", id);
  PQclear(res);
  if (st) {
    st->chain = pt_hub_store_key_chain(store, st->id, st->public_key, error);
    if (!st->chain)
      g_clear_pointer(&st, pt_hub_station_free);
  }
  return st;
}

GPtrArray *
pt_hub_store_station_list(PtHubStore *store, GError **error)
{
  const char *params[] = {NULL};
  PGresult *res = pt_hub_pq_exec(store, TRUE, "list stations", sql_station_counts, 1, params,
                                 PGRES_TUPLES_OK, error);
  if (!res)
    return NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pt_hub_station_free);
  for (int i = 0; i < PQntuples(res); i++)
    g_ptr_array_add(out, station_from_row(res, i, TRUE));
  PQclear(res);
  return out;
}

PtHubStation *
pt_hub_store_station_status(PtHubStore *store, const char *id, GError **error)
{
  const char *params[] = {id};
  /* The writer's view: a connector resuming must see what it just sent. */
  PGresult *res = pt_hub_pq_exec(store, FALSE, "station status", sql_station_counts, 1, params,
                                 PGRES_TUPLES_OK, error);
  if (!res)
    return NULL;
  PtHubStation *st = NULL;
  if (PQntuples(res) == 1)
    st = station_from_row(res, 0, TRUE);
  else
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "unknown station %s", id);
  PQclear(res);
  return st;
}

static const char sql_station_rename[] = "UPDATE stations SET name = $2 WHERE id = $1";

gboolean
pt_hub_store_station_rename(PtHubStore *store, const char *id, const char *name, GError **error)
{
  const char *params[] = {id, name};
  /* Every page names its station: every hub process drops its whole page cache. */
  return pt_hub_pq_command(store, "rename station", sql_station_rename, 2, params, error) &&
         pt_hub_pq_command(store, "notify rename", "NOTIFY " PT_HUB_BATCH_CHANNEL ", 'all'", 0,
                           NULL, error);
}

static const char sql_station_revoke[] =
    "UPDATE stations SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1";

gboolean
pt_hub_store_station_revoke(PtHubStore *store, const char *id, GError **error)
{
  const char *params[] = {id};
  PGresult *res = pt_hub_pq_exec(store, FALSE, "revoke station", sql_station_revoke, 1, params,
                                 PGRES_COMMAND_OK, error);
  if (!res)
    return FALSE;
  gboolean found = strcmp(PQcmdTuples(res), "1") == 0;
  PQclear(res);
  if (!found)
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "unknown station %s", id);
  return found;
}

/* Gaps: each held seq whose successor is missing starts one, up to the next held seq.  Only
 * the seqs after the contiguous prefix are read, so a station in order costs nothing. */
static const char sql_station_gaps[] =
    "WITH c AS (SELECT contiguous_seq AS n FROM stations WHERE id = $1) "
    "SELECT seq + 1, next - 1 FROM ("
    "  SELECT seq, lead(seq) OVER (ORDER BY seq) AS next FROM ("
    "    SELECT n AS seq FROM c UNION ALL SELECT seq FROM event_keys"
    "    WHERE station_id = $1 AND seq > (SELECT n FROM c)) a"
    ") g WHERE next > seq + 1 ORDER BY seq LIMIT $2::integer";

GArray *
pt_hub_store_station_gaps(PtHubStore *store, const char *id, guint max, GError **error)
{
  char limit[16];
  g_snprintf(limit, sizeof limit, "%u", max);
  const char *params[] = {id, limit};
  PGresult *res = pt_hub_pq_exec(store, FALSE, "station gaps", sql_station_gaps, 2, params,
                                 PGRES_TUPLES_OK, error);
  if (!res)
    return NULL;
  GArray *out = g_array_new(FALSE, FALSE, sizeof(gint64));
  for (int i = 0; i < PQntuples(res); i++) {
    gint64 from = pt_hub_pq_int(res, i, 0), to = pt_hub_pq_int(res, i, 1);
    g_array_append_val(out, from);
    g_array_append_val(out, to);
  }
  PQclear(res);
  return out;
}

static const char sql_code_add[] =
    "INSERT INTO enrol_codes (code_hash, name, expires_at) VALUES (decode($1, 'hex'), $2, "
    "$3::timestamptz)";
static const char sql_code_use[] =
    "UPDATE enrol_codes SET used_at = now(), used_by = $2 WHERE code_hash = decode($1, 'hex') "
    "AND used_at IS NULL AND expires_at > now() RETURNING name";

gboolean
pt_hub_store_enrol_code_add(PtHubStore *store, const guint8 code_hash[PT_HASH_LEN],
                            const char *name, gint64 expires_ns, GError **error)
{
  g_autofree char *hex = pt_hex_encode(code_hash, PT_HASH_LEN);
  g_autofree char *expires = pt_time_format(expires_ns);
  const char *params[] = {hex, name, expires};
  return pt_hub_pq_command(store, "add enrolment code", sql_code_add, 3, params, error);
}

char *
pt_hub_store_enrol_code_use(PtHubStore *store, const guint8 code_hash[PT_HASH_LEN],
                            const char *station_id, GError **error)
{
  g_autofree char *hex = pt_hex_encode(code_hash, PT_HASH_LEN);
  const char *params[] = {hex, station_id};
  PGresult *res = pt_hub_pq_exec(store, FALSE, "use enrolment code", sql_code_use, 2, params,
                                 PGRES_TUPLES_OK, error);
  if (!res)
    return NULL;
  char *name = PQntuples(res) == 1 ? pt_hub_pq_text(res, 0, 0) : NULL;
  PQclear(res);
  if (!name)
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "unknown, used or expired enrolment code");
  return name;
}

/* Admin lists ------------------------------------------------------------------------------ */

static const char sql_quarantine_json[] =
    "SELECT coalesce(json_agg(json_build_object('id', id, 'station', station_id, 'seq', seq,"
    " 'event_id', event_id, 'reason', reason, 'received_at', " PT_HUB_SQL_TS(
        "received_at") ")"
                       " ORDER BY id DESC), '[]'::json)::text FROM ("
                       "  SELECT * FROM quarantine WHERE ($1::text IS NULL OR station_id = $1)"
                       "  ORDER BY id DESC LIMIT $2::integer) q";

static const char sql_alerts_json[] =
    "SELECT coalesce(json_agg(json_build_object('station', station_id, 'kind', kind,"
    " 'message', message, 'created_at', " PT_HUB_SQL_TS(
        "created_at") ")"
                      " ORDER BY id DESC), '[]'::json)::text FROM ("
                      "  SELECT * FROM alerts WHERE ($1::text IS NULL OR station_id = $1)"
                      "  ORDER BY id DESC LIMIT $2::integer) a";

static char *
json_list(PtHubStore *store, const char *what, const char *sql, const char *station_id, guint limit,
          GError **error)
{
  char lim[16];
  g_snprintf(lim, sizeof lim, "%u", limit);
  const char *params[] = {station_id, lim};
  PGresult *res = pt_hub_pq_exec(store, TRUE, what, sql, 2, params, PGRES_TUPLES_OK, error);
  if (!res)
    return NULL;
  char *out = pt_hub_pq_text(res, 0, 0);
  PQclear(res);
  return out;
}

char *
pt_hub_store_quarantine_json(PtHubStore *store, const char *station_id, guint limit, GError **error)
{
  return json_list(store, "list quarantine", sql_quarantine_json, station_id, limit, error);
}

char *
pt_hub_store_alerts_json(PtHubStore *store, const char *station_id, guint limit, GError **error)
{
  return json_list(store, "list alerts", sql_alerts_json, station_id, limit, error);
}

/* Notifications --------------------------------------------------------------------------- */

gboolean
pt_hub_store_wal_lsn(PtHubStore *store, gboolean read, gint64 *lsn_out, GError **error)
{
  /* pg_lsn differences are numeric: a byte offset from the start of the WAL. */
  static const char sql[] =
      "SELECT (COALESCE(pg_last_wal_replay_lsn(), pg_current_wal_insert_lsn()) - '0/0')::bigint";
  PGresult *res =
      pt_hub_pq_exec(store, read, "read the WAL position", sql, 0, NULL, PGRES_TUPLES_OK, error);
  if (!res)
    return FALSE;
  *lsn_out = pt_hub_pq_int(res, 0, 0);
  PQclear(res);
  return TRUE;
}

gboolean
pt_hub_store_listen(PtHubStore *store, GError **error)
{
  PGresult *res = pt_hub_pq_exec(store, FALSE, "listen for batches", "LISTEN " PT_HUB_BATCH_CHANNEL,
                                 0, NULL, PGRES_COMMAND_OK, error);
  if (!res)
    return FALSE;
  PQclear(res);
  return TRUE;
}

gboolean
pt_hub_store_notifications(PtHubStore *store, int timeout_ms, PtHubBatchFunc fn, gpointer user_data,
                           GError **error)
{
  int fd = PQsocket(store->w);
  if (fd < 0 || PQstatus(store->w) != CONNECTION_OK) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "the notification connection is lost");
    return FALSE;
  }
  struct pollfd pfd = {.fd = fd, .events = POLLIN};
  int n = poll(&pfd, 1, timeout_ms);
  if (n < 0 && errno != EINTR) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "waiting for notifications: %s", g_strerror(errno));
    return FALSE;
  }
  if (n > 0 && (!PQconsumeInput(store->w) || PQstatus(store->w) != CONNECTION_OK)) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "the notification connection is lost: %s",
                PQerrorMessage(store->w));
    return FALSE;
  }
  PGnotify *note;
  while ((note = PQnotifies(store->w))) {
    gint64 id = 0;
    /* A payload that is not a batch id drops everything: safe, never stale. */
    if (!g_ascii_string_to_signed(note->extra, 10, 1, G_MAXINT64, &id, NULL))
      id = 0;
    fn(id, user_data);
    PQfreemem(note);
  }
  return TRUE;
}

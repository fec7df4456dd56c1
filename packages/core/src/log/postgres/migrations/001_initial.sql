-- The log: events, deliveries and attempts. Each table is partitioned by day of creation
-- (partitions.ts creates the partitions ahead and drops those past the retention), so expiring a
-- day is dropping a table, not deleting millions of rows. An attempt sits in its delivery's
-- partition (created_at is the delivery's), so a delivery and its attempts expire together.
--
-- Ids and names are COLLATE "C": ids sort by creation time only byte by byte (a locale's
-- collation ignores the `_` of `evt_`), pages are ranges of ids, and a name prefix (`order.*`) is
-- the range ['order.', 'order/') of a plain btree index.
--
-- version_ms/version_seq are the change-stream entry id of the change a row holds (changes.ts):
-- a row only ever moves to a newer one.

CREATE TABLE events (
  id text COLLATE "C" NOT NULL,
  created_at timestamptz NOT NULL,
  tenant_id text COLLATE "C",
  name text COLLATE "C" NOT NULL,
  resource_id text COLLATE "C",
  resource_type text,
  body text NOT NULL,
  test boolean NOT NULL,
  traceparent text,
  version_ms bigint NOT NULL,
  version_seq bigint NOT NULL,
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

-- Test sends are never listed, so the list indexes leave them out.
CREATE INDEX events_tenant ON events (tenant_id, id DESC) WHERE NOT test;
CREATE INDEX events_name ON events (name, id DESC) WHERE NOT test;
CREATE INDEX events_resource ON events (resource_id, id DESC) WHERE NOT test AND resource_id IS NOT NULL;

CREATE TABLE deliveries (
  id text COLLATE "C" NOT NULL,
  created_at timestamptz NOT NULL,
  event_id text COLLATE "C" NOT NULL,
  endpoint_id text COLLATE "C" NOT NULL,
  tenant_id text COLLATE "C",
  event_name text COLLATE "C" NOT NULL,
  resource_id text COLLATE "C",
  test boolean NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
  attempts integer NOT NULL,
  next_attempt_at timestamptz,
  updated_at timestamptz NOT NULL,
  -- When it became delivered or dead (the change that made it so); null while it is not.
  settled_at timestamptz,
  dead_letter boolean NOT NULL,
  -- The highest-numbered attempt written, whichever change carried it: kept apart from the
  -- version so that attempts and other changes written in any order leave the same row.
  last_attempt integer,
  last_status_code integer,
  last_error text,
  version_ms bigint NOT NULL,
  version_seq bigint NOT NULL,
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id DESC);
CREATE INDEX deliveries_tenant ON deliveries (tenant_id, id DESC);
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_resource ON deliveries (resource_id, id DESC) WHERE resource_id IS NOT NULL;
CREATE INDEX deliveries_status ON deliveries (status, id DESC);
CREATE INDEX deliveries_name ON deliveries (event_name, id DESC);
CREATE INDEX deliveries_dead_letter ON deliveries (id DESC) WHERE dead_letter;
CREATE INDEX deliveries_last_status ON deliveries (last_status_code, id DESC) WHERE last_status_code IS NOT NULL;
CREATE INDEX deliveries_settled ON deliveries (settled_at) WHERE settled_at IS NOT NULL;

CREATE TABLE attempts (
  delivery_id text COLLATE "C" NOT NULL,
  -- The delivery's creation, not the attempt's: the partition key.
  created_at timestamptz NOT NULL,
  number integer NOT NULL,
  at timestamptz NOT NULL,
  duration_ms double precision NOT NULL,
  status_code integer,
  error text,
  response_excerpt text NOT NULL,
  -- The delivery's endpoint, tenant, and the status this attempt left it in: the activity chart
  -- counts failed attempts per endpoint or tenant without a join per attempt.
  endpoint_id text COLLATE "C" NOT NULL,
  tenant_id text COLLATE "C",
  status_after text NOT NULL,
  PRIMARY KEY (delivery_id, created_at, number)
) PARTITION BY RANGE (created_at);

CREATE INDEX attempts_failed ON attempts (at) WHERE status_after = 'failed';

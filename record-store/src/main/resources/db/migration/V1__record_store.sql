-- The record store: owners, their zones, the zones' records, what could not be imported, and
-- the change log that name servers follow. Everything lives in schema "dnsmig" (Flyway's
-- default schema), so a shared PostgreSQL can host it beside other things. Text columns are
-- varchar without a length (the same type as text in PostgreSQL) and digests are hex text,
-- because jOOQ's DDL simulation, which generates the code, cannot index text or bytea.
--
-- Names are stored the way DNS compares them: lower-case, absolute, in presentation form with
-- the trailing dot ("www.example.com."). jOOQ code is generated from this file at build time.

create table owner (
    id          bigint generated always as identity primary key,
    handle      varchar not null unique,
    email       varchar not null,
    created_at  timestamptz not null default now(),
    constraint owner_handle_format check (handle ~ '^[a-z0-9][a-z0-9._@+-]{0,127}$')
);

create table zone (
    id            bigint generated always as identity primary key,
    name          varchar not null unique,
    owner_id      bigint not null references owner (id),
    -- SOA serial the zone is served with (RFC 1982 arithmetic, 0 .. 2^32-1).
    serial        bigint not null default 0,
    -- False when a zone-level error (no SOA, no NS at the apex, ...) keeps it from being
    -- served, as BIND would refuse to load it; its good records are stored all the same.
    servable      boolean not null default true,
    record_count  integer not null default 0,
    -- Digest of the last backfilled conversion (records and findings): a re-run of the
    -- backfill that produces the same digest changes nothing.
    content_hash  varchar,
    -- Where the zone was last backfilled from (zone file path).
    source        varchar,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    constraint zone_name_absolute check (name like '%.'),
    constraint zone_serial_range check (serial between 0 and 4294967295)
);
create index zone_owner_idx on zone (owner_id);

-- One row per resource record; the rows of one (zone, name, type) are an RRset and share
-- one TTL (RFC 2181 section 5.2), which the store keeps true. No foreign key to zone: the
-- per-row check made bulk loads three times slower (measured with COPY, 97k rows: 1.45 s
-- against 0.47 s); rows are written only by RecordStore, under the zone's lock, and a zone's
-- rows are deleted with it by the same code.
create table rr (
    zone_id  bigint not null,
    name     varchar not null,
    type     varchar not null,
    ttl      integer not null,
    rdata    varchar not null,
    constraint rr_ttl_range check (ttl >= 0)
);
create index rr_zone_name_type_idx on rr (zone_id, name, type);
/* [jooq ignore start] */
-- rr has no primary key, so a logical-replication publication of it could not replicate
-- deletes (PostgreSQL refuses them: no replica identity). FULL identifies a deleted row by all
-- its columns; unlike a new unique key it costs the bulk load nothing (BENCHMARKS.md).
alter table rr replica identity full;
/* [jooq ignore stop] */

-- Everything the new side could not take as it was: backfill findings (errors were not
-- imported, warnings were imported and flagged). A triage ledger: an entry keeps its state
-- while the finding persists across re-runs, and is marked fixed when it disappears.
create table reject (
    id           bigint generated always as identity primary key,
    zone_id      bigint not null references zone (id) on delete cascade,
    source       varchar not null default 'backfill',
    -- Stable identity across re-runs: hex digest of (code, raw text, occurrence).
    fingerprint  varchar not null,
    file         varchar not null,
    line         integer not null,
    raw_text     varchar not null,
    code         varchar not null,
    severity     varchar not null,
    message      varchar not null,
    state        varchar not null default 'open',
    first_seen   timestamptz not null default now(),
    last_seen    timestamptz not null default now(),
    resolved_at  timestamptz,
    constraint reject_identity unique (zone_id, source, fingerprint),
    constraint reject_severity check (severity in ('error', 'warning')),
    constraint reject_state check (state in ('open', 'triaged', 'fixed', 'accepted', 'notified'))
);
create index reject_open_idx on reject (zone_id) where state <> 'fixed';

-- The change log name servers follow: one row per change to a zone, in commit order of
-- ids within a transaction. "kind" is 'zone' (reload the whole zone), 'rrset' (reload the
-- RRset name/type) or 'zone-deleted'. xid is the writing transaction: a follower that
-- reads "xid >= my horizon" and moves its horizon to pg_snapshot_xmin(pg_current_snapshot())
-- never misses a row committed late with a smaller id (see record-store/README.md).
create table change_log (
    id         bigint generated always as identity primary key,
    /* [jooq ignore start] */ -- jOOQ's DDL simulation knows no xid8; read it with plain SQL
    xid        xid8 not null default pg_current_xact_id(),
    /* [jooq ignore stop] */
    zone_id    bigint not null,
    zone_name  varchar not null,
    serial     bigint not null,
    kind       varchar not null,
    name       varchar,
    type       varchar,
    origin     varchar not null,
    at         timestamptz not null default now(),
    constraint change_log_kind check (kind in ('zone', 'rrset', 'zone-deleted'))
);
/* [jooq ignore start] */
create index change_log_xid_idx on change_log (xid);
/* [jooq ignore stop] */
create index change_log_zone_idx on change_log (zone_id, id);

/* [jooq ignore start] */
-- Wake followers as soon as a change commits (NOTIFY is delivered at commit). One
-- notification per statement carries the highest id it wrote.
create function change_log_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('dnsmig_change', (select max(id)::text from new_rows));
    return null;
end
$$;
create trigger change_log_notify after insert on change_log
    referencing new table as new_rows for each statement execute function change_log_notify();
/* [jooq ignore stop] */

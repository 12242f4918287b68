-- Reconcile: comparing every legacy zone (zone transfer) with the record store, and what it
-- needs to tell dnsmig's own writes to the legacy side from edits made there out of band.

-- The legacy write journal: every change dnsmig itself sent to the legacy side (LegacyDns),
-- applied or not, with the zone's SOA serial before and after. A legacy serial that moved in a
-- way these rows do not account for was moved by someone else: drift.
create table legacy_write (
    id             bigint generated always as identity primary key,
    zone_name      varchar not null,
    -- -1 when unknown (the write was not applied)
    serial_before  bigint not null,
    serial_after   bigint not null,
    outcome        varchar not null,
    change_text    varchar not null,
    origin         varchar not null,
    at             timestamptz not null,
    constraint legacy_write_outcome check (outcome in ('applied', 'conflict', 'rejected', 'auth-failed', 'unavailable', 'circuit-open'))
);
create index legacy_write_zone_idx on legacy_write (zone_name, id);

-- The legacy serial at which reconcile last found a zone equal on both sides (or made it so),
-- and how far the journal had got then. Until a zone has a row here, the serial the backfill
-- imported (zone.serial) is the last one seen.
create table legacy_seen (
    zone_name      varchar primary key,
    serial         bigint not null,
    last_write_id  bigint not null default 0,
    at             timestamptz not null default now()
);

-- One reconcile run: its scope, whether it repaired, and its totals.
create table reconcile_run (
    id            bigint generated always as identity primary key,
    started_at    timestamptz not null default now(),
    finished_at   timestamptz,
    scope         varchar not null,
    repair        varchar,
    zones         integer not null default 0,
    clean_zones   integer not null default 0,
    drift_zones   integer not null default 0,
    failed_zones  integer not null default 0,
    differences   integer not null default 0,
    repaired      integer not null default 0,
    status        varchar not null default 'running',
    constraint reconcile_run_repair check (repair in ('legacy', 'new')),
    constraint reconcile_run_status check (status in ('running', 'done', 'failed'))
);

-- One zone of a run. status: clean, differs, failed (could not be read or compared),
-- not-in-new (the legacy zone is not in the store), not-in-legacy (a store zone the legacy
-- side does not list). cause, for zones that differ: drift (the legacy side was edited out of
-- band since the serial last seen) or divergence (it was not: the new side disagrees).
create table reconcile_zone (
    run_id          bigint not null references reconcile_run (id) on delete cascade,
    zone_name       varchar not null,
    owner           varchar,
    status          varchar not null,
    cause           varchar,
    legacy_serial   bigint,
    seen_serial     bigint,
    legacy_records  integer not null default 0,
    store_records   integer not null default 0,
    differences     integer not null default 0,
    repaired        integer not null default 0,
    message         varchar,
    primary key (run_id, zone_name),
    constraint reconcile_zone_status check (status in ('clean', 'differs', 'failed', 'not-in-new', 'not-in-legacy')),
    constraint reconcile_zone_cause check (cause in ('drift', 'divergence'))
);

-- One RRset that is not the same on both sides. kind: missing (in legacy, not in the store),
-- extra (in the store, not in legacy), rdata (both, other data), ttl (same data, other TTL).
-- legacy_text / new_text: "TTL rdata | TTL rdata ..." as each side has it, null when absent.
create table reconcile_difference (
    id           bigint generated always as identity primary key,
    run_id       bigint not null references reconcile_run (id) on delete cascade,
    zone_name    varchar not null,
    owner        varchar,
    name         varchar not null,
    type         varchar not null,
    kind         varchar not null,
    cause        varchar not null,
    legacy_text  varchar,
    new_text     varchar,
    repaired     boolean not null default false,
    constraint reconcile_difference_kind check (kind in ('missing', 'extra', 'rdata', 'ttl')),
    constraint reconcile_difference_cause check (cause in ('drift', 'divergence'))
);
create index reconcile_difference_run_idx on reconcile_difference (run_id, zone_name, name, type);

-- Dual writes: how users' changes (REST API) reach both the legacy system and the record store
-- during the migration. The write mode and its audit trail, per-owner API tokens, idempotency
-- keys, the durable queue of concurrent mode, the repair outbox of synchronous mode, and the
-- divergence ledger (what the new side refused or failed, shared with the backfill's rejects).

-- Every change of the write mode, forwards or back, with who, when and why. The current mode is
-- the latest row (view write_mode_current); the first row is the mode before anyone chose one.
create table write_mode (
    id          bigint generated always as identity primary key,
    mode        varchar not null,
    changed_at  timestamptz not null default now(),
    changed_by  varchar not null,
    reason      varchar not null,
    constraint write_mode_mode check (mode in ('LEGACY_ONLY', 'CONCURRENT', 'SYNCHRONOUS', 'NEW_PRIMARY', 'NEW_ONLY'))
);
insert into write_mode (mode, changed_by, reason) values ('LEGACY_ONLY', 'schema V4', 'initial mode: every write goes to the legacy system only');

-- Exactly one row: the mode in force now (the cutover's gate reads "at least SYNCHRONOUS" here).
create view write_mode_current as
    select mode, changed_at, changed_by, reason from write_mode where id = (select max(id) from write_mode);

-- API tokens. owner_id null = an operator token (admin endpoints: owners, tokens, write mode,
-- divergences). Only a SHA-256 digest (hex) of a token is stored; the token itself is shown once,
-- when it is made, and never logged.
create table api_token (
    id           bigint generated always as identity primary key,
    owner_id     bigint references owner (id),
    name         varchar not null,
    token_hash   varchar not null unique,
    created_at   timestamptz not null default now(),
    revoked_at   timestamptz
);
create index api_token_owner_idx on api_token (owner_id);

-- Idempotency keys of API writes: a write repeated with the same key (by the same token holder)
-- gets the first answer again and changes nothing. status null = the first request is still
-- running. request_hash: digest of method, path and body (the same key with another request is a
-- usage error).
create table api_idempotency (
    principal     varchar not null,
    idem_key      varchar not null,
    request_hash  varchar not null,
    status        integer,
    response      varchar,
    created_at    timestamptz not null default now(),
    primary key (principal, idem_key)
);

-- The durable queue of CONCURRENT mode: a change is written here (state 'intent') and committed
-- before it is sent to the legacy side, so a crash between the two cannot lose it; once legacy
-- applied it the row is 'pending' until the background applier writes it to the store
-- ('applied') or gives up on it ('diverged': it is then in the divergence ledger). 'dropped': the
-- legacy side did not apply it (the user got the error), nothing to do. Rows of one zone are
-- applied in id order, which is the order the legacy side applied them (ids are drawn under the
-- zone lock).
create table dual_write_queue (
    id             bigint generated always as identity primary key,
    zone_name      varchar not null,
    owner_id       bigint,
    name           varchar not null,
    type           varchar not null,
    -- the RRset before and after the change: "TTL rdata" lines joined by newlines, empty = none
    before_text    varchar not null,
    after_text     varchar not null,
    state          varchar not null default 'intent',
    attempts       integer not null default 0,
    last_error     varchar,
    next_attempt   timestamptz not null default now(),
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    constraint dual_write_queue_state check (state in ('intent', 'pending', 'applied', 'diverged', 'dropped'))
);
create index dual_write_queue_open_idx on dual_write_queue (zone_name, id) where state in ('intent', 'pending');

-- The repair outbox of SYNCHRONOUS mode: a change whose compensation on the legacy side failed
-- (or whose outcome there is unknown). The entry says "make the legacy RRset equal to the
-- store's"; a background worker drains it (retrying with back-off) and operators are alerted
-- (metric dnsmig.dualwrite.outbox.open, an ERROR log line) while entries are open.
create table repair_outbox (
    id            bigint generated always as identity primary key,
    zone_name     varchar not null,
    name          varchar not null,
    type          varchar not null,
    reason        varchar not null,
    state         varchar not null default 'open',
    attempts      integer not null default 0,
    last_error    varchar,
    next_attempt  timestamptz not null default now(),
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    constraint repair_outbox_state check (state in ('open', 'done'))
);
create index repair_outbox_open_idx on repair_outbox (next_attempt) where state = 'open';

-- The divergence ledger: what the new side refused or failed, for triage (open -> triaged ->
-- fixed or accepted -> notified). source: 'dual-write' (the background applier of CONCURRENT
-- mode), 'backfill-reject' (a mirror of the reject table: see below), others may follow
-- ('reconcile', ...). reason: a short code (a bind-converter finding code such as
-- cname-and-other-data, or store-failed, zone-not-in-store); detail: the sentence and the change.
create table divergence (
    id          bigserial primary key,
    owner_id    bigint references owner (id),
    zone_name   varchar not null,
    source      varchar not null,
    reason      varchar not null,
    detail      varchar not null,
    state       varchar not null default 'open',
    name        varchar,
    type        varchar,
    -- the dual-write queue row, or the reject row this entry mirrors
    change_id   bigint,
    reject_id   bigint unique,
    note        varchar,
    updated_by  varchar,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    constraint divergence_state check (state in ('open', 'triaged', 'fixed', 'accepted', 'notified'))
);
create index divergence_owner_idx on divergence (owner_id, state);
create index divergence_zone_idx on divergence (zone_name, state);

/* [jooq ignore start] */
-- Backfill rejects join the ledger as mirrors: every reject row (inserted or updated by the
-- backfill, whose re-runs also mark rejects fixed when they disappear) has one divergence row with
-- source 'backfill-reject' and reject_id set, kept in step by this trigger. The reject table stays
-- the backfill's own ledger (fingerprints, file:line); `dnsmig divergence resolve` on a mirrored
-- entry changes the reject's state, and the trigger brings the mirror along.
create function divergence_mirror_reject() returns trigger language plpgsql as $$
begin
    insert into divergence (owner_id, zone_name, source, reason, detail, state, reject_id, created_at, updated_at)
    select z.owner_id, z.name, 'backfill-reject', new.code,
           new.file || ':' || new.line || ': ' || new.severity || ' ' || new.message || ' | ' || new.raw_text,
           new.state, new.id, new.first_seen, now()
      from zone z where z.id = new.zone_id
    on conflict (reject_id) do update
       set state = excluded.state, reason = excluded.reason, detail = excluded.detail, owner_id = excluded.owner_id,
           zone_name = excluded.zone_name, updated_at = now()
     where divergence.state is distinct from excluded.state or divergence.detail is distinct from excluded.detail
        or divergence.owner_id is distinct from excluded.owner_id;
    return null;
end
$$;
create trigger reject_to_divergence after insert or update on reject
    for each row execute function divergence_mirror_reject();
create function divergence_unmirror_reject() returns trigger language plpgsql as $$
begin
    delete from divergence where reject_id = old.id;
    return null;
end
$$;
create trigger reject_gone_from_divergence after delete on reject
    for each row execute function divergence_unmirror_reject();

-- The rejects already there when this migration runs.
insert into divergence (owner_id, zone_name, source, reason, detail, state, reject_id, created_at, updated_at)
select z.owner_id, z.name, 'backfill-reject', r.code,
       r.file || ':' || r.line || ': ' || r.severity || ' ' || r.message || ' | ' || r.raw_text,
       r.state, r.id, r.first_seen, now()
  from reject r join zone z on z.id = r.zone_id;
/* [jooq ignore stop] */

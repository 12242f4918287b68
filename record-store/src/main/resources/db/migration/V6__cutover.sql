-- Cutover: the serving mode of each nameserver (ns1, ns2, ...), changed live, and the audit log
-- of every change. A dns-server started with a legacy server to forward to follows its row
-- (NOTIFY dnsmig_mode, and a poll as the fallback) and holds the mode in memory: the hot path
-- never reads this table.
--
-- mode: legacy (every query forwarded to the legacy server), canary (canary_percent % of query
-- names, by a stable hash of the name, answered from the new index, the rest forwarded), new
-- (everything answered from the new index). previous_*: the mode before the last change, where
-- a rollback goes. The auto-rollback thresholds are the ones the operator armed with the last
-- advance (null: not armed, e.g. after a rollback).
create table nameserver_mode (
    nameserver             varchar primary key,
    mode                   varchar not null default 'legacy',
    canary_percent         integer not null default 0,
    previous_mode          varchar,
    previous_percent       integer,
    -- where that nameserver forwards in legacy and canary mode (informational: the serve
    -- process's --legacy option is what it uses)
    legacy_address         varchar,
    version                bigint not null default 1,
    changed_at             timestamptz not null default now(),
    changed_by             varchar not null,
    reason                 varchar,
    -- auto-rollback, armed by an advance: SERVFAIL+timeout share of answers over a window of
    -- seconds with at least min_queries answers, or confirmed inconsistencies since the advance
    rollback_armed         boolean not null default false,
    rollback_failure_rate  double precision,
    rollback_window_s      integer,
    rollback_min_queries   integer,
    rollback_confirmed     integer,
    constraint nameserver_mode_mode check (mode in ('legacy', 'canary', 'new')),
    constraint nameserver_mode_previous check (previous_mode in ('legacy', 'canary', 'new')),
    constraint nameserver_mode_percent check (canary_percent between 0 and 100),
    constraint nameserver_mode_name check (nameserver ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$')
);

-- Every change of a nameserver's mode, and every refused advance: who, when, why, from what to
-- what, and what the gates said. action: register, advance, forced-advance, refused, rollback,
-- auto-rollback.
create table cutover_audit (
    id            bigint generated always as identity primary key,
    at            timestamptz not null default now(),
    nameserver    varchar not null,
    action        varchar not null,
    from_mode     varchar,
    from_percent  integer,
    to_mode       varchar,
    to_percent    integer,
    actor         varchar not null,
    reason        varchar,
    gates         varchar,
    constraint cutover_audit_action check (action in ('register', 'advance', 'forced-advance', 'refused', 'rollback', 'auto-rollback'))
);
create index cutover_audit_ns_idx on cutover_audit (nameserver, id);

/* [jooq ignore start] */
-- Wake the nameservers as soon as a mode change commits; the payload is the nameserver's name.
create function nameserver_mode_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('dnsmig_mode', new.nameserver);
    return null;
end
$$;
create trigger nameserver_mode_notify after insert or update on nameserver_mode
    for each row execute function nameserver_mode_notify();
/* [jooq ignore stop] */

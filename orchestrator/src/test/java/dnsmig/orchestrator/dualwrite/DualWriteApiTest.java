package dnsmig.orchestrator.dualwrite;

import static dnsmig.orchestrator.dualwrite.DualWriteHarness.text;
import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.store.DualWriteStore;
import dnsmig.store.Rows;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write modes through the REST API against a real named (RFC 2136 + TSIG, through a
 * fault-injecting proxy) and a real PostgreSQL: where each write lands, what the user is told
 * when a side fails, rollback, compensation, the repair outbox, the concurrent queue and the
 * divergence list, idempotency keys, validation by bind-converter's rules.
 */
class DualWriteApiTest {

    @TempDir
    static Path tmp;

    static DualWriteHarness h;
    static QueueApplier applier;
    static OutboxWorker outbox;

    @BeforeAll
    static void start() throws Exception {
        h = new DualWriteHarness(tmp, List.of("alice"), 8, DualWriteSettings.defaults().withLockTimeout(Duration.ofSeconds(3))
                .withIntentStaleAfter(Duration.ofSeconds(2)).withApplier(Duration.ofMillis(100), 3, Duration.ofMillis(50)), Duration.ofMillis(700), false);
        applier = h.bean(QueueApplier.class);
        outbox = h.bean(OutboxWorker.class);
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void legacyOnlyWritesLegacyAlone() throws Exception {
        h.mode(WriteMode.LEGACY_ONLY);
        var r = h.put("alice", "alice-0.test", "api", "A", 120, "192.0.2.10", "192.0.2.11");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.body()).contains("\"mode\":\"LEGACY_ONLY\"");
        assertThat(h.legacy("alice-0.test", "api.alice-0.test.", "A")).isEqualTo(text("120 192.0.2.10", "120 192.0.2.11"));
        assertThat(h.stored("alice-0.test", "api.alice-0.test.", "A")).isEmpty();
    }

    @Test
    void concurrentAnswersFromLegacyQueuesDurablyAndAppliesInTheBackground() throws Exception {
        h.mode(WriteMode.CONCURRENT);
        var r = h.put("alice", "alice-1.test", "www", "A", 60, "198.51.100.1");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(h.legacy("alice-1.test", "www.alice-1.test.", "A")).isEqualTo("60 198.51.100.1");
        // Not yet on the new side: queued, durably, as pending.
        assertThat(h.stored("alice-1.test", "www.alice-1.test.", "A")).isEqualTo("300 192.0.2.80");
        assertThat(h.store.queued("alice-1.test.", 10)).extracting(DualWriteStore.QueuedChange::state).containsExactly("pending");
        // Deleting, then the applier: both changes in order.
        assertThat(h.delete("alice", "alice-1.test", "mail", "A").status()).isEqualTo(200);
        assertThat(applier.drainOnce()).isEqualTo(2);
        assertThat(h.stored("alice-1.test", "www.alice-1.test.", "A")).isEqualTo("60 198.51.100.1");
        assertThat(h.stored("alice-1.test", "mail.alice-1.test.", "A")).isEmpty();
        assertThat(h.legacy("alice-1.test", "mail.alice-1.test.", "A")).isEmpty();
    }

    @Test
    void concurrentChangesTheNewSideRefusesGoToTheDivergenceListWithReasonZoneAndOwner() throws Exception {
        h.mode(WriteMode.CONCURRENT);
        // The store already holds a CNAME at "old" (it diverged before); legacy does not. Legacy takes an A there, the store refuses it.
        h.store.inZone("alice-2.test", Duration.ofSeconds(3), z -> {
            z.replace("old.alice-2.test.", "CNAME", List.of(new Rows.Rr("old.alice-2.test.", "CNAME", 300, "www.alice-2.test.")), "test");
            return null;
        });
        var r = h.put("alice", "alice-2.test", "old", "A", 300, "192.0.2.99");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(applier.drainOnce()).isEqualTo(1);
        var d = h.store.divergences(new DualWriteStore.DivergenceFilter("alice-2.test", null, "dual-write", null, false, 10));
        assertThat(d).hasSize(1);
        assertThat(d.get(0).reason()).isEqualTo("cname-and-other-data");
        assertThat(d.get(0).owner()).isEqualTo("alice");
        assertThat(d.get(0).zone()).isEqualTo("alice-2.test.");
        assertThat(d.get(0).state()).isEqualTo("open");
        assertThat(h.store.queued("alice-2.test", 10)).isEmpty();

        // Triage: the operator removes the stray CNAME and retries through the API: fixed.
        h.store.inZone("alice-2.test", Duration.ofSeconds(3), z -> {
            z.replace("old.alice-2.test.", "CNAME", List.of(), "test");
            return null;
        });
        var retry = h.call(h.operatorToken, "POST", "/v1/admin/divergences/" + d.get(0).id() + "/retry", null);
        assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
        assertThat(h.store.divergence(d.get(0).id()).orElseThrow().state()).isEqualTo("fixed");
        assertThat(h.stored("alice-2.test", "old.alice-2.test.", "A")).isEqualTo("300 192.0.2.99");
    }

    @Test
    void concurrentLostLegacyAnswerIsSettledByReadingLegacy() throws Exception {
        h.mode(WriteMode.CONCURRENT);
        h.proxy.mode(FaultyProxy.Mode.LOSE_UPDATE_ANSWERS);
        try {
            var r = h.put("alice", "alice-3.test", "lost", "TXT", 60, "\"sent but unanswered\"");
            // The UPDATE reached named; its answer did not: dnsmig reads the RRset back and finds it applied.
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.body()).contains("answer was lost");
        } finally {
            h.proxy.mode(FaultyProxy.Mode.PASS);
        }
        applier.drainOnce();
        assertThat(h.stored("alice-3.test", "lost.alice-3.test.", "TXT")).isEqualTo("60 \"sent but unanswered\"");
    }

    @Test
    void aCrashBetweenTheQueueRowAndTheLegacyAnswerLosesNothing() throws Exception {
        h.mode(WriteMode.CONCURRENT);
        // As a dnsmig api that died right after sending: the intent is committed, legacy applied the change, nobody marked it pending.
        String before = Records.text(Records.parse("www.alice-3.test.", "A", "300 192.0.2.80"));
        long applied = h.store.enqueue("alice-3.test.", null, "www.alice-3.test.", "A", before, "60 192.0.2.201");
        var sent = h.direct.apply(DualWriter.changeSet(new RRsetWrite("alice-3.test.", QueueApplier.name("www.alice-3.test."), org.xbill.DNS.Type.A,
                List.of()), Records.parse("www.alice-3.test.", "A", before), Records.parse("www.alice-3.test.", "A", "60 192.0.2.201")));
        assertThat(sent).isInstanceOf(dnsmig.legacy.WriteOutcome.Applied.class);
        // ... and one that died before sending: legacy never got it.
        long neverSent = h.store.enqueue("alice-3.test.", null, "mail.alice-3.test.", "A", "300 192.0.2.25", "60 192.0.2.202");
        // Young intents wait (their writer may still be talking to legacy); stale ones are settled by reading legacy.
        assertThat(applier.drainOnce()).isZero();
        Thread.sleep(2100);
        assertThat(applier.drainOnce()).isEqualTo(2);
        assertThat(h.store.queuedChange(applied).orElseThrow().state()).isEqualTo("applied");
        assertThat(h.store.queuedChange(neverSent).orElseThrow().state()).isEqualTo("dropped");
        assertThat(h.stored("alice-3.test", "www.alice-3.test.", "A")).isEqualTo("60 192.0.2.201");
        assertThat(h.stored("alice-3.test", "mail.alice-3.test.", "A")).isEqualTo("300 192.0.2.25");
        assertThat(h.legacy("alice-3.test", "mail.alice-3.test.", "A")).isEqualTo("300 192.0.2.25");
    }

    @Test
    void synchronousWritesBothSidesOrNeither() throws Exception {
        h.mode(WriteMode.SYNCHRONOUS);
        var ok = h.put("alice", "alice-4.test", "www", "A", 60, "203.0.113.4");
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(h.legacy("alice-4.test", "www.alice-4.test.", "A")).isEqualTo("60 203.0.113.4");
        assertThat(h.stored("alice-4.test", "www.alice-4.test.", "A")).isEqualTo("60 203.0.113.4");

        // A zone rule (bind-converter's code) refuses it: 422 naming the rule, neither side changed.
        var bad = h.put("alice", "alice-4.test", "www", "CNAME", 60, "mail.alice-4.test.");
        assertThat(bad.status()).as(bad.toString()).isEqualTo(422);
        assertThat(bad.body()).contains("\"rule\":\"cname-and-other-data\"");
        assertThat(h.legacy("alice-4.test", "www.alice-4.test.", "CNAME")).isEmpty();
        assertThat(h.stored("alice-4.test", "www.alice-4.test.", "CNAME")).isEmpty();

        // Legacy unreachable: 503, the store transaction rolled back.
        h.proxy.mode(FaultyProxy.Mode.REFUSE);
        try {
            var down = h.put("alice", "alice-4.test", "www", "A", 60, "203.0.113.5");
            assertThat(down.status()).as(down.toString()).isEqualTo(503);
            assertThat(down.body()).contains("legacy server");
        } finally {
            h.proxy.mode(FaultyProxy.Mode.PASS);
        }
        assertThat(h.stored("alice-4.test", "www.alice-4.test.", "A")).isEqualTo("60 203.0.113.4");
        assertThat(h.legacy("alice-4.test", "www.alice-4.test.", "A")).isEqualTo("60 203.0.113.4");

        // Someone edited legacy out of band: the prerequisite fails, 409, the store is not changed.
        var edit = h.direct.apply(DualWriter.changeSet(new RRsetWrite("alice-4.test.", QueueApplier.name("www.alice-4.test."), org.xbill.DNS.Type.A,
                List.of()), Records.parse("www.alice-4.test.", "A", "60 203.0.113.4"), Records.parse("www.alice-4.test.", "A", "60 203.0.113.9")));
        assertThat(edit).isInstanceOf(dnsmig.legacy.WriteOutcome.Applied.class);
        var conflict = h.put("alice", "alice-4.test", "www", "A", 60, "203.0.113.6");
        assertThat(conflict.status()).as(conflict.toString()).isEqualTo(409);
        assertThat(h.stored("alice-4.test", "www.alice-4.test.", "A")).isEqualTo("60 203.0.113.4");
        assertThat(h.legacy("alice-4.test", "www.alice-4.test.", "A")).isEqualTo("60 203.0.113.9");
    }

    @Test
    void synchronousCommitFailureAfterLegacyAppliedIsCompensated() throws Exception {
        h.mode(WriteMode.SYNCHRONOUS);
        // A deferred constraint trigger makes the store's COMMIT fail for one rdata, after legacy has applied the change.
        try (var c = h.ds.getConnection(); var s = c.createStatement()) {
            s.execute("create or replace function dnsmig.fail_at_commit() returns trigger language plpgsql as $$ begin"
                    + " if new.rdata = '203.0.113.66' then raise exception 'injected commit failure'; end if; return null; end $$");
            s.execute("create constraint trigger fail_at_commit after insert on dnsmig.rr deferrable initially deferred for each row"
                    + " execute function dnsmig.fail_at_commit()");
        }
        try {
            var r = h.put("alice", "alice-5.test", "www", "A", 60, "203.0.113.66");
            assertThat(r.status()).as(r.toString()).isEqualTo(503);
            assertThat(r.body()).contains("legacy change was undone");
            assertThat(h.legacy("alice-5.test", "www.alice-5.test.", "A")).isEqualTo("300 192.0.2.80");
            assertThat(h.stored("alice-5.test", "www.alice-5.test.", "A")).isEqualTo("300 192.0.2.80");
            assertThat(h.app.getBean(io.micrometer.core.instrument.MeterRegistry.class).counter("dnsmig.dualwrite.compensations", "outcome", "reverted")
                    .count()).isEqualTo(1);
        } finally {
            try (var c = h.ds.getConnection(); var s = c.createStatement()) {
                s.execute("drop trigger fail_at_commit on dnsmig.rr");
            }
        }
    }

    @Test
    void synchronousUnknownLegacyOutcomeIsCompensated() throws Exception {
        h.mode(WriteMode.SYNCHRONOUS);
        h.proxy.mode(FaultyProxy.Mode.LOSE_UPDATE_ANSWERS);
        try {
            // The UPDATE applies but its answer is lost; so is the compensation's, which applies too: neither side holds the change.
            var r = h.put("alice", "alice-6.test", "lost", "A", 60, "203.0.113.76");
            assertThat(r.status()).as(r.toString()).isEqualTo(503);
            assertThat(r.body()).contains("is on neither side");
        } finally {
            h.proxy.mode(FaultyProxy.Mode.PASS);
        }
        assertThat(h.legacy("alice-6.test", "lost.alice-6.test.", "A")).isEmpty();
        assertThat(h.stored("alice-6.test", "lost.alice-6.test.", "A")).isEmpty();
    }

    @Test
    void synchronousUnknownLegacyOutcomeWithFailedCompensationGoesToTheOutboxWhichRepairsLegacy() throws Exception {
        h.mode(WriteMode.SYNCHRONOUS);
        h.proxy.mode(FaultyProxy.Mode.LOSE_ONE_UPDATE_ANSWER_THEN_REFUSE);
        try {
            var r = h.put("alice", "alice-6.test", "www", "A", 60, "203.0.113.77");
            assertThat(r.status()).as(r.toString()).isEqualTo(503);
            assertThat(r.body()).contains("repair outbox");
        } finally {
            h.proxy.mode(FaultyProxy.Mode.PASS);
        }
        // Legacy took the UPDATE (its answer was lost, and so was the compensation's): the store did not. The outbox knows.
        assertThat(h.legacy("alice-6.test", "www.alice-6.test.", "A")).isEqualTo("60 203.0.113.77");
        assertThat(h.stored("alice-6.test", "www.alice-6.test.", "A")).isEqualTo("300 192.0.2.80");
        assertThat(h.store.openOutbox(10)).extracting(DualWriteStore.OutboxEntry::zone).containsExactly("alice-6.test.");
        assertThat(outbox.drainOnce()).isEqualTo(1);
        assertThat(h.legacy("alice-6.test", "www.alice-6.test.", "A")).isEqualTo("300 192.0.2.80");
        assertThat(h.store.openOutboxCount()).isZero();
    }

    @Test
    void newPrimaryKeepsWritingWhenLegacyIsDownAndTheOutboxCatchesLegacyUp() throws Exception {
        h.mode(WriteMode.NEW_PRIMARY);
        h.proxy.mode(FaultyProxy.Mode.REFUSE);
        try {
            var r = h.put("alice", "alice-7.test", "www", "A", 60, "203.0.113.88");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(h.stored("alice-7.test", "www.alice-7.test.", "A")).isEqualTo("60 203.0.113.88");
            assertThat(h.legacy("alice-7.test", "www.alice-7.test.", "A")).isEqualTo("300 192.0.2.80");
            outbox.drainOnce(); // legacy still unreachable: stays open
            assertThat(h.store.openOutbox(100)).extracting(DualWriteStore.OutboxEntry::zone).contains("alice-7.test.");
        } finally {
            h.proxy.mode(FaultyProxy.Mode.PASS);
        }
        Thread.sleep(600); // the legacy circuit breaker lets calls through again
        for (int i = 0; i < 50 && h.store.openOutboxCount() > 0; i++) {
            h.store.dueOutbox(1); // waits for the back-off
            outbox.drainOnce();
            Thread.sleep(100);
        }
        assertThat(h.store.openOutboxCount()).isZero();
        assertThat(h.legacy("alice-7.test", "www.alice-7.test.", "A")).isEqualTo("60 203.0.113.88");

        h.mode(WriteMode.NEW_ONLY);
        var only = h.put("alice", "alice-7.test", "www", "A", 60, "203.0.113.89");
        assertThat(only.status()).isEqualTo(200);
        assertThat(h.stored("alice-7.test", "www.alice-7.test.", "A")).isEqualTo("60 203.0.113.89");
        assertThat(h.legacy("alice-7.test", "www.alice-7.test.", "A")).isEqualTo("60 203.0.113.88");
    }

    @Test
    void idempotencyKeysMakeARepeatedWriteHappenOnce() throws Exception {
        h.mode(WriteMode.SYNCHRONOUS);
        String body = DualWriteHarness.json(60, "\"once\"");
        var first = h.call(h.ownerTokens.get("alice"), "POST", "/v1/zones/alice-4.test/rrsets",
                "{\"name\":\"idem\",\"type\":\"TXT\"," + body.substring(1), "Idempotency-Key", "k-1");
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        long serial = h.direct.rrset("alice-4.test", QueueApplier.name("alice-4.test."), org.xbill.DNS.Type.SOA) instanceof dnsmig.legacy.ReadOutcome.Zone z
                ? z.serial() : -1;
        var again = h.call(h.ownerTokens.get("alice"), "POST", "/v1/zones/alice-4.test/rrsets",
                "{\"name\":\"idem\",\"type\":\"TXT\"," + body.substring(1), "Idempotency-Key", "k-1");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.headers().firstValue("Idempotency-Replayed")).hasValue("true");
        long serialAfter = ((dnsmig.legacy.ReadOutcome.Zone) h.direct.rrset("alice-4.test", QueueApplier.name("alice-4.test."), org.xbill.DNS.Type.SOA))
                .serial();
        assertThat(serialAfter).isEqualTo(serial);
        // Without the key the same create is a conflict (it exists now); the same key with another body is refused.
        assertThat(h.call(h.ownerTokens.get("alice"), "POST", "/v1/zones/alice-4.test/rrsets", "{\"name\":\"idem\",\"type\":\"TXT\"," + body.substring(1))
                .status()).isEqualTo(409);
        var reused = h.call(h.ownerTokens.get("alice"), "PUT", "/v1/zones/alice-4.test/rrsets/idem/TXT", DualWriteHarness.json(60, "\"other\""),
                "Idempotency-Key", "k-1");
        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.body()).contains("\"field\":\"Idempotency-Key\"").contains("key-reused");
    }

    @Test
    void badRequestsGetA4xxNamingTheFieldAndTheRule() throws Exception {
        h.mode(WriteMode.SYNCHRONOUS);
        var badAddress = h.put("alice", "alice-4.test", "x", "A", 60, "192.0.2.300");
        assertThat(badAddress.status()).isEqualTo(422);
        assertThat(badAddress.body()).contains("\"field\":\"records[0]\"").contains("\"rule\":\"bad-rdata\"");
        var second = h.put("alice", "alice-4.test", "x", "AAAA", 60, "2001:db8::1", "not-an-address");
        assertThat(second.body()).contains("\"field\":\"records[1]\"").contains("\"rule\":\"bad-rdata\"");
        var outside = h.put("alice", "alice-4.test", "www.elsewhere.example.", "A", 60, "192.0.2.1");
        assertThat(outside.body()).contains("\"field\":\"name\"").contains("\"rule\":\"out-of-zone\"");
        var type = h.put("alice", "alice-4.test", "x", "BOGUS", 60, "1");
        assertThat(type.body()).contains("\"field\":\"type\"").contains("\"rule\":\"unknown-type\"");
        var ttl = h.call(h.ownerTokens.get("alice"), "PUT", "/v1/zones/alice-4.test/rrsets/x/A", "{\"ttl\":-5,\"records\":[\"192.0.2.1\"]}");
        assertThat(ttl.body()).contains("\"field\":\"ttl\"").contains("\"rule\":\"ttl-range\"");
        var injected = h.put("alice", "alice-4.test", "x", "TXT", 60, "\"a\"\nevil 60 IN A 192.0.2.66");
        assertThat(injected.body()).contains("\"field\":\"records[0]\"").contains("\"rule\":\"syntax\"");
        var json = h.call(h.ownerTokens.get("alice"), "PUT", "/v1/zones/alice-4.test/rrsets/x/A", "{\"ttl\":\"sixty\"");
        assertThat(json.status()).isEqualTo(400);
        assertThat(json.body()).contains("\"field\":\"body\"");
        assertThat(h.stored("alice-4.test", "x.alice-4.test.", "A")).isEmpty();
        assertThat(h.legacy("alice-4.test", "evil.alice-4.test.", "A")).isEmpty();
    }

    @Test
    void theWriteModeIsSwitchedByOperatorsThroughTheApiAndAudited() throws Exception {
        var owner = h.call(h.ownerTokens.get("alice"), "PUT", "/v1/admin/write-mode", "{\"mode\":\"SYNCHRONOUS\",\"reason\":\"x\"}");
        assertThat(owner.status()).isEqualTo(403);
        var noReason = h.call(h.operatorToken, "PUT", "/v1/admin/write-mode", "{\"mode\":\"SYNCHRONOUS\"}");
        assertThat(noReason.status()).isEqualTo(422);
        assertThat(noReason.body()).contains("\"field\":\"reason\"");
        var set = h.call(h.operatorToken, "PUT", "/v1/admin/write-mode", "{\"mode\":\"concurrent\",\"reason\":\"backfill verified\"}");
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        var now = h.store.currentMode();
        assertThat(now.mode()).isEqualTo("CONCURRENT");
        assertThat(now.reason()).isEqualTo("backfill verified");
        assertThat(now.changedBy()).contains("operator").contains("test-operator").doesNotContain(h.operatorToken);
    }

    @Test
    void newOnlyWaitsUntilNoNameserverAnswersFromLegacy() throws Exception {
        String before = h.store.currentMode().mode();
        var cutover = new dnsmig.store.CutoverStore(org.jooq.impl.DSL.using(h.ds, org.jooq.SQLDialect.POSTGRES));
        cutover.register("ns9", null, "test");
        try {
            var refused = h.call(h.operatorToken, "PUT", "/v1/admin/write-mode", "{\"mode\":\"NEW_ONLY\",\"reason\":\"retire legacy\"}");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
            assertThat(refused.body()).contains("ns9 (legacy)").contains("\"field\":\"mode\"");
            assertThat(h.store.currentMode().mode()).isEqualTo(before);
            var forced = h.call(h.operatorToken, "PUT", "/v1/admin/write-mode", "{\"mode\":\"NEW_ONLY\",\"reason\":\"ns9 retired\",\"force\":true}");
            assertThat(forced.status()).as(forced.toString()).isEqualTo(200);
            assertThat(h.store.currentMode().mode()).isEqualTo("NEW_ONLY");
        } finally {
            h.store.setMode(before, "test", "restored");
            try (var c = h.ds.getConnection(); var st = c.createStatement()) {
                st.execute("delete from cutover_audit where nameserver = 'ns9'");
                st.execute("delete from nameserver_mode where nameserver = 'ns9'");
            }
        }
    }
}

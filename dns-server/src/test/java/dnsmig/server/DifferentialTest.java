package dnsmig.server;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.convert.Conversion;
import dnsmig.convert.ConverterOptions;
import dnsmig.convert.FindingCode;
import dnsmig.convert.MasterFileWriter;
import dnsmig.convert.Severity;
import dnsmig.convert.ZoneFileConverter;
import dnsmig.server.xfr.TransferPolicy;
import dnsmig.server.zone.Zone;
import dnsmig.testkit.DnsClient;
import dnsmig.testkit.NamedFixture;
import dnsmig.testkit.Repo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The new server against a real BIND, on the same zones, asked the same queries over loopback.
 *
 * <p>Zones: every corpus zone BIND accepts (served in batches, as many corpus files share an
 * origin) and a generated hosting-provider set. Both servers get the records our converter
 * imports (it is itself held to BIND's reading of each file by bind-converter's oracle test):
 * named reads them from the master file {@link MasterFileWriter} writes, dns-server from the
 * record store it follows. Queries: every RRset, and for each zone NXDOMAIN and NODATA probes,
 * names under wildcards and delegations, parents of names (empty non-terminals), CNAME and
 * DNAME owners with other types, apex types, ANY, DS at cuts, letter-case variations, with and
 * without EDNS (sizes 512, 1232, 4096), RD set and clear, over UDP and TCP.
 *
 * <p>Compared: RCODE, AA, TC, and the answer, authority and additional sections as sets of
 * records (owner case-insensitive, TTL, canonical rdata). Where the two differ on purpose, the
 * {@link Allowed} rules below say so with their RFC.
 */
class DifferentialTest {

    /** Queries asked per zone at most (sampled evenly over its names). */
    private static final int MAX_QUERIES_PER_ZONE = 600;
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final String LENIENT = """
            check-names primary ignore;
            check-integrity no;
            check-mx ignore;
            check-mx-cname ignore;
            check-srv-cname ignore;
            check-wildcard no;
            check-sibling no;
            check-spf ignore;
            check-dup-records ignore;
            max-records-per-type 0;
            max-types-per-name 0;""";

    static StoreSeeder seeder;
    static NameServer server;

    @BeforeAll
    static void start() throws Exception {
        seeder = new StoreSeeder();
        server = NameServer.start(new NameServer.Settings("ns1", List.of(new InetSocketAddress("127.0.0.1", 0)), 2, 100_000, 64,
                Duration.ofSeconds(10), TransferPolicy.NOBODY, Duration.ofMillis(200)), seeder.dataSource, new SimpleMeterRegistry(), null);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (seeder != null) {
            seeder.close();
        }
    }

    /** A zone ready to serve: origin, our records, and the master file named gets. */
    record ServedZone(String label, Name origin, Conversion conversion, String masterFile) {}

    /** What one comparison found. */
    record Difference(String zone, String query, String what) {}

    @Test
    void answersLikeBindOnTheCorpusAndAGeneratedProvider() throws Exception {
        List<List<ServedZone>> batches = new ArrayList<>(corpusBatches());
        batches.add(generatedProvider());
        Stats stats = new Stats();
        List<Difference> differences = new ArrayList<>();
        for (List<ServedZone> batch : batches) {
            runBatch(batch, stats, differences);
        }
        System.out.println("differential test: " + stats);
        // Every difference, for whoever has to look at them (target/ is the build's own).
        Files.write(Path.of("target", "differential-differences.txt"), differences.stream().map(Difference::toString).toList());
        Map<String, Integer> byKind = new TreeMap<>();
        differences.forEach(d -> byKind.merge(d.what().replaceAll(":.*", ""), 1, Integer::sum));
        assertThat(stats.compared).as("queries compared").isGreaterThan(20_000);
        assertThat(differences).as("differences from BIND (%d; by kind %s); first ones:%n%s", differences.size(), byKind,
                String.join("\n", differences.stream().limit(40).map(Difference::toString).toList())).isEmpty();
    }

    private void runBatch(List<ServedZone> batch, Stats stats, List<Difference> differences) throws Exception {
        // Both servers serve exactly this batch: zones of earlier batches leave the store.
        Set<String> wanted = new TreeSet<>();
        batch.forEach(z -> wanted.add(z.origin().toString().toLowerCase()));
        dropZonesExcept(wanted);
        // dns-server: through the record store and its change log, like every change in production.
        Map<Name, Zone> before = new LinkedHashMap<>();
        for (ServedZone z : batch) {
            before.put(z.origin(), server.index().get(z.origin()));
            seeder.importConversion(z.origin().toString(), z.conversion(), z.label());
        }
        awaitServed(batch, before);
        NamedFixture.Builder b = NamedFixture.builder().options(LENIENT);
        for (ServedZone z : batch) {
            b.staticZone(z.origin().toString(), z.masterFile());
        }
        try (NamedFixture named = b.start()) {
            for (ServedZone z : batch) {
                Message soa = new Message(DnsClient.udp(named.socketAddress(), new Probe(z.origin(), Type.SOA, false, 1232, false, 7).wire(), TIMEOUT));
                assertThat(soa.getHeader().getFlag(Flags.AA) && soa.getRcode() == Rcode.NOERROR).as("named loaded %s (%s); its log:%n%s", z.origin(),
                        z.label(), Files.readString(named.log())).isTrue();
                assertThat(server.index().get(z.origin()).recordCount()).as("dns-server holds every record of %s", z.label())
                        .isEqualTo(z.conversion().records().size());
            }
            int batchStart = differences.size();
            for (ServedZone z : batch) {
                for (Probe p : Probes.of(z, MAX_QUERIES_PER_ZONE)) {
                    compare(z, p, named.socketAddress(), stats, differences);
                }
                stats.zones++;
            }
            if (differences.subList(batchStart, differences.size()).stream().anyMatch(d -> d.what().startsWith("no answer: bind ") && !d.what().startsWith("no answer: bind answered"))) {
                // named left a query unanswered: what it said about it is in its log, which goes with the fixture.
                List<String> errors = Files.readAllLines(named.log(), StandardCharsets.ISO_8859_1).stream().filter(l -> l.contains("error")).toList();
                System.out.println("named (port " + named.port() + ", control channel port " + named.rndcPort() + ") left queries unanswered; errors in its log:\n"
                        + String.join("\n", errors.subList(Math.max(0, errors.size() - 20), errors.size())));
            }
        }
    }

    /** Deletes every other zone from the store (with its change-log entry) and waits until the server dropped them. */
    private static void dropZonesExcept(Set<String> keep) throws Exception {
        List<String> dropped = new ArrayList<>();
        try (var c = seeder.dataSource.getConnection()) {
            c.setAutoCommit(false);
            List<long[]> ids = new ArrayList<>();
            try (var rs = c.createStatement().executeQuery("select id, name, serial from zone")) {
                while (rs.next()) {
                    if (!keep.contains(rs.getString(2))) {
                        ids.add(new long[] {rs.getLong(1), rs.getLong(3)});
                        dropped.add(rs.getString(2));
                    }
                }
            }
            for (int i = 0; i < ids.size(); i++) {
                long id = ids.get(i)[0];
                try (var s = c.createStatement()) {
                    s.execute("delete from rr where zone_id = " + id);
                    s.execute("delete from reject where zone_id = " + id);
                    s.execute("delete from zone where id = " + id);
                }
                try (var ps = c.prepareStatement("insert into change_log (zone_id, zone_name, serial, kind, origin) values (?, ?, ?, 'zone-deleted', 'test')")) {
                    ps.setLong(1, id);
                    ps.setString(2, dropped.get(i));
                    ps.setLong(3, ids.get(i)[1]);
                    ps.execute();
                }
            }
            c.commit();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (String z : dropped) {
            while (server.index().get(Name.fromString(z)) != null) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("dns-server still serves the deleted zone " + z);
                }
                Thread.sleep(20);
            }
        }
    }

    /** Waits until the server answers from each zone's new content (its change log caught up). */
    private static void awaitServed(List<ServedZone> batch, Map<Name, Zone> before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (ServedZone z : batch) {
            while (true) {
                Zone now = server.index().get(z.origin());
                Zone old = before.get(z.origin());
                boolean unchanged = old != null && now == old && sameRecords(old, z);
                if ((now != null && now != old) || unchanged) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("dns-server did not pick up zone " + z.origin() + " (" + z.label() + ") within 30 s");
                }
                Thread.sleep(20);
            }
        }
    }

    /** True when the zone already served has exactly these records (an import that changed nothing). */
    private static boolean sameRecords(Zone zone, ServedZone z) {
        return zone.recordCount() == z.conversion().records().size() && zone.serial() == soaSerial(z.conversion());
    }

    private static long soaSerial(Conversion c) {
        return c.records().stream().filter(r -> r.getType() == Type.SOA).map(r -> ((org.xbill.DNS.SOARecord) r).getSerial()).findFirst().orElse(-1L);
    }

    private void compare(ServedZone z, Probe p, InetSocketAddress bind, Stats stats, List<Difference> differences) throws IOException {
        byte[] query = p.wire();
        InetSocketAddress ours = p.tcp() ? server.tcpAddresses().get(0) : server.udpAddresses().get(0);
        Asked a = ask(bind, p.tcp(), query);
        Asked b = ask(ours, p.tcp(), query);
        stats.compared++;
        if (a.wire() == null || b.wire() == null) {
            differences.add(new Difference(z.label(), p.toString(), "no answer: bind " + a.outcome() + ", dnsmig " + b.outcome()));
            return;
        }
        Message bindAnswer = new Message(a.wire());
        Message ourAnswer = new Message(b.wire());
        String diff = Allowed.explain(z, p, bindAnswer, ourAnswer, stats);
        if (diff != null) {
            differences.add(new Difference(z.label(), p.toString(), diff));
        }
    }

    /** A response, or what became of the query: how long it took tells a closed connection (milliseconds) from a silent server (the timeout). */
    record Asked(byte[] wire, String outcome) {}

    private static Asked ask(InetSocketAddress server, boolean tcp, byte[] query) {
        long t0 = System.nanoTime();
        String failure;
        try {
            byte[] r = tcp ? DnsClient.tcp(server, query, TIMEOUT) : DnsClient.udp(server, query, TIMEOUT);
            if (r != null) {
                return new Asked(r, "answered");
            }
            failure = "none";
        } catch (IOException e) {
            failure = e.toString();
        }
        return new Asked(null, failure + " after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
    }

    /**
     * Where dns-server answers differently from BIND on purpose, each with its reason. Returns
     * null when the answers agree (or differ only as allowed), else what differs.
     */
    static final class Allowed {

        /**
         * knot's semantic-check files with deliberately broken DNSSEC (records without
         * signatures, NSEC chains with holes, signatures at a delegation). BIND serves them with
         * DNSSEC processing (SERVFAIL where a signature is missing, RRSIGs of glue in
         * additional); dns-server carries a signed zone's records as data, as they were
         * migrated, and validates or signs nothing.
         */
        static final Set<String> BROKEN_SIGNED = Set.of("knot/tests/knot/semantic_check_data/missing.signed",
                "knot/tests/knot/semantic_check_data/no_rrsig.signed", "knot/tests/knot/semantic_check_data/nsec_missing.signed",
                "knot/tests/knot/semantic_check_data/delegation.signed", "knot/tests/knot/semantic_check_data/nsec3_ds.signed");

        static String explain(ServedZone z, Probe p, Message bind, Message ours, Stats stats) {
            if (BROKEN_SIGNED.contains(z.label()) && (bind.getRcode() == Rcode.SERVFAIL || onlyBindHasSignatures(bind, ours))) {
                stats.allowedBrokenDnssec++;
                return null;
            }
            if (p.qname().equals(Name.root) && p.qtype() == Type.NS && onlyOursHasAddresses(bind, ours)) {
                // BIND sends the root zone's apex NS without its addresses (a priming answer
                // carries them from every other root server); we add them as for any NS answer.
                stats.allowedRootNs++;
                return null;
            }
            if (bind.getRcode() != ours.getRcode()) {
                return "rcode: bind " + Rcode.string(bind.getRcode()) + ", dnsmig " + Rcode.string(ours.getRcode());
            }
            String flags = flag(bind, ours, Flags.AA, "AA");
            if (flags != null) {
                return flags;
            }
            if (p.qtype() == Type.ANY && !p.tcp() && bind.getHeader().getFlag(Flags.TC) && !ours.getHeader().getFlag(Flags.TC)) {
                stats.allowedMinimalAny++; // RFC 8482: our one RRset fits where BIND's whole set did not
                return null;
            }
            if (bind.getHeader().getFlag(Flags.TC) || ours.getHeader().getFlag(Flags.TC)) {
                String tc = flag(bind, ours, Flags.TC, "TC");
                if (tc != null && bind.getHeader().getFlag(Flags.TC) && caseDefeatsCompression(p, ours)) {
                    // BIND compresses a name only against one spelled in the same case: a mixed-case
                    // qname and the zone's lower-case owner are written out twice. Ours would not
                    // fit either with the qname written out again.
                    stats.allowedCaseCompression++;
                    return null;
                }
                if (tc != null) {
                    return tc;
                }
                // RFC 2181 §9, RFC 7766 §5: a truncated response is asked again over TCP; what
                // it carries besides TC is not used. BIND keeps part of an RRset, we keep none.
                stats.allowedTruncated++;
                return null;
            }
            if ((bind.getOPT() == null) != (ours.getOPT() == null)) {
                return "OPT: bind " + (bind.getOPT() != null) + ", dnsmig " + (ours.getOPT() != null);
            }
            if (p.qtype() == Type.ANY && !p.tcp()) {
                // RFC 8482 §4.1: ANY over UDP is answered with one RRset; BIND 9.18 (minimal-any
                // no) sends all. Ours must be one RRset out of BIND's.
                Set<String> bindAnswer = section(bind, Section.ANSWER);
                Set<String> ourAnswer = section(ours, Section.ANSWER);
                if (!bindAnswer.containsAll(ourAnswer) || rrsets(ours, Section.ANSWER) > 1 && rrsets(bind, Section.ANSWER) > 1) {
                    return "ANY: ours is not one RRset of BIND's: bind " + bindAnswer + ", dnsmig " + ourAnswer;
                }
                stats.allowedMinimalAny++;
                return null;
            }
            if (p.qtype() == Type.ANY) {
                // RFC 8482 §4: which RRsets an ANY answer carries is the responder's choice. Over
                // TCP we send every RRset at the name; BIND leaves out some DNSSEC ones at times.
                Set<String> bindAnswer = section(bind, Section.ANSWER);
                Set<String> ourAnswer = section(ours, Section.ANSWER);
                if (!ourAnswer.containsAll(bindAnswer)) {
                    return "ANY over TCP: BIND sent records we did not: " + bindAnswer + " vs " + ourAnswer;
                }
                if (!ourAnswer.equals(bindAnswer)) {
                    stats.allowedAnyTcp++;
                }
                return null;
            }
            if (section(bind, Section.ANSWER).equals(section(ours, Section.ANSWER))
                    && section(bind, Section.AUTHORITY).equals(section(ours, Section.AUTHORITY))
                    && !section(bind, Section.ADDITIONAL).equals(section(ours, Section.ADDITIONAL)) && nearLimit(p, bind, ours)) {
                // RFC 2181 §9: additional data that does not fit is left out without TC. Near the
                // requester's limit, which glue fits depends on its order, which BIND shuffles.
                stats.allowedAdditionalCut++;
                return null;
            }
            for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
                Set<String> x = section(bind, section);
                Set<String> y = section(ours, section);
                if (!x.equals(y)) {
                    Set<String> onlyBind = new TreeSet<>(x);
                    onlyBind.removeAll(y);
                    Set<String> onlyOurs = new TreeSet<>(y);
                    onlyOurs.removeAll(x);
                    return Section.string(section) + ": only bind " + onlyBind + ", only dnsmig " + onlyOurs;
                }
            }
            return null;
        }

        static boolean caseDefeatsCompression(Probe p, Message ours) {
            String q = p.qname().toString();
            int limit = p.edns() > 0 ? Math.max(512, Math.min(p.edns(), 1232)) : 512;
            return !p.tcp() && !q.equals(q.toLowerCase()) && ours.numBytes() + p.qname().length() > limit;
        }

        /** The answers differ only in RRSIG records BIND has and we do not. */
        static boolean onlyBindHasSignatures(Message bind, Message ours) {
            for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
                Set<String> extra = new TreeSet<>(section(bind, section));
                if (!extra.containsAll(section(ours, section))) {
                    return false;
                }
                extra.removeAll(section(ours, section));
                if (extra.stream().anyMatch(r -> !r.split(" ")[3].equals("RRSIG"))) {
                    return false;
                }
            }
            return true;
        }

        /** The answers differ only in A/AAAA records in our additional section. */
        static boolean onlyOursHasAddresses(Message bind, Message ours) {
            if (!section(bind, Section.ANSWER).equals(section(ours, Section.ANSWER)) || !section(bind, Section.AUTHORITY).equals(section(ours, Section.AUTHORITY))) {
                return false;
            }
            Set<String> extra = new TreeSet<>(section(ours, Section.ADDITIONAL));
            if (!extra.containsAll(section(bind, Section.ADDITIONAL))) {
                return false;
            }
            extra.removeAll(section(bind, Section.ADDITIONAL));
            return extra.stream().allMatch(r -> r.split(" ")[3].equals("A") || r.split(" ")[3].equals("AAAA"));
        }

        /** Either response is within 100 octets of the most the requester takes over UDP. */
        static boolean nearLimit(Probe p, Message bind, Message ours) {
            if (p.tcp()) {
                return false;
            }
            int limit = p.edns() > 0 ? Math.max(512, Math.min(p.edns(), 1232)) : 512;
            return bind.numBytes() > limit - 100 || ours.numBytes() > limit - 100;
        }

        private static String flag(Message a, Message b, int flag, String name) {
            boolean x = a.getHeader().getFlag(flag);
            boolean y = b.getHeader().getFlag(flag);
            return x == y ? null : name + ": bind " + x + ", dnsmig " + y;
        }

        private static long rrsets(Message m, int section) {
            return m.getSection(section).stream().filter(r -> r.getType() != Type.OPT).map(r -> r.getName().toString().toLowerCase() + "/" + r.getType())
                    .distinct().count();
        }

        static Set<String> section(Message m, int section) {
            Set<String> out = new TreeSet<>();
            for (Record r : m.getSection(section)) {
                if (r.getType() == Type.OPT) {
                    continue;
                }
                out.add(r.getName().toString().toLowerCase() + " " + r.getTTL() + " " + DClass.string(r.getDClass()) + " " + Type.string(r.getType())
                        + " " + HexFormat.of().formatHex(r.rdataToWireCanonical()));
            }
            return out;
        }
    }

    /** Counts for the summary line. */
    static final class Stats {
        int zones;
        long compared;
        long allowedTruncated;
        long allowedMinimalAny;
        long allowedAnyTcp;
        long allowedAdditionalCut;
        long allowedBrokenDnssec;
        long allowedRootNs;
        long allowedCaseCompression;

        @Override
        public String toString() {
            return zones + " zones, " + compared + " queries compared (" + allowedTruncated + " truncated: sections not compared, RFC 2181 §9; "
                    + allowedMinimalAny + " ANY over UDP answered minimally, RFC 8482; " + allowedAnyTcp + " ANY over TCP with more RRsets than BIND, RFC 8482; " + allowedAdditionalCut
                    + " additional sections cut to size differently, RFC 2181 §9; " + allowedCaseCompression + " truncated by BIND for want of case-insensitive compression; "
                    + allowedBrokenDnssec + " in deliberately broken signed zones; " + allowedRootNs + " root NS with addresses)";
        }
    }

    /** One query to ask both servers. */
    record Probe(Name qname, int qtype, boolean rd, int edns, boolean tcp, int id) {
        byte[] wire() {
            Message q = Message.newQuery(Record.newRecord(qname, qtype, DClass.IN));
            q.getHeader().setID(id);
            if (!rd) {
                q.getHeader().unsetFlag(Flags.RD);
            }
            if (edns > 0) {
                q.addRecord(new OPTRecord(edns, 0, 0, 0), Section.ADDITIONAL);
            }
            return q.toWire();
        }

        @Override
        public String toString() {
            return qname + " " + Type.string(qtype) + (rd ? " +rd" : " +norec") + (edns > 0 ? " edns" + edns : " noedns") + (tcp ? " tcp" : " udp");
        }
    }

    /** The queries for one zone: deterministic per zone, bounded in number. */
    static final class Probes {

        static List<Probe> of(ServedZone z, int max) {
            Random random = new Random(z.origin().hashCode());
            Map<Name, Set<Integer>> types = new LinkedHashMap<>();
            for (Record r : z.conversion().records()) {
                types.computeIfAbsent(r.getName(), k -> new TreeSet<>()).add(r.getType());
            }
            List<Name> names = new ArrayList<>(types.keySet());
            int step = Math.max(1, names.size() * 4 / max);
            List<Probe> out = new ArrayList<>();
            int id = 1;
            for (int i = 0; i < names.size(); i += step) {
                Name n = names.get(i);
                Set<Integer> present = types.get(n);
                for (int t : present) {
                    out.add(probe(random, variant(random, n), t, id++));
                }
                // NODATA (or CNAME/DNAME/referral) for a type the name lacks
                int absent = present.contains(Type.A) ? Type.MX : Type.A;
                out.add(probe(random, variant(random, n), absent, id++));
                if (n.labels() > z.origin().labels() + 1) {
                    out.add(probe(random, new Name(n, 1), Type.TXT, id++)); // parent: maybe an empty non-terminal
                }
                if (n.isWild()) {
                    Name under = child("probe-" + i, new Name(n, 1));
                    if (under != null) {
                        out.add(probe(random, under, Type.A, id++));
                        Name deeper = child("a.b", under);
                        if (deeper != null) {
                            out.add(probe(random, deeper, Type.AAAA, id++));
                        }
                    }
                }
                if (present.contains(Type.NS) && !n.equals(z.origin())) {
                    Name below = child("host", n);
                    if (below != null) {
                        out.add(probe(random, below, Type.A, id++)); // below a cut
                    }
                    out.add(probe(random, n, Type.DS, id++));
                }
                if (present.contains(Type.DNAME)) {
                    Name under = child("www", n);
                    if (under != null) {
                        out.add(probe(random, under, Type.A, id++));
                    }
                }
                Name nx = child("nx-" + i, n);
                if (nx != null) {
                    out.add(probe(random, nx, Type.A, id++)); // NXDOMAIN below
                }
            }
            Name apex = z.origin();
            for (int t : new int[] {Type.SOA, Type.NS, Type.ANY, Type.MX, Type.TXT, Type.AAAA, Type.DNSKEY, Type.CAA}) {
                out.add(probe(random, apex, t, id++));
            }
            out.add(new Probe(apex, Type.ANY, true, 1232, true, id++));
            out.add(probe(random, child("no-such-name-here", apex), Type.A, id++));
            return out.size() > max ? out.subList(0, max) : out;
        }

        /** {@code labels} under {@code parent}; null when that would be too long a name. */
        private static Name child(String labels, Name parent) {
            try {
                return new Name(labels, parent);
            } catch (org.xbill.DNS.TextParseException e) {
                return null;
            }
        }

        private static Probe probe(Random random, Name qname, int qtype, int id) {
            int[] sizes = {0, 512, 1232, 1232, 4096};
            return new Probe(qname, qtype, random.nextInt(4) != 0, sizes[random.nextInt(sizes.length)], random.nextInt(8) == 0, id & 0xFFFF);
        }

        /** Now and then the name with its letters in random case (0x20, the question is echoed). */
        private static Name variant(Random random, Name n) {
            if (random.nextInt(5) != 0) {
                return n;
            }
            StringBuilder sb = new StringBuilder();
            for (char c : n.toString().toCharArray()) {
                sb.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
            }
            return Name.fromConstantString(sb.toString());
        }
    }

    // ------------------------------------------------------------------ zones

    /** Every corpus zone BIND accepts, in batches with one zone per origin. */
    static List<List<ServedZone>> corpusBatches() throws IOException {
        Path corpus = Repo.corpus();
        List<String> rows = Files.readAllLines(corpus.resolve("manifest.tsv"), StandardCharsets.UTF_8);
        Map<Name, List<ServedZone>> byOrigin = new LinkedHashMap<>();
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split("\t", -1);
            if (!f[2].equals("ok")) {
                continue;
            }
            Path file = corpus.resolve(f[0]);
            Name origin = Name.fromConstantString(f[1].equals(".") ? "." : f[1] + ".");
            Conversion c = convert(file, origin, corpus);
            if (c == null) {
                continue;
            }
            byOrigin.computeIfAbsent(origin, k -> new ArrayList<>()).add(new ServedZone(f[0], origin, c, master(c)));
        }
        int depth = byOrigin.values().stream().mapToInt(List::size).max().orElse(0);
        List<List<ServedZone>> batches = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            List<ServedZone> batch = new ArrayList<>();
            for (List<ServedZone> zones : byOrigin.values()) {
                if (i < zones.size()) {
                    batch.add(zones.get(i));
                }
            }
            batches.add(batch);
        }
        assertThat(byOrigin.values().stream().mapToInt(List::size).sum()).as("corpus zones served").isGreaterThan(200);
        return batches;
    }

    /** The converter's reading; relative $INCLUDEs resolve from the file's directory or one above it (SOURCES.md). */
    private static Conversion convert(Path file, Name origin, Path corpus) {
        Conversion best = null;
        for (Path dir = file.getParent(); dir != null && dir.startsWith(corpus); dir = dir.getParent()) {
            Conversion c = new ZoneFileConverter(ConverterOptions.defaults().withBaseDir(dir)).convert(file, origin);
            boolean includeFailed = c.findings().stream().anyMatch(f -> f.code() == FindingCode.INCLUDE_FAILED);
            if (!includeFailed) {
                best = c;
                break;
            }
        }
        if (best == null || !best.servable() || best.findings().stream().anyMatch(f -> f.severity() == Severity.ERROR)) {
            return null;
        }
        return best;
    }

    private static String master(Conversion c) {
        StringBuilder sb = new StringBuilder();
        try {
            MasterFileWriter.write(c.records(), sb);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sb.toString();
    }

    /** A hosting provider's zones from ../shared/bench/gen_zones.py (tiny: 100 zones, ~10k records). */
    static List<ServedZone> generatedProvider() throws Exception {
        Path out = Files.createTempDirectory("dnsmig-diff-gen");
        Process gen = new ProcessBuilder("python3", Repo.sharedBench().resolve("gen_zones.py").toString(), "--size", "tiny", "--seed", "11", "--out",
                out.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(gen.waitFor(120, TimeUnit.SECONDS)).isTrue();
        List<ServedZone> zones = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("zones.list"))) {
            String[] f = line.split("\t");
            Name origin = Name.fromConstantString(f[0] + ".");
            Conversion c = new ZoneFileConverter(ConverterOptions.defaults().withBaseDir(out)).convert(out.resolve(f[1]), origin);
            assertThat(c.servable()).as(f[0]).isTrue();
            zones.add(new ServedZone("generated/" + f[0], origin, c, master(c)));
        }
        return zones;
    }
}

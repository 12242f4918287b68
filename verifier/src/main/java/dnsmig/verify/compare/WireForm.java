package dnsmig.verify.compare;

import java.util.Arrays;

/**
 * The comparison's fast path for answers that agree but whose bytes differ (records in another
 * order, other name compression, letter case of owner names): each record is read straight from
 * the wire into one canonical byte string (owner name decompressed and lower-case, type, class,
 * TTL, rdata with its names decompressed and lower-case), and each section's records compared as
 * a sorted list — no {@code Message}, {@code Name} or {@code Record} objects.
 *
 * <p>It only ever answers "equal" when {@link AnswerShape} would find no difference: its form is
 * finer than the shape's (header, question and every record compared exactly, the SOA serial and
 * each record's TTL included, no ignore rule applied). Anything else — a record type whose rdata
 * layout it does not know, a malformed message, any difference at all — is "not known equal", and
 * the caller compares the parsed answers as before. Record types read: those whose rdata holds no
 * domain name (compared as bytes) and those whose names it decompresses (NS, CNAME, PTR, DNAME, MX,
 * SOA, SRV).
 */
final class WireForm {

    private WireForm() {}

    /** True when both responses are known to agree (the parsed comparison would find nothing). */
    static boolean equivalent(byte[] a, byte[] b) {
        if (a.length < 12 || b.length < 12) {
            return false;
        }
        // flags, rcode and the four counts alike; one question, the same bytes in both
        if (!Arrays.equals(a, 2, 12, b, 2, 12) || a[4] != 0 || a[5] != 1) {
            return false;
        }
        int qa = skipName(a, 12);
        if (qa < 0 || qa + 4 > a.length || qa + 4 > b.length || !Arrays.equals(a, 12, qa + 4, b, 12, qa + 4)) {
            return false;
        }
        int[] counts = {u16(a, 6), u16(a, 8), u16(a, 10)};
        int pa = qa + 4;
        int pb = qa + 4;
        Reader ra = new Reader(a);
        Reader rb = new Reader(b);
        for (int count : counts) {
            if (count == 0) {
                continue;
            }
            byte[][] sa = new byte[count][];
            byte[][] sb = new byte[count][];
            for (int i = 0; i < count; i++) {
                pa = ra.record(pa);
                pb = rb.record(pb);
                if (pa < 0 || pb < 0) {
                    return false;
                }
                sa[i] = ra.take();
                sb[i] = rb.take();
            }
            if (!sameRecords(sa, sb)) {
                return false;
            }
        }
        return pa == a.length && pb == b.length;
    }

    private static boolean sameRecords(byte[][] sa, byte[][] sb) {
        if (Arrays.deepEquals(sa, sb)) {
            return true;
        }
        Arrays.sort(sa, Arrays::compare);
        Arrays.sort(sb, Arrays::compare);
        return Arrays.deepEquals(sa, sb);
    }

    private static int u16(byte[] m, int i) {
        return ((m[i] & 0xff) << 8) | (m[i + 1] & 0xff);
    }

    /** Offset past an uncompressed-or-compressed name at {@code p} (no pointer followed), or -1. */
    private static int skipName(byte[] m, int p) {
        while (p < m.length) {
            int len = m[p] & 0xff;
            if (len == 0) {
                return p + 1;
            }
            if ((len & 0xc0) == 0xc0) {
                return p + 2 <= m.length ? p + 2 : -1;
            }
            if ((len & 0xc0) != 0) {
                return -1;
            }
            p += len + 1;
        }
        return -1;
    }

    /** Reads one record at a time into a canonical byte string. */
    private static final class Reader {
        private final byte[] m;
        private byte[] out = new byte[512];
        private int n;

        Reader(byte[] m) {
            this.m = m;
        }

        byte[] take() {
            return Arrays.copyOf(out, n);
        }

        /** Reads the record at {@code p}; returns the offset past it, or -1 when it cannot be read here. */
        int record(int p) {
            n = 0;
            p = name(p);
            if (p < 0 || p + 10 > m.length) {
                return -1;
            }
            int type = u16(m, p);
            int rdlen = u16(m, p + 8);
            put(m, p, 8); // type, class, TTL
            int start = p + 10;
            int end = start + rdlen;
            if (end > m.length) {
                return -1;
            }
            int at = switch (type) {
                case 2, 5, 12, 39 -> name(start); // NS, CNAME, PTR, DNAME
                case 15 -> fixed(start, 2) < 0 ? -1 : name(start + 2); // MX
                case 33 -> fixed(start, 6) < 0 ? -1 : name(start + 6); // SRV
                case 6 -> { // SOA: two names, five numbers
                    int q = name(start);
                    q = q < 0 ? -1 : name(q);
                    yield q < 0 ? -1 : fixed(q, 20);
                }
                // no domain names in the rdata: A, NULL, HINFO, TXT, AAAA, OPT, DS, SSHFP, DNSKEY, TLSA, SPF, CAA
                case 1, 10, 13, 16, 28, 41, 43, 44, 48, 52, 99, 257 -> fixed(start, rdlen);
                default -> -1;
            };
            return at == end ? end : -1;
        }

        private int fixed(int p, int len) {
            if (p + len > m.length) {
                return -1;
            }
            put(m, p, len);
            return p + len;
        }

        /** Appends the name at {@code p} decompressed and lower-case; returns the offset past it in the record, or -1. */
        private int name(int p) {
            int end = -1;
            int jumps = 0;
            int total = 0;
            while (true) {
                if (p >= m.length) {
                    return -1;
                }
                int len = m[p] & 0xff;
                if ((len & 0xc0) == 0xc0) {
                    if (p + 1 >= m.length || ++jumps > 64) {
                        return -1;
                    }
                    int target = ((len & 0x3f) << 8) | (m[p + 1] & 0xff);
                    if (target >= p) {
                        return -1; // pointers point backwards
                    }
                    if (end < 0) {
                        end = p + 2;
                    }
                    p = target;
                    continue;
                }
                if ((len & 0xc0) != 0 || p + 1 + len > m.length || (total += len + 1) > 255) {
                    return -1;
                }
                ensure(len + 1);
                out[n++] = (byte) len;
                for (int i = 1; i <= len; i++) {
                    byte c = m[p + i];
                    out[n++] = c >= 'A' && c <= 'Z' ? (byte) (c + 32) : c;
                }
                p += len + 1;
                if (len == 0) {
                    return end < 0 ? p : end;
                }
            }
        }

        private void put(byte[] src, int from, int len) {
            ensure(len);
            System.arraycopy(src, from, out, n, len);
            n += len;
        }

        private void ensure(int more) {
            if (n + more > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, n + more));
            }
        }
    }
}

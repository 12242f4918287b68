package dnsmig.legacy;

/** SOA serial arithmetic (RFC 1982, SERIAL_BITS = 32). */
public final class Serials {

    private Serials() {}

    /** Whether {@code a} is greater than {@code b} in serial-number arithmetic (undefined halfway: false). */
    public static boolean greater(long a, long b) {
        long d = (a - b) & 0xFFFFFFFFL;
        return d != 0 && d < 0x80000000L;
    }

    /** {@code s + 1} modulo 2^32. */
    public static long next(long s) {
        return (s + 1) & 0xFFFFFFFFL;
    }
}

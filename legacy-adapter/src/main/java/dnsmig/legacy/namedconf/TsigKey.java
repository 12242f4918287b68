package dnsmig.legacy.namedconf;

import java.security.MessageDigest;
import java.util.Objects;

/**
 * A {@code key} statement: a TSIG key shared with BIND.
 *
 * <p>The secret is copied in and out, compared in constant time, and never part of
 * {@link #toString()}.
 *
 * @param name      the key name as written (BIND compares key names ignoring case and a trailing dot)
 * @param algorithm the algorithm as written, lower-cased, e.g. {@code hmac-sha256} or
 *                  {@code hmac-sha256-128} (truncated to 128 bits)
 * @param secret    the decoded secret
 */
public record TsigKey(String name, String algorithm, byte[] secret) {

    public TsigKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(algorithm, "algorithm");
        secret = Objects.requireNonNull(secret, "secret").clone();
    }

    /** A copy of the decoded secret. */
    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TsigKey other
                && name.equals(other.name)
                && algorithm.equals(other.algorithm)
                && MessageDigest.isEqual(secret, other.secret);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, algorithm);
    }

    @Override
    public String toString() {
        return "TsigKey[name=" + name + ", algorithm=" + algorithm + ", secret=(redacted)]";
    }
}

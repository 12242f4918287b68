package dnsmig.convert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * Runs BIND's named-compilezone at test time, never resolving names ({@code -i none -k ignore -n
 * ignore}: no integrity or NS/MX lookups through the system resolver). The zone is written in
 * BIND's raw format, so the records BIND loaded are compared in wire form without any
 * presentation-format parser in between.
 */
final class Bind {
  private Bind() {}

  /** Exit status, the records BIND wrote (empty unless exit == 0), its messages. */
  record Output(int exit, List<Record> records, String messages) {}

  static final String TOOL = "named-compilezone";

  static Path tool() {
    for (String dir : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin")) {
      Path p = Path.of(dir, TOOL);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException(
        TOOL + " (BIND 9) is missing: run the project's setup, or apt-get install bind9-utils");
  }

  /** {@code named-compilezone -i none -k ignore -n ignore -s full -F raw -o OUT ORIGIN FILE} run from {@code dir}. */
  static Output compile(Path dir, String origin, Path file) {
    Path out = null;
    Path log = null;
    try {
      out = Files.createTempFile("bind-", ".raw");
      log = Files.createTempFile("bind-", ".log");
      Files.delete(out);
      List<String> cmd = new ArrayList<>(List.of(tool().toString(), "-i", "none", "-k", "ignore", "-n", "ignore", "-s", "full", "-F", "raw", "-o", out.toString(), origin, file.toString()));
      Process p =
          new ProcessBuilder(cmd)
              .directory(dir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(TOOL + " timed out on " + file);
      }
      String messages = Files.readString(log, StandardCharsets.ISO_8859_1);
      List<Record> records = p.exitValue() == 0 && Files.exists(out) ? readRaw(Files.readAllBytes(out)) : List.of();
      return new Output(p.exitValue(), records, messages);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(log);
    }
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // a temp file left behind is harmless
      }
    }
  }

  /** BIND's raw master format: a header, then rdatasets with wire-form owner and rdata. */
  static List<Record> readRaw(byte[] raw) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(raw);
    int format = b.getInt();
    int version = b.getInt();
    if (format != 2) {
      throw new IOException("not BIND raw format: " + format);
    }
    b.getInt(); // dump time
    if (version >= 1) {
      b.getInt(); // flags
      b.getInt(); // source serial
      b.getInt(); // last transfer-in
    }
    List<Record> out = new ArrayList<>();
    while (b.remaining() > 0) {
      int start = b.position();
      long total = Integer.toUnsignedLong(b.getInt());
      int dclass = Short.toUnsignedInt(b.getShort());
      int type = Short.toUnsignedInt(b.getShort());
      b.getShort(); // covers
      long ttl = Integer.toUnsignedLong(b.getInt());
      long count = Integer.toUnsignedLong(b.getInt());
      int nameLen = Short.toUnsignedInt(b.getShort());
      byte[] nameWire = new byte[nameLen];
      b.get(nameWire);
      Name name = new Name(nameWire);
      for (long i = 0; i < count; i++) {
        int len = Short.toUnsignedInt(b.getShort());
        byte[] rdata = new byte[len];
        b.get(rdata);
        out.add(Record.newRecord(name, type, dclass, ttl, rdata));
      }
      if (b.position() != start + total) {
        throw new IOException("raw rdataset length mismatch at " + start);
      }
    }
    return out;
  }
}

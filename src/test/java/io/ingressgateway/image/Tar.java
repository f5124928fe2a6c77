package io.ingressgateway.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Just enough of the tar format (POSIX ustar, with the PAX and GNU long-name extensions on reading) for the container
 * image tests: writing the stand-in base image, and reading the image Jib writes and its layers, all in memory (they
 * are a few hundred KB, and the dependencies layer tens of MB, read once).
 */
final class Tar {

    private static final int BLOCK = 512;

    /**
     * One member of an archive: its path as written (no leading slash, directories ending with {@code /}), and its
     * content unless reading left it out (then empty, {@code size} still the member's).
     */
    record Entry(String path, char type, int mode, long uid, long gid, long size, byte[] content) {

        static final char FILE = '0';
        static final char DIRECTORY = '5';

        static Entry file(String path, int mode, long uid, long gid, String content) {
            return file(path, mode, uid, gid, content.getBytes(StandardCharsets.UTF_8));
        }

        static Entry file(String path, int mode, long uid, long gid, byte[] content) {
            return new Entry(path, FILE, mode, uid, gid, content.length, content);
        }

        static Entry file(String path, byte[] content) {
            return file(path, 0644, 0, 0, content);
        }

        static Entry directory(String path, int mode, long uid, long gid) {
            return new Entry(path.endsWith("/") ? path : path + "/", DIRECTORY, mode, uid, gid, 0, new byte[0]);
        }

        boolean isDirectory() {
            return type == DIRECTORY;
        }

        String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    private Tar() {
    }

    /** A ustar archive of the entries, every time stamp 0 so that the same entries give the same bytes. */
    static byte[] write(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry entry : entries) {
            byte[] name = entry.path().getBytes(StandardCharsets.UTF_8);
            if (name.length > 100) {
                throw new IllegalArgumentException("name longer than ustar allows: " + entry.path());
            }
            byte[] header = new byte[BLOCK];
            System.arraycopy(name, 0, header, 0, name.length);
            octal(header, 100, 8, entry.mode());
            octal(header, 108, 8, entry.uid());
            octal(header, 116, 8, entry.gid());
            octal(header, 124, 12, entry.content().length);
            octal(header, 136, 12, 0);
            header[156] = (byte) entry.type();
            ascii(header, 257, "ustar\0");
            ascii(header, 263, "00");
            // The checksum is computed with its own field read as spaces.
            ascii(header, 148, "        ");
            long sum = 0;
            for (byte b : header) {
                sum += b & 0xff;
            }
            ascii(header, 148, String.format("%06o", sum) + "\0 ");
            out.writeBytes(header);
            out.writeBytes(entry.content());
            out.writeBytes(new byte[padding(entry.content().length)]);
        }
        out.writeBytes(new byte[2 * BLOCK]);
        return out.toByteArray();
    }

    /**
     * Every member of the archive read from {@code in}, in order, long names resolved; the content of members larger
     * than {@code keepUpTo} bytes is skipped, not kept.
     */
    static List<Entry> read(InputStream in, long keepUpTo) throws IOException {
        List<Entry> entries = new ArrayList<>();
        String longName = null;
        while (true) {
            byte[] header = in.readNBytes(BLOCK);
            if (header.length < BLOCK || isZero(header)) {
                return entries;
            }
            char type = (char) header[156];
            long size = number(header, 124, 12);
            boolean keep = size <= keepUpTo || type == 'x' || type == 'L';
            byte[] content = keep ? in.readNBytes(Math.toIntExact(size)) : new byte[0];
            if (keep && content.length < size) {
                throw new IOException("archive ends inside a member");
            }
            discard(in, (keep ? 0 : size) + padding(size));
            switch (type) {
                case 'x' -> longName = paxPath(content);
                case 'L' -> longName = new String(content, StandardCharsets.UTF_8).replace("\0", "");
                case 'g' -> { }
                default -> {
                    String name = longName != null ? longName : ustarName(header);
                    longName = null;
                    entries.add(new Entry(name, type == '\0' ? Entry.FILE : type, (int) number(header, 100, 8),
                            number(header, 108, 8), number(header, 116, 8), size, content));
                }
            }
        }
    }

    /** Reads and drops {@code count} bytes; unlike skip, a digesting stream underneath still sees them. */
    private static void discard(InputStream in, long count) throws IOException {
        byte[] buffer = new byte[8192];
        long left = count;
        while (left > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                throw new IOException("archive ends inside a member");
            }
            left -= read;
        }
    }

    private static String ustarName(byte[] header) {
        String name = string(header, 0, 100);
        String prefix = string(header, 257, 6).startsWith("ustar") ? string(header, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    /** The {@code path} record of a PAX extended header ("length key=value\n" records), or null. */
    private static String paxPath(byte[] content) {
        String records = new String(content, StandardCharsets.UTF_8);
        int at = 0;
        while (at < records.length()) {
            int space = records.indexOf(' ', at);
            int length = Integer.parseInt(records.substring(at, space));
            String record = records.substring(space + 1, at + length - 1);
            if (record.startsWith("path=")) {
                return record.substring("path=".length());
            }
            at += length;
        }
        return null;
    }

    private static long number(byte[] header, int offset, int length) {
        if ((header[offset] & 0x80) != 0) {
            // GNU base-256 for values too large for octal.
            long value = header[offset] & 0x7f;
            for (int i = 1; i < length; i++) {
                value = (value << 8) | (header[offset + i] & 0xff);
            }
            return value;
        }
        String text = string(header, offset, length).trim();
        return text.isEmpty() ? 0 : Long.parseLong(text, 8);
    }

    private static String string(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static void octal(byte[] header, int offset, int length, long value) {
        ascii(header, offset, String.format("%0" + (length - 1) + "o", value));
    }

    private static void ascii(byte[] header, int offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }

    private static int padding(long size) {
        return (int) ((BLOCK - size % BLOCK) % BLOCK);
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}

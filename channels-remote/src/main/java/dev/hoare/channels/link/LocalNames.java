package dev.hoare.channels.link;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Logical names of endpoints that are files on this machine ({@code fifo:orders},
 * {@code shm:prices}): the rule every such transport applies, and resolving a name or an
 * absolute path to a file. A name is 1-100 characters of {@code [A-Za-z0-9._-]} starting with
 * a letter or digit: no {@code /}, no {@code ..}, no NUL, so it can never leave its directory.
 */
public final class LocalNames {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private LocalNames() {
    }

    /** Where a transport keeps its named files. */
    @FunctionalInterface
    public interface Directory {
        /**
         * @return the directory (made if missing)
         * @throws IOException if it cannot be made or is refused
         */
        Path get() throws IOException;
    }

    /**
     * @param kind what is named, for the message ({@code "FIFO"})
     * @param name a logical name
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static void validate(String kind, String name) {
        if (name.indexOf('\0') >= 0 || name.contains("/") || name.contains("..") || !NAME.matcher(name).matches()) {
            String shown = name.length() > 40 ? name.substring(0, 40) + "..." : name;
            throw new IllegalArgumentException("invalid " + kind + " name '" + shown.replace("\0", "\\0") + "': use 1-100 of"
                    + " [A-Za-z0-9._-], starting with a letter or digit, without '..' (or give an absolute path)");
        }
    }

    /**
     * @param kind what is named, for messages
     * @param name a logical name, or an absolute path
     * @param directory where names live (asked only for a name)
     * @return the path itself (normalized), or the name in the directory
     * @throws IllegalArgumentException for an invalid name or a path with NUL (nothing is created)
     * @throws IOException if the directory cannot be made
     */
    public static Path resolve(String kind, String name, Directory directory) throws IOException {
        if (name.startsWith("/")) {
            if (name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(kind + " path contains NUL");
            }
            return Path.of(name).normalize();
        }
        validate(kind, name);
        return directory.get().resolve(name);
    }
}

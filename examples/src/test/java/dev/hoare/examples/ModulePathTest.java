package dev.hoare.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library on the module path, as a modular application uses it: the library's jars (each with
 * its {@code module-info.class}) and their dependencies go on {@code --module-path}; a user's module
 * ({@code src/test/resources/modcheck}) is compiled against them by javac and run. The compiler
 * also shows what the modules do not export: the in-process implementation and the wire format
 * are not visible to a user's module, while the API, the transport SPI and the link SPI are. (The
 * class path is what every other test uses, and the {@code hoare} jar.)
 *
 * <p>Needs the modules packaged ({@code verify}); under {@code test} alone the reactor hands over
 * class directories without descriptors, and this test is skipped, saying so.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ModulePathTest {
    private static String modulePath;

    @BeforeAll
    static void libraryJarsAreModules() throws IOException {
        List<String> jars = new ArrayList<>();
        boolean modular = true;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            boolean ours = entry.contains("channels-") || entry.contains("transport-");
            if (Files.isDirectory(p)) {
                modular &= !ours; // a library module as a class directory: not packaged
                continue;
            }
            if (ours) {
                try (JarFile jar = new JarFile(p.toFile())) {
                    modular &= jar.getEntry("module-info.class") != null || entry.contains("-tests");
                }
            }
            if (!entry.contains("-tests")) {
                jars.add(entry);
            }
        }
        Assumptions.assumeTrue(modular, "the library's modules are not packaged as jars here (run `verify`)");
        modulePath = String.join(File.pathSeparator, jars);
    }

    @Test
    void aModularApplicationUsesChannelsSelectReactorAndEveryTransport(@TempDir Path tmp) throws Exception {
        Path classes = compile(tmp, copyResources(tmp.resolve("src")));
        Path work = Files.createDirectories(tmp.resolve("work"));
        List<String> command = List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED,org.jnrproject.jffi",
                "--add-exports", "java.base/jdk.internal.misc=org.agrona", // Agrona (Aeron's), an automatic module here
                "--module-path", classes + File.pathSeparator + modulePath,
                "-m", "dev.hoare.modcheck/dev.hoare.modcheck.Main", work.toString());
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the modular application did not end within 60 s: " + out);
        assertEquals(0, p.exitValue(), "out:\n" + out + "\nerr:\n" + err.get(10, TimeUnit.SECONDS));
        assertTrue(out.contains("module dev.hoare.modcheck, channels in dev.hoare.channels"), out);
        for (String check : List.of("in-process: ok", "reactor: ok", "fifo: ok", "uds: ok", "shm: ok", "aeron: ok", "all checks passed")) {
            assertTrue(out.contains(check), check + " missing from:\n" + out);
        }
    }

    @Test
    void theInProcessImplementationAndTheWireFormatAreNotVisibleToAUsersModule(@TempDir Path tmp) throws Exception {
        for (String type : List.of("dev.hoare.channels.internal.Waiter", "dev.hoare.channels.internal.RingChannel",
                "dev.hoare.channels.wire.Frame")) {
            Compiled c = compileUse(tmp.resolve(type), type);
            assertNotEquals(0, c.exit, type + " compiled from a user's module");
            assertTrue(c.diagnostics.contains("is not visible") || c.diagnostics.contains("does not export"),
                    type + ": " + c.diagnostics);
        }
    }

    @Test
    void theApiAndBothSpisAreVisibleToAUsersModule(@TempDir Path tmp) throws Exception {
        for (String type : List.of("dev.hoare.channels.Select", "dev.hoare.channels.spi.ChannelTransport",
                "dev.hoare.channels.link.Link", "dev.hoare.channels.remote.StreamChannels",
                "dev.hoare.channels.uds.UnixChannels")) {
            Compiled c = compileUse(tmp.resolve(type), type);
            assertEquals(0, c.exit, type + ": " + c.diagnostics);
        }
    }

    /** Compiles a module {@code use} with one class that names {@code type}. */
    private static Compiled compileUse(Path dir, String type) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src/use"));
        Files.writeString(dir.resolve("src/module-info.java"),
                "module use { requires dev.hoare.channels.remote; requires dev.hoare.channels.uds; }\n");
        Files.writeString(src.resolve("Use.java"), "package use;\npublic class Use { " + type + " field; }\n");
        return javac("-d", dir.resolve("out").toString(), "--module-path", modulePath,
                dir.resolve("src/module-info.java").toString(), src.resolve("Use.java").toString());
    }

    private static Path compile(Path tmp, List<Path> sources) {
        Path out = tmp.resolve("classes");
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--module-path", modulePath));
        sources.forEach(s -> args.add(s.toString()));
        Compiled c = javac(args.toArray(String[]::new));
        assertEquals(0, c.exit, c.diagnostics);
        return out;
    }

    private static List<Path> copyResources(Path to) throws IOException {
        List<Path> written = new ArrayList<>();
        for (String name : List.of("module-info.java", "dev/hoare/modcheck/Main.java")) {
            try (InputStream in = ModulePathTest.class.getResourceAsStream("/modcheck/" + name)) {
                Path target = to.resolve(name);
                Files.createDirectories(target.getParent());
                Files.copy(in, target);
                written.add(target);
            }
        }
        return written;
    }

    private record Compiled(int exit, String diagnostics) {
    }

    private static Compiled javac(String... args) {
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        int exit = javac.run(ps, ps, args);
        return new Compiled(exit, buffer.toString(StandardCharsets.UTF_8)
                + "\n(javac " + Arrays.stream(args).collect(Collectors.joining(" ")) + ")");
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

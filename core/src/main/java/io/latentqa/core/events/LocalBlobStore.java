package io.latentqa.core.events;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

/**
 * A {@link BlobStore} on a local directory: blob {@code key} is the file {@code root/key}, its URI the
 * file's {@code file:} URI. Writes go to a temporary file first and are moved into place, so a reader never
 * sees half a blob. {@link #get} refuses URIs outside the root.
 */
public final class LocalBlobStore implements BlobStore {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");

    private final Path root;

    /** A store on {@code root}; the directory is created if missing. */
    public LocalBlobStore(Path root) throws IOException {
        this.root = Files.createDirectories(root).toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public URI put(String key, byte[] bytes) throws IOException {
        if (key == null || !KEY.matcher(key).matches() || key.contains("..")) {
            throw new IllegalArgumentException("blob key '" + key
                    + "' must be a relative name of letters, digits, '.', '_', '-' and '/' without '..'");
        }
        Path target = root.resolve(key).normalize();
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), ".blob-", ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target.toUri();
    }

    @Override
    public byte[] get(URI uri) throws IOException {
        if (uri == null || !"file".equals(uri.getScheme())) {
            throw new IllegalArgumentException("local blob store reads file: URIs only, got " + uri);
        }
        Path path = Path.of(uri).toAbsolutePath().normalize();
        if (!path.startsWith(root)) {
            throw new IllegalArgumentException("blob " + uri + " lies outside this store's directory " + root);
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException("blob " + uri + " does not exist (was the blob store directory cleaned?)");
        }
        return Files.readAllBytes(path);
    }
}

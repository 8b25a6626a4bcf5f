package org.jdask.serialize;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.jdask.SerializationException;

/** The java.io fallback, read back through an {@link ObjectInputFilter} enforcing {@link ClassPolicy}. */
final class JavaSerialization {
    private JavaSerialization() {}

    static byte[] encode(byte tag, Object v) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(tag);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(v);
        }
        return bytes.toByteArray();
    }

    static Object decode(byte[] frame, int offset, ClassPolicy policy, ClassLoader loader) {
        String[] refused = new String[1];
        try (ObjectInputStream in = new LoaderInputStream(new ByteArrayInputStream(frame, offset, frame.length - offset), loader)) {
            in.setObjectInputFilter(info -> {
                Class<?> c = info.serialClass();
                if (c == null) return ObjectInputFilter.Status.UNDECIDED;
                if (policy.allowed(c.getName(), loader)) return ObjectInputFilter.Status.ALLOWED;
                refused[0] = c.getName();
                return ObjectInputFilter.Status.REJECTED;
            });
            return in.readObject();
        } catch (InvalidClassException e) {
            if (refused[0] != null) throw ClassPolicy.refused(refused[0]);
            throw Codecs.corrupt("java serialization frame: " + e, e);
        } catch (ClassNotFoundException e) {
            throw new SerializationException(null, e.getMessage(), null, "class not found through " + loader, e);
        } catch (IOException | RuntimeException e) {
            if (refused[0] != null) throw ClassPolicy.refused(refused[0]);
            throw Codecs.corrupt("java serialization frame: " + e, e);
        }
    }

    /** Resolves classes through the given loader (a per-client loader of shipped code) first. */
    private static final class LoaderInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderInputStream(java.io.InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(java.io.ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }
    }
}

package org.jdask.distributed;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdask.Config;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One cluster and one client shared by every test of a class, the test fixture of the cluster
 * tests: register it as a static field,
 * <pre>{@code
 * @RegisterExtension
 * static final SharedCluster SHARED = new SharedCluster(LocalCluster.builder().workers(2).processes(false));
 * static LocalCluster cluster;
 * static Client client;
 * }</pre>
 * and before the class's {@code @BeforeAll} methods it sets any config properties given with
 * {@link #property}, builds the cluster, connects a client and puts them into the class's static
 * fields of type {@link LocalCluster} and {@link Client} (like JUnit's {@code @TempDir}). After the
 * class it closes the client, then the cluster, then clears the properties.
 */
public final class SharedCluster implements BeforeAllCallback, AfterAllCallback {
    private final LocalCluster.Builder builder;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private LocalCluster cluster;
    private Client client;

    public SharedCluster(LocalCluster.Builder builder) {
        this.builder = builder;
    }

    /** Sets system property {@code name} (and refreshes {@link Config}) before the cluster starts; cleared after the class. */
    public SharedCluster property(String name, String value) {
        properties.put(name, value);
        return this;
    }

    public LocalCluster cluster() {
        return cluster;
    }

    public Client client() {
        return client;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        if (!properties.isEmpty()) {
            properties.forEach(System::setProperty);
            Config.refresh();
        }
        cluster = builder.build();
        client = Client.connect(cluster);
        for (Field f : context.getRequiredTestClass().getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers())) continue;
            Object value = f.getType() == LocalCluster.class ? cluster : f.getType() == Client.class ? client : null;
            if (value == null) continue;
            f.setAccessible(true);
            f.set(null, value);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (client != null) client.close();
        } finally {
            try {
                if (cluster != null) cluster.close();
            } finally {
                if (!properties.isEmpty()) {
                    properties.keySet().forEach(System::clearProperty);
                    Config.refresh();
                }
            }
        }
    }
}

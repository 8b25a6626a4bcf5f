package org.jdask.serialize;

import java.util.ArrayList;
import java.util.List;
import org.apache.fory.Fory;
import org.apache.fory.context.ReadContext;
import org.apache.fory.context.WriteContext;
import org.apache.fory.resolver.TypeResolver;
import org.apache.fory.serializer.ObjectSerializer;
import org.apache.fory.serializer.Serializer;
import org.jdask.fn.FnN;
import org.jdask.fn.Fns;
import org.jdask.graph.Alias;
import org.jdask.graph.DataNode;
import org.jdask.graph.Key;
import org.jdask.graph.Task;

/**
 * jdask's own classes that travel in every task frame ({@link Task}, its dependencies' {@link Key}s
 * and the {@link Fns} adapters around user functions) get Fory's reflective {@link
 * ObjectSerializer} instead of a generated one.
 *
 * <p>Why (issue 16's first start-up, issue 17's cold start): with code generation on, the first
 * value of a class starts a Janino compile of its serializer on Fory's JIT thread, and that compile
 * holds the Fory instance's JIT lock ({@code JITContext.lock}) while it generates code; the next
 * {@code serialize}/{@code deserialize} on the same instance waits for it. In a fresh JVM that is
 * hundreds of milliseconds of interpreted Janino: a client's first {@code submit} then waited for
 * it when decoding the first result, and a fresh worker when encoding its first result (a
 * class-load log of {@code Runner startups}' first start-up showed ~380 Janino classes loaded in
 * both). A reflective serializer for these few small objects (a function reference, an argument
 * array, dependency keys) costs about the same per task and needs no compile. Both ends register
 * the same serializers, so the frames are the same whichever JVM writes them. Values (user
 * classes) keep generated serializers. {@link Task} itself has a hand-written one ({@code
 * TaskWire}: its function and arguments only).
 */
final class WireTypes {
    private WireTypes() {}

    /**
     * jdask's own task functions that are not public classes, by name: {@code Delayed}'s list and
     * item functions (W1's fan-in made both the client and a worker generate {@code ListOf}'s
     * serializer) and the optimizer's fused chains. A missing one is a renamed class:
     * WireTypesTest names it.
     */
    static final List<String> FUNCTION_CLASSES = List.of("org.jdask.Delayed$ListOf", "org.jdask.Delayed$GetItem", "org.jdask.Delayed$Finish",
            "org.jdask.graph.FusedFn");

    /**
     * The classes registered, in registration order: every {@link Fns#adapterTypes} class, {@link
     * Task}, {@link Key} (a task's dependencies), the graph's other nodes ({@link DataNode}, {@link
     * Alias}) and the {@link #FUNCTION_CLASSES}.
     */
    static List<Class<?>> types() {
        List<Class<?>> t = new ArrayList<>(Fns.adapterTypes());
        t.add(Task.class);
        t.add(Key.class);
        t.add(DataNode.class);
        t.add(Alias.class);
        for (String name : FUNCTION_CLASSES) {
            try {
                t.add(Class.forName(name, false, WireTypes.class.getClassLoader()));
            } catch (ClassNotFoundException e) {
                // every JVM must register the same list in the same order (type ids): no silent skip
                throw new IllegalStateException("jdask's wire type " + name + " is missing (renamed?): update WireTypes.FUNCTION_CLASSES", e);
            }
        }
        return t;
    }

    private static final List<Class<?>> TYPES = types();

    /**
     * Registers the classes on {@code fory} as types with their own serializer, before any other
     * registration (every JVM registers them first, in this order, so their type ids agree). As
     * registered types they are also read with that serializer: a plain class is read in Fory's
     * compatible mode through a serializer generated from the writer's field list, another compile.
     * Each serializer is built when its class is first written or read.
     */
    static void registerWith(Fory fory) {
        for (Class<?> c : TYPES) fory.registerSerializerAndType(c, c == Task.class ? TaskWire::new : r -> new Lazy(r, c));
        fory.registerSerializerAndType(FnFrame.class, FnFrame.Wire::new); // a map's function, as its own frame (issue 17)
    }

    /** Fory's reflective serializer for one class, built on first use (nothing for a JVM that never sees a task). */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final class Lazy extends Serializer {
        private final TypeResolver resolver;
        private volatile ObjectSerializer delegate;

        Lazy(TypeResolver resolver, Class<?> type) {
            super(resolver.getConfig(), type);
            this.resolver = resolver;
        }

        private ObjectSerializer delegate() {
            ObjectSerializer d = delegate;
            if (d == null) delegate = d = new ObjectSerializer(resolver, type);
            return d;
        }

        @Override
        public void write(WriteContext ctx, Object value) {
            delegate().write(ctx, value);
        }

        @Override
        public Object read(ReadContext ctx) {
            return delegate().read(ctx);
        }
    }

    /**
     * A {@link Task} as its function and its arguments only; its dependencies and its mask of
     * arguments to substitute are found again from the arguments when it is read ({@link
     * Task#ofArray}, as when it was built). Written by hand, not by Fory's reflective serializer:
     * that one walked four fields per task with their type information (a fresh client's {@code
     * map} of 10,000 spent about half of its {@code submit} encoding tasks, a sampled profile at load
     * ~9, a hint), and sent the keys twice (as arguments and as dependencies).
     */
    @SuppressWarnings("rawtypes")
    private static final class TaskWire extends Serializer {
        TaskWire(TypeResolver resolver) {
            super(resolver.getConfig(), Task.class);
        }

        @Override
        public void write(WriteContext ctx, Object value) {
            Task t = (Task) value;
            ctx.writeRef(t.function());
            int n = t.argCount();
            ctx.getBuffer().writeVarUInt32(n);
            for (int i = 0; i < n; i++) ctx.writeRef(t.arg(i));
        }

        @Override
        public Object read(ReadContext ctx) {
            Object f = ctx.readRef();
            if (!(f instanceof FnN fn)) throw new IllegalStateException("a task frame's function is a " + (f == null ? "null" : f.getClass().getName()));
            int n = ctx.getBuffer().readVarUInt32();
            if (n < 0 || n > ctx.getBuffer().remaining()) throw new IllegalStateException("a task frame says " + n + " arguments");
            Object[] args = new Object[n];
            for (int i = 0; i < n; i++) args[i] = ctx.readRef();
            return Task.ofArray(fn, args);
        }
    }
}

package org.jdask.schedulers.processes;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The wire format between the parent and a worker JVM: a stream of operations over one loopback
 * TCP connection, each an opcode byte followed by big-endian ints/longs and length-prefixed
 * {@link org.jdask.serialize.Codecs} frames. Neither side waits for a reply per operation: the
 * parent writes a batch and flushes; the worker handles every operation it has, then flushes its
 * replies before it blocks reading, or once 1 ms of work has passed since the last flush (so
 * replies of short tasks are batched, and a slow task is reported as soon as it ends).
 *
 * <pre>
 * parent → worker
 *   BEGIN  run:int size:int config:frame        new run: clear the value table (size slots), apply config
 *   FN     fn:int function:frame                 a function used by later RUN operations of this run
 *   PUT    id:int value:frame                    an input value (kept until RELEASE or the next BEGIN)
 *   PUT_FILE id:int path:utf                     the same, the frame being the whole file (shared memory)
 *   RUN    id:int flags:byte fn:int n:int arg*   call fn; arg = ARG_DEP id:int | ARG_INT int | ARG_LONG long
 *                                                | ARG_DOUBLE double | ARG_STRING utf | ARG_NULL | ARG_TRUE | ARG_FALSE
 *   TASK   id:int flags:byte task:frame n:int id*  a whole Task (nested arguments); ids align with its dependencies
 *   ALIAS  id:int flags:byte target:int
 *   FETCH  id:int                                send the value back (DATA)
 *   RELEASE id:int                               forget a value
 *   SHUTDOWN
 * worker → parent
 *   HELLO  slot:int pid:long token:long
 *   READY  run:int                               BEGIN was applied: later replies belong to this run
 *   DONE   id:int nanos:long has:byte [value:frame]   (the value when flags had RETURN)
 *   DATA   id:int value:frame
 *   FAILED id:int kind:byte payload              TASK: error:frame-or-fallback; RESULT/FETCH: class:utf detail:utf; INPUT: -
 *   SKIPPED id:int                               not run: an input is missing after an earlier failure
 *   MEMORY paused:byte                           past distributed.worker.memory.pause (1: send no new task) or back under (0)
 * </pre>
 */
final class Protocol {
    private Protocol() {}

    // parent -> worker
    static final byte BEGIN = 1, FN = 2, PUT = 3, RUN = 4, TASK = 5, ALIAS = 6, FETCH = 7, RELEASE = 8, SHUTDOWN = 9,
            PUT_FILE = 10;
    // worker -> parent
    static final byte HELLO = 20, READY = 21, DONE = 22, DATA = 23, FAILED = 24, SKIPPED = 25, MEMORY = 26;

    /** RUN/TASK/ALIAS flag: send the result back with DONE. */
    static final byte RETURN = 1;

    static final byte ARG_DEP = 1, ARG_INT = 2, ARG_LONG = 3, ARG_DOUBLE = 4, ARG_STRING = 5, ARG_NULL = 6, ARG_TRUE = 7,
            ARG_FALSE = 8;

    /**
     * FAILED kinds: the task threw; its result could not be encoded for DONE; a FETCHed value could
     * not be encoded; a FETCHed value is not in the table. The first two end a task (it leaves the
     * worker's queue), the last two answer a FETCH.
     */
    static final byte FAIL_TASK = 1, FAIL_RESULT = 2, FAIL_FETCH = 3, FAIL_INPUT = 4;

    /** FAIL_TASK payload: the Throwable as a frame, or (when it cannot be encoded) type, message and stack. */
    static final byte ERROR_FRAME = 1, ERROR_FALLBACK = 2;

    static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) throw new IOException("negative frame length " + n);
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** A literal argument the RUN fast path can write without a codec, or false. */
    static boolean simple(Object a) {
        return a == null || a instanceof Integer || a instanceof Long || a instanceof Double || a instanceof Boolean
                || a instanceof String s && s.length() < 16_000;
    }

    static void writeSimple(DataOutputStream out, Object a) throws IOException {
        if (a == null) out.writeByte(ARG_NULL);
        else if (a instanceof Integer i) {
            out.writeByte(ARG_INT);
            out.writeInt(i);
        } else if (a instanceof Long l) {
            out.writeByte(ARG_LONG);
            out.writeLong(l);
        } else if (a instanceof Double d) {
            out.writeByte(ARG_DOUBLE);
            out.writeDouble(d);
        } else if (a instanceof Boolean b) {
            out.writeByte(b ? ARG_TRUE : ARG_FALSE);
        } else {
            out.writeByte(ARG_STRING);
            out.writeUTF((String) a);
        }
    }
}

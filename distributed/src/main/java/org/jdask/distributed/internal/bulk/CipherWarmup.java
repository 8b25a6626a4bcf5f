package org.jdask.distributed.internal.bulk;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdask.distributed.internal.OnceThread;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Gets the JDK's AES-GCM compiled before the secured bulk channel needs it. In a fresh JVM,
 * sealing or opening 1 MiB records runs at ~100-140 MB/s until C2 compiles the cipher's loops
 * (and uses the AES-NI / carry-less-multiply intrinsics): measured here, the first 100 MiB took
 * 0.76 s to open and ~1 s to seal, then 2.5-3.5 GB/s. The calls that count towards compilation are
 * whole records, so a fresh worker receiving a scatter spent most of its first second in
 * interpreted GHASH code (issue 17: secured scatter 0.29 GB/s). Sealing and opening 2,000 small
 * records (16 KiB, random key: nothing secret is involved) triggers the same compilations in
 * ~0.3 s of CPU, after which 1 MiB records run at full speed.
 *
 * <p>It runs once per JVM, on a daemon thread, when something first needs the cipher: a secured
 * worker's bulk port at start-up (it then idles until work arrives), a client's first secured
 * connection. A link that seals before the warm-up finished is correct, only slower.
 */
final class CipherWarmup {
    private static final OnceThread THREAD = new OnceThread("jdask-bulk-cipher-warmup", Thread.MIN_PRIORITY, CipherWarmup::run);
    private static final CountDownLatch DONE = new CountDownLatch(1);
    /** Records of this size, sealed then opened, this many times. */
    static final int RECORD = 16 << 10, ROUNDS = 1000;

    private CipherWarmup() {}

    /** Starts the warm-up on a daemon thread, once per JVM; later calls do nothing. */
    static void start() {
        THREAD.start();
    }

    /** Waits at most {@code ms} for the warm-up (tests, benchmarks); whether it finished. */
    static boolean await(long ms) throws InterruptedException {
        return DONE.await(ms, TimeUnit.MILLISECONDS);
    }

    private static void run() {
        try {
            byte[] k = new byte[32];
            new Random().nextBytes(k); // not a secret: it never seals anything but zeros
            SecretKeySpec key = new SecretKeySpec(k, "AES");
            Cipher seal = Cipher.getInstance("AES/GCM/NoPadding"), open = Cipher.getInstance("AES/GCM/NoPadding");
            ByteBuffer plain = ByteBuffer.allocateDirect(RECORD), sealed = ByteBuffer.allocateDirect(RECORD + 16),
                    opened = ByteBuffer.allocateDirect(RECORD + 16);
            byte[] iv = new byte[12];
            for (int i = 0; i < ROUNDS; i++) {
                ByteBuffer.wrap(iv).putInt(0, 2).putLong(4, i); // a fresh nonce per record, as on a link
                GCMParameterSpec spec = new GCMParameterSpec(128, iv);
                seal.init(Cipher.ENCRYPT_MODE, key, spec);
                plain.clear();
                sealed.clear();
                seal.doFinal(plain, sealed);
                sealed.flip();
                open.init(Cipher.DECRYPT_MODE, key, spec);
                opened.clear();
                open.doFinal(sealed, opened);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            // only a warm-up: a link that cannot seal says why itself
        } finally {
            DONE.countDown();
        }
    }
}

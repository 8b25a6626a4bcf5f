package org.jdask.distributed;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jdask.fn.Fn1;

/**
 * A second client, in a JVM of its own (its own code server), for {@link ClientCodeOnWorkersTest}:
 * {@code OtherClientMain SCHEDULER KEYS WORKER CLASS} runs {@code CLASS.TEXT} (an {@code Fn1<Integer,
 * String>} from this JVM's class path) on worker {@code WORKER} and prints {@code RESULT <value>}.
 */
public final class OtherClientMain {
    private OtherClientMain() {}

    public static void main(String[] a) throws Exception {
        try (Client c = Client.connect(a[0], Security.load(Path.of(a[1])))) {
            @SuppressWarnings("unchecked")
            Fn1<Integer, String> text = (Fn1<Integer, String>) Class.forName(a[3]).getField("TEXT").get(null);
            System.out.println("RESULT " + c.submit(text, 5, SubmitOptions.pure(false).workers(Set.of(a[2]))).result(120, TimeUnit.SECONDS));
        }
    }
}

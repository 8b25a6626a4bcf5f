package org.jdask.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link W5#find} answers like the Dask tutorial's split-based predicate on every kind of line. */
class W5FindTest {
    /** The tutorial's predicate, transcribed: split on ' ', >= 6 fields, field 2 "en", field 3 contains "Obama". */
    static boolean oracle(String line) {
        String[] v = line.split(" ", -1);
        return v.length >= 6 && v[3].contains("Obama") && v[2].equals("en");
    }

    @Test
    void agreesWithTheSplitPredicate() {
        List<String> lines = List.of("20081022 000000 en Barack_Obama 997 123091092\n", "20081022 000000 de Barack_Obama 997 1\n",
                "20081022 000000 en Barack_Obama 997\n", "20081022 000000 en Main_Page 5 Obama\n", "20081022 000000 en Obama 1 2",
                "20081022 000000 en.d Obama 1 2\n", "20081022  en Obama 1 2 3\n", "Obama\n", "", "20081022 000000 en Obam 1 2\n",
                "20081022 000000 en x_Obama_y 1 2 3 4\n", "a b en Obama c \n", "a b en Obama c\n", "a b en Obama  \n");
        for (String l : lines) assertEquals(oracle(l), W5.find(l), l);
    }
}

package org.jdask.dataframe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.columns.strings.NullDictionaryMap;

/**
 * Columns built from a dictionary and codes (or merged by remapping codes) against the same rows
 * appended one string at a time: values, missing values ("" is missing in Tablesaw), counts,
 * uniques, filters, and appending more rows afterwards; dictionaries of 3, 300 and 70,000 values
 * (Tablesaw's byte, short and int maps).
 */
class DictStringsTest {
    static String[] dictionary(int size, Random r) {
        String[] d = new String[size];
        for (int i = 0; i < size; i++) d[i] = i == 1 ? "" : i == 2 ? null : (i % 5 == 0 ? "ü€" : "k") + i;
        return d;
    }

    static void assertSame(StringColumn expect, StringColumn got) {
        assertEquals(expect.size(), got.size());
        for (int i = 0; i < expect.size(); i++) {
            assertEquals(expect.get(i), got.get(i), "row " + i);
            assertEquals(expect.isMissing(i), got.isMissing(i), "missing at row " + i);
        }
        assertEquals(expect.countMissing(), got.countMissing());
        assertEquals(expect.countUnique(), got.countUnique());
        assertEquals(expect.unique().asSet(), got.unique().asSet());
        if (!(expect.getDictionary() instanceof NullDictionaryMap)) { // Tablesaw turned the appended one into plain text
            assertEquals(expect.countByCategory().sortOn("Category").printAll(), got.countByCategory().sortOn("Category").printAll());
        }
        String probe = expect.isEmpty() ? "k3" : expect.get(expect.size() / 2);
        assertEquals(expect.isEqualTo(probe).size(), got.isEqualTo(probe).size());
        // the built column keeps working as a Tablesaw column: new, known and missing values appended
        expect.append("brand-new").append(probe).appendMissing();
        got.append("brand-new").append(probe).appendMissing();
        for (int i = expect.size() - 3; i < expect.size(); i++) assertEquals(expect.get(i), got.get(i));
        assertEquals(expect.countUnique(), got.countUnique());
    }

    @Test
    void codesBuildTheSameColumnAsAppendingStrings() {
        Random r = new Random(18);
        for (int size : new int[] {3, 300, 70_000}) {
            String[] dict = dictionary(size, r);
            int n = size * 3;
            int[] codes = new int[n];
            StringColumn expect = StringColumn.create("s");
            for (int i = 0; i < n; i++) {
                codes[i] = r.nextInt(20) == 0 ? -1 : r.nextInt(size);
                String v = codes[i] < 0 ? null : dict[codes[i]];
                if (v == null) expect.appendMissing(); else expect.append(v);
            }
            assertSame(expect, DictStrings.column("s", dict, codes, n));
        }
        assertSame(StringColumn.create("s"), DictStrings.column("s", new String[] {"unused"}, new int[0], 0));
    }

    @Test
    void concatMergesDictionariesByRemappingCodes() {
        Random r = new Random(7);
        for (int size : new int[] {3, 200, 70_000}) {
            List<StringColumn> parts = new ArrayList<>();
            StringColumn expect = StringColumn.create("s");
            for (int p = 0; p < 4; p++) {
                StringColumn part = StringColumn.create("s");
                int n = p == 2 ? 0 : size;
                for (int i = 0; i < n; i++) {
                    String v = r.nextInt(15) == 0 ? null : "v" + r.nextInt(size) + (p % 2 == 0 ? "" : "é");
                    if (v == null) { part.appendMissing(); expect.appendMissing(); } else { part.append(v); expect.append(v); }
                }
                parts.add(part);
            }
            assertSame(expect, DictStrings.concat("s", parts));
        }
    }
}

package org.jdask.distributed.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The report page as a pure function of its data: escaping, per-function figures, an empty run. */
class ReportHtmlTest {
    static final CallerCode CODE = new CallerCode("a.B", "main", "B.java", 2, Optional.empty(), "");

    @Test
    void hostileKeysAndFunctionNamesAreEscapedInTheHtmlAndTheJson() {
        TaskRecord evil = new TaskRecord("</script><script>alert(1)</script>", "<b>f</b>", "tcp://w:1", 1, 1000, 1010, false);
        String html = ReportHtml.render(new ReportHtml.Data("tcp://s:1", 1000, 2000, List.of(evil), true, List.of(), CODE));
        assertFalse(html.contains("<script>alert"), "a key must not open a script element");
        assertFalse(html.contains("<b>f</b>"), "a function name must not become markup");
        assertTrue(html.contains("&lt;b&gt;f&lt;/b&gt;"));
        assertTrue(html.contains("\\u003c/script\\u003e"), "the inline JSON escapes <");
        assertEquals(1, html.split("<script", -1).length - 1, "only the report's own data element");
    }

    @Test
    void perFunctionFiguresCountFailuresAndDurations() {
        List<TaskRecord> ts = List.of(new TaskRecord("f-1", "f", "w", 1, 0, 10, false), new TaskRecord("f-2", "f", "w", 1, 10, 40, true),
                new TaskRecord("g-1", "g", "w", 2, 0, 5, false));
        List<ReportHtml.FunctionStats> s = ReportHtml.functionStats(ts);
        assertEquals(List.of(new ReportHtml.FunctionStats("f", 2, 1, 40, 30), new ReportHtml.FunctionStats("g", 1, 0, 5, 5)), s);
        assertEquals(20.0, s.get(0).meanMs());
    }

    @Test
    void aRunWithoutATaskStreamSaysWhy() {
        String html = ReportHtml.render(new ReportHtml.Data("tcp://s:1", 1000, 2000, List.of(), false, List.of(), CODE));
        assertTrue(html.contains("runs without a dashboard") && html.contains("data-count=\"0\""), html);
        assertTrue(html.contains("its source file was not found"));
    }
}

package org.jdask.dataframe;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Low-cardinality string columns written to Arrow IPC files as dictionaries (what pyarrow makes of
 * pandas categoricals): int32 codes plus one dictionary of the distinct values, each written once.
 * A column is encoded when it has at most half as many distinct values as rows (Tablesaw keeps it
 * dictionary-encoded in memory already). {@link ArrowTables#read} decodes each dictionary value once.
 */
final class ArrowDictionaries implements AutoCloseable {
    final Schema schema;
    final DictionaryProvider.MapDictionaryProvider provider = new DictionaryProvider.MapDictionaryProvider();
    private final List<FieldVector> vectors = new ArrayList<>();
    /** Per encoded column: value -> code. */
    private final Map<String, Map<String, Integer>> codes = new HashMap<>();

    ArrowDictionaries(Schema plain, Table t, BufferAllocator a) {
        List<Field> fields = new ArrayList<>();
        long id = 0;
        for (Field f : plain.getFields()) {
            if (t.column(f.getName()) instanceof StringColumn sc && sc.size() > 0 && 2L * sc.countUnique() <= sc.size()) {
                DictionaryEncoding enc = new DictionaryEncoding(id++, false, new ArrowType.Int(32, true));
                VarCharVector values = new VarCharVector(f.getName() + "-dictionary", a);
                vectors.add(values);
                Map<String, Integer> code = new HashMap<>();
                values.allocateNew();
                for (int i = 0; i < sc.size(); i++) {
                    if (sc.isMissing(i)) continue;
                    String s = sc.get(i);
                    if (code.putIfAbsent(s, code.size()) == null) values.setSafe(code.size() - 1, s.getBytes(StandardCharsets.UTF_8));
                }
                values.setValueCount(code.size());
                provider.put(new Dictionary(values, enc));
                codes.put(f.getName(), code);
                fields.add(new Field(f.getName(), new FieldType(true, new ArrowType.Int(32, true), enc), null));
            } else {
                fields.add(f);
            }
        }
        schema = new Schema(fields, plain.getCustomMetadata());
    }

    /** Fills the code vector of an encoded column; false when the column is not encoded. */
    boolean fill(StringColumn c, FieldVector v, int n) {
        Map<String, Integer> code = codes.get(c.name());
        if (code == null) return false;
        IntVector iv = (IntVector) v;
        for (int i = 0; i < n; i++) if (c.isMissing(i)) iv.setNull(i); else iv.set(i, code.get(c.get(i)));
        return true;
    }

    @Override
    public void close() {
        for (FieldVector v : vectors) v.close();
    }
}

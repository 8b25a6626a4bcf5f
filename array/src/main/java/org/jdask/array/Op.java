package org.jdask.array;

/** Elementwise and reduction operators of the kernels (internal). */
enum Op {
    ADD, SUB, MUL, DIV, POW, MAX, MIN, MOD,
    EQ, NE, LT, LE, GT, GE,
    AND, OR,
    NEG, ABS, SQRT, EXP, LOG, SIN, COS, TANH, FLOOR, CEIL, NOT, ISNAN,
    SUM, PROD;

    boolean comparison() {
        return this == EQ || this == NE || this == LT || this == LE || this == GT || this == GE;
    }

    boolean logical() {
        return this == AND || this == OR;
    }

    String numpyName() {
        return switch (this) {
            case ADD -> "add"; case SUB -> "subtract"; case MUL -> "multiply"; case DIV -> "true_divide";
            case POW -> "power"; case MAX -> "maximum"; case MIN -> "minimum"; case MOD -> "mod";
            case EQ -> "equal"; case NE -> "not_equal"; case LT -> "less"; case LE -> "less_equal";
            case GT -> "greater"; case GE -> "greater_equal"; case AND -> "logical_and"; case OR -> "logical_or";
            case NOT -> "logical_not";
            default -> name().toLowerCase();
        };
    }
}

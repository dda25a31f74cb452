package io.mallocscope.c;

import io.mallocscope.runtime.LibC;

import java.math.BigInteger;

/**
 * C's scanf conversions over a character source: {@code %d %i %u %x %o %c %s %p %n %%}, with
 * {@code hh h l ll z j t} and widths; whitespace in the format skips whitespace in the input.
 * Returns the number of assignments, or EOF (-1) when input ended before the first conversion.
 */
final class Scanf {
    private Scanf() {
    }

    /** Where scanf reads: stdin, or sscanf's string. */
    interface Source {
        /** The next byte (0–255), or -1 at the end. */
        int peek();

        void skip();
    }

    static long scan(String fmt, Source in, long[] args, int first, LibC mem) {
        int ai = first;
        int assigned = 0;
        int consumed = 0;
        boolean any = false;
        for (int i = 0; i < fmt.length(); i++) {
            char f = fmt.charAt(i);
            if (Character.isWhitespace(f)) {
                while (in.peek() >= 0 && Character.isWhitespace(in.peek())) {
                    in.skip();
                    consumed++;
                }
                continue;
            }
            if (f != '%' || i + 1 < fmt.length() && fmt.charAt(i + 1) == '%') {
                if (f == '%') {
                    i++;
                }
                if (in.peek() != f) {
                    return in.peek() < 0 && !any ? -1 : assigned;
                }
                in.skip();
                consumed++;
                continue;
            }
            i++;
            boolean suppress = false;
            if (i < fmt.length() && fmt.charAt(i) == '*') {
                suppress = true;
                i++;
            }
            int width = 0;
            while (i < fmt.length() && Character.isDigit(fmt.charAt(i))) {
                width = width * 10 + (fmt.charAt(i++) - '0');
            }
            int size = 4;
            while (i < fmt.length() && "hlzjtLq".indexOf(fmt.charAt(i)) >= 0) {
                char m = fmt.charAt(i++);
                if (m == 'h') {
                    size = size == 2 ? 1 : 2;
                } else {
                    size = 8;
                }
            }
            if (i >= fmt.length()) {
                break;
            }
            char conv = fmt.charAt(i);
            if (conv == 'n') {
                if (!suppress) {
                    mem.putInt(args[ai++], consumed);
                }
                continue;
            }
            if (conv != 'c') {
                while (in.peek() >= 0 && Character.isWhitespace(in.peek())) {
                    in.skip();
                    consumed++;
                }
            }
            if (in.peek() < 0) {
                return any ? assigned : -1;
            }
            any = true;
            int max = width > 0 ? width : Integer.MAX_VALUE;
            switch (conv) {
                case 'c' -> {
                    int n = width > 0 ? width : 1;
                    long dst = suppress ? 0 : args[ai++];
                    for (int k = 0; k < n && in.peek() >= 0; k++) {
                        if (!suppress) {
                            mem.putByte(dst + k, in.peek());
                        }
                        in.skip();
                        consumed++;
                    }
                    if (!suppress) {
                        assigned++;
                    }
                }
                case 's' -> {
                    long dst = suppress ? 0 : args[ai++];
                    int k = 0;
                    while (k < max && in.peek() >= 0 && !Character.isWhitespace(in.peek())) {
                        if (!suppress) {
                            mem.putByte(dst + k, in.peek());
                        }
                        in.skip();
                        consumed++;
                        k++;
                    }
                    if (!suppress) {
                        mem.putByte(dst + k, 0);
                        assigned++;
                    }
                }
                case 'd', 'i', 'u', 'x', 'X', 'o', 'p' -> {
                    int base = switch (conv) {
                        case 'x', 'X', 'p' -> 16;
                        case 'o' -> 8;
                        case 'i' -> 0;
                        default -> 10;
                    };
                    StringBuilder digits = new StringBuilder();
                    int k = 0;
                    if ((in.peek() == '-' || in.peek() == '+') && k < max) {
                        digits.append((char) in.peek());
                        in.skip();
                        consumed++;
                        k++;
                    }
                    if ((base == 16 || base == 0) && in.peek() == '0' && k < max) {
                        in.skip();
                        consumed++;
                        k++;
                        if ((in.peek() == 'x' || in.peek() == 'X') && k < max) {
                            in.skip();
                            consumed++;
                            k++;
                            base = 16;
                        } else {
                            digits.append('0');
                            if (base == 0) {
                                base = 8;
                            }
                        }
                    }
                    if (base == 0) {
                        base = 10;
                    }
                    while (k < max && in.peek() >= 0 && Character.digit(in.peek(), base) >= 0) {
                        digits.append((char) in.peek());
                        in.skip();
                        consumed++;
                        k++;
                    }
                    String d = digits.toString();
                    if (d.isEmpty() || d.equals("-") || d.equals("+")) {
                        return assigned;
                    }
                    long v = new BigInteger(d, base).longValue();
                    if (!suppress) {
                        long dst = args[ai++];
                        int width2 = conv == 'p' ? 8 : size;
                        switch (width2) {
                            case 1 -> mem.putByte(dst, (int) v);
                            case 2 -> mem.putShort(dst, (int) v);
                            case 4 -> mem.putInt(dst, (int) v);
                            default -> mem.putLong(dst, v);
                        }
                        assigned++;
                    }
                }
                default -> throw new UnsupportedAtRunTime("scanf conversion '%" + conv + "'");
            }
        }
        return assigned;
    }
}

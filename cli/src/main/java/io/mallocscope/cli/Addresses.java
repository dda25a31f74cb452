package io.mallocscope.cli;

import java.util.OptionalLong;

/** The one reader of an address a user types (an option, a parameter, explore's prompt): hex, {@code 0x} optional. */
public final class Addresses {
    private Addresses() {
    }

    /** {@code typed} as an address: 1 to 16 hex digits after an optional {@code 0x}; empty when it is not one. */
    public static OptionalLong parse(String typed) {
        String t = typed.strip();
        if (t.startsWith("0x") || t.startsWith("0X")) {
            t = t.substring(2);
        }
        if (t.isEmpty() || t.length() > 16) {
            return OptionalLong.empty();
        }
        for (int i = 0; i < t.length(); i++) {
            if (Character.digit(t.charAt(i), 16) < 0) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.of(Long.parseUnsignedLong(t, 16));
    }

    /** {@code typed} as the address {@code what} names, or a usage error: {@code WHAT: 'TYPED' is not a hex address}. */
    public static long parse(String what, String typed) {
        return parse(typed).orElseThrow(() -> UserError.usage(what + ": " + notOne(typed)));
    }

    /** What is said of something typed that {@link #parse(String)} does not read: {@code 'TYPED' is not a hex address}. */
    public static String notOne(String typed) {
        return "'" + typed + "' is not a hex address";
    }
}

package io.mallocscope.c;

/**
 * {@code long double} in memory as on x86-64: the x87 80-bit extended format (a 64-bit mantissa with
 * its integer bit, then sign and a 15-bit exponent biased by 16383) in the low 10 of its 16 bytes.
 * The front end computes with doubles: a value is stored exactly as the double it is, and a stored
 * value with more precision than a double loses its low mantissa bits when read.
 */
final class LongDouble {
    private LongDouble() {
    }

    private static final int BIAS = 16383;

    static long mantissa(double d) {
        long bits = Double.doubleToRawLongBits(d);
        int e = (int) ((bits >>> 52) & 0x7ff);
        long m = bits & ((1L << 52) - 1);
        if (e == 0x7ff) {
            return m == 0 ? 1L << 63 : (3L << 62) | (m << 11);
        }
        if (e == 0) {
            if (m == 0) {
                return 0;
            }
            int shift = Long.numberOfLeadingZeros(m) - 11; // normalise a subnormal double
            return (m << shift) << 11;
        }
        return (1L << 63) | (m << 11);
    }

    static int signExponent(double d) {
        long bits = Double.doubleToRawLongBits(d);
        int sign = (int) (bits >>> 63) << 15;
        int e = (int) ((bits >>> 52) & 0x7ff);
        long m = bits & ((1L << 52) - 1);
        if (e == 0x7ff) {
            return sign | 0x7fff;
        }
        if (e == 0) {
            if (m == 0) {
                return sign;
            }
            int shift = Long.numberOfLeadingZeros(m) - 11;
            return sign | (1 - 1023 - shift + BIAS);
        }
        return sign | (e - 1023 + BIAS);
    }

    static double toDouble(long mantissa, int signExponent) {
        boolean negative = (signExponent & 0x8000) != 0;
        int e = signExponent & 0x7fff;
        double d;
        if (e == 0x7fff) {
            d = (mantissa << 1) == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (mantissa == 0) {
            d = 0;
        } else {
            d = Math.scalb((double) (mantissa >>> 11), e - BIAS - 52);
        }
        return negative ? -d : d;
    }
}

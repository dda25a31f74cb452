package io.mallocscope.agent;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.TimeZone;

/**
 * The timeline header's start time, {@code ZonedDateTime.now().format(ISO_OFFSET_DATE_TIME)} to the
 * character ({@code 2026-12-02T10:21:32.597002396Z}, {@code …+05:30}), written without java.time's
 * zone rules: {@code ZoneId.systemDefault()} reads and indexes the JDK's whole time-zone database
 * (about 0.04 s of CPU at start-up, a fifth of what the agent costs a short program), where
 * {@link TimeZone#getDefault()}'s offset for the instant is the same number, read more cheaply.
 */
final class StartTime {
    private StartTime() {
    }

    /** Now, in the system's time zone. */
    static String now() {
        Instant t = Instant.now();
        long millis = t.getEpochSecond() * 1000 + t.getNano() / 1_000_000;
        return iso(t.getEpochSecond(), t.getNano(), TimeZone.getDefault().getOffset(millis) / 1000);
    }

    /**
     * The instant {@code epochSecond + nano} at UTC offset {@code offsetSeconds}, as
     * {@code ISO_OFFSET_DATE_TIME} writes it: the fraction without trailing zeros (none when 0), the
     * offset as {@code Z}, {@code +HH:MM} or {@code +HH:MM:SS}.
     */
    static String iso(long epochSecond, int nano, int offsetSeconds) {
        long local = epochSecond + offsetSeconds;
        long days = Math.floorDiv(local, 86_400);
        int secondOfDay = (int) Math.floorMod(local, 86_400);
        // the proleptic Gregorian date of a day count (days since 1970-01-01), by 400-year eras
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long mp = (5 * dayOfYear + 2) / 153;
        long day = dayOfYear - (153 * mp + 2) / 5 + 1;
        long month = mp < 10 ? mp + 3 : mp - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        if (year < 0 || year > 9999) { // signs and longer years: java.time's own rules
            return ZonedDateTime.ofInstant(Instant.ofEpochSecond(epochSecond, nano),
                    java.time.ZoneOffset.ofTotalSeconds(offsetSeconds)).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        }
        StringBuilder b = new StringBuilder(40);
        digits(b, year, 4).append('-');
        digits(b, month, 2).append('-');
        digits(b, day, 2).append('T');
        digits(b, secondOfDay / 3600, 2).append(':');
        digits(b, secondOfDay / 60 % 60, 2).append(':');
        digits(b, secondOfDay % 60, 2);
        if (nano > 0) {
            int end = 9;
            int n = nano;
            while (n % 10 == 0) {
                n /= 10;
                end--;
            }
            b.append('.');
            digits(b, n, end);
        }
        if (offsetSeconds == 0) {
            return b.append('Z').toString();
        }
        int abs = Math.abs(offsetSeconds);
        b.append(offsetSeconds < 0 ? '-' : '+');
        digits(b, abs / 3600, 2).append(':');
        digits(b, abs / 60 % 60, 2);
        if (abs % 60 != 0) {
            digits(b.append(':'), abs % 60, 2);
        }
        return b.toString();
    }

    private static StringBuilder digits(StringBuilder b, long value, int width) {
        String s = Long.toString(value);
        for (int i = s.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(s);
    }
}

package io.mallocscope.agent;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import java.util.TimeZone;

import static org.assertj.core.api.Assertions.assertThat;

/** The header's start time is what ZonedDateTime.now().format(ISO_OFFSET_DATE_TIME) wrote, to the character. */
class StartTimeTest {
    private static String javaTime(long second, int nano, String zone) {
        return ZonedDateTime.ofInstant(Instant.ofEpochSecond(second, nano), ZoneId.of(zone))
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    private static String ours(long second, int nano, String zone) {
        return StartTime.iso(second, nano, TimeZone.getTimeZone(zone).getOffset(second * 1000 + nano / 1_000_000) / 1000);
    }

    @Test
    void theSameTextAsJavaTimeInZonesOfEveryKindOfOffset() {
        String[] zones = {"UTC", "Etc/UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu",
                "America/St_Johns", "Pacific/Chatham", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Australia/Lord_Howe"};
        int[] nanos = {0, 1, 10, 100_000_000, 500_000_000, 597_002_396, 123_456_000, 999_999_999, 1000, 20_000};
        SplittableRandom random = new SplittableRandom(16);
        for (String zone : zones) {
            for (int i = 0; i < 2000; i++) {
                long second = random.nextLong(946_684_800L, 2_145_916_800L); // 2000 .. 2038
                int nano = i < nanos.length ? nanos[i] : random.nextInt(1_000_000_000);
                assertThat(ours(second, nano, zone)).as(zone + " " + second + " " + nano).isEqualTo(javaTime(second, nano, zone));
            }
        }
        // around the ends of months, leap days and the turn of centuries, at UTC
        for (long day = -800_000; day < 800_000; day += 97) {
            assertThat(StartTime.iso(day * 86_400 + 86_399, 0, 0)).isEqualTo(javaTime(day * 86_400 + 86_399, 0, "Z"));
        }
        assertThat(StartTime.iso(0, 0, 0)).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(StartTime.iso(1796206892L, 597_002_396, 0)).isEqualTo("2026-12-02T10:21:32.597002396Z");
        assertThat(StartTime.iso(1796206892L, 500_000_000, 19_800)).isEqualTo("2026-12-02T15:51:32.5+05:30");
        assertThat(StartTime.iso(0, 0, -(3 * 3600 + 30 * 60 + 7))).isEqualTo(javaTime(0, 0, "-03:30:07"));
    }

    @Test
    void nowIsNowInTheSystemZone() {
        Instant before = Instant.now();
        String now = StartTime.now();
        Instant after = Instant.now();
        Instant parsed = ZonedDateTime.parse(now, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        assertThat(parsed).isBetween(before, after);
        assertThat(now).isEqualTo(ZonedDateTime.ofInstant(parsed, ZoneId.systemDefault()).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    }
}

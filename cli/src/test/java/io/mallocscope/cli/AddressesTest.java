package io.mallocscope.cli;

import org.junit.jupiter.api.Test;

import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressesTest {
    @Test
    void hexWithOrWithoutItsPrefixUpTo16Digits() {
        assertThat(Addresses.parse("0x5555555592a0")).hasValue(0x5555555592a0L);
        assertThat(Addresses.parse(" 0X5555555592A0 ")).hasValue(0x5555555592a0L);
        assertThat(Addresses.parse("5555555592a0")).hasValue(0x5555555592a0L);
        assertThat(Addresses.parse("ffffffffffffffff")).hasValue(-1L);
    }

    @Test
    void anythingElseIsNotAnAddress() {
        for (String s : new String[] {"", "0x", "zz", "+ff", "-1", "0x1ffffffffffffffff", "12 34"}) {
            assertThat(Addresses.parse(s)).as(s).isEqualTo(OptionalLong.empty());
        }
        assertThatThrownBy(() -> Addresses.parse("--chunk", "zz")).isInstanceOf(UserError.class)
                .hasMessage("--chunk: 'zz' is not a hex address")
                .satisfies(e -> assertThat(((UserError) e).status()).isEqualTo(Exit.USAGE));
    }
}

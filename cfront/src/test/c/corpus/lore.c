/* Overwriting main's saved return address: when main returns, control lands in jackpot (as house_of_lore's end). */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <assert.h>

void jackpot(void) {
    puts("Nice jump!");
    exit(0);
}

int main(void) {
    setbuf(stdout, NULL);
    intptr_t stack_buffer[4] = {0};
    void *frame = __builtin_frame_address(0);
    printf("frame = %p, stack_buffer = %p\n", frame, (void *)stack_buffer);
    printf("return address before: %p\n", __builtin_return_address(0));
    intptr_t *slot = (intptr_t *)((char *)frame + 8);
    *slot = (intptr_t)jackpot;
    assert(__builtin_return_address(0) == (void *)jackpot);
    puts("returning from main");
    return 1;
}

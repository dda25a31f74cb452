/* memcheck twin: counts past a thousand, which Valgrind prints with thousands separators
   (MemcheckValgrindTest's Thousands). */
#include <stdlib.h>

int main(void) {
    for (int i = 0; i < 1500; i++) {
        free(malloc(8));
    }
    void *lost = malloc(2000);
    lost = 0;
    return 0;
}

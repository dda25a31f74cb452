/*
 * Prints the glibc version, then this process's /proc/self/maps as the kernel wrote it.
 * LibrarySegmentsMatchLinuxTest runs it under setarch -R (no address randomisation) and compares
 * libc's and ld.so's lines with the simulated process's.
 */
#include <gnu/libc-version.h>
#include <stdio.h>

int main(void) {
    printf("glibc %s\n", gnu_get_libc_version());
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL) {
        perror("/proc/self/maps");
        return 1;
    }
    char line[512];
    while (fgets(line, sizeof line, maps) != NULL) {
        fputs(line, stdout);
    }
    fclose(maps);
    return 0;
}

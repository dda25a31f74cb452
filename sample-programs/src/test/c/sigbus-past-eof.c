#include "common.h"
#include <fcntl.h>
int main(int argc, char **argv) {
    setbuf(stdout, NULL);
    const char *path = argc > 1 ? argv[1] : "/tmp/ten-bytes.txt";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { perror(path); return 1; }
    write(fd, strdup("ten bytes\n"), 10);
    volatile char *p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
    printf("a 10-byte file in a 2-page mapping\n");
    int b9 = p[9], b4095 = p[4095];
    printf("byte 9: 0x%02x; byte 4095, same page, past the end: 0x%02x\n", b9, b4095);
    printf("touching byte 4096, in a page wholly past the end...\n");
    printf("never printed: 0x%02x\n", p[4096]);
    return 0;
}

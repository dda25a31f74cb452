/* printf("%s\n", p) with its value unused is puts(p) once gcc has folded it: a NULL p segfaults in puts
   (what stdout held is lost), where printf itself would print "(null)"; the same call whose value is used
   stays printf. */
#include <stdio.h>

int main(int argc, char **argv) {
    char *p = argc > 5 ? argv[0] : NULL;
    int n = printf("%s\n", p);
    printf("%d\n", n);
    fflush(stdout);
    printf("%s\n", "folded");
    printf("%s\n", p);
    return 0;
}

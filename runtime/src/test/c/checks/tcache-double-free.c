/* expect: free(): double free detected in tcache 2 */
#include "checks.h"

int main(void)
{
    char *p = malloc(24);
    free(p);
    free(p);
    return 0;
}

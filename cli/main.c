/* main.c — placeholder until the CLI lands. */
#include <stdio.h>
#include "frontend/frontend.h"
int main(void) {
    printf("writ %s\n", WRIT_VERSION);
    return 0;
}

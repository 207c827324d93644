#include <reflite.h>
#include <stdio.h>
int main(void) { printf("reflite %s\n", REFLITE_VERSION); return 0; }

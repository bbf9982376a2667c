/* oca.c - placeholder main, replaced by the CLI work */
#include <config.h>
int main (void) { return 0; }

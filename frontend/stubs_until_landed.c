/* stubs_until_landed.c — placeholders for the parser, checker and lowering while they are
 * written; each is deleted when its phase lands. */
#include "internal.h"

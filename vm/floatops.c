/* floatops.c — the float operations whose WebAssembly semantics differ from plain C:
 * min/max (NaN propagation, -0 < +0) and nearest (round half to even). */
#include <math.h>

#include "vm/vm_int.h"

float vm_f32_min(float a, float b) {
    if (a != a || b != b) return a + b; /* a quiet NaN from whichever was NaN */
    if (a == 0 && b == 0) return signbit(a) ? a : b;
    return a < b ? a : b;
}
float vm_f32_max(float a, float b) {
    if (a != a || b != b) return a + b;
    if (a == 0 && b == 0) return signbit(a) ? b : a;
    return a > b ? a : b;
}
double vm_f64_min(double a, double b) {
    if (a != a || b != b) return a + b;
    if (a == 0 && b == 0) return signbit(a) ? a : b;
    return a < b ? a : b;
}
double vm_f64_max(double a, double b) {
    if (a != a || b != b) return a + b;
    if (a == 0 && b == 0) return signbit(a) ? b : a;
    return a > b ? a : b;
}
/* The default rounding mode is round-to-nearest-even, which nearbyint honours. */
float vm_f32_nearest(float a) { return nearbyintf(a); }
double vm_f64_nearest(double a) { return nearbyint(a); }

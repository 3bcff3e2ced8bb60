/* gas.c — contract mode's instruction costs, generated from gas.def (every instruction not
 * listed there costs VM_GAS_BASE). */
#include "vm/vm_int.h"
#include "vm/contract.h"

uint32_t vm_gas_cost(int op) {
    switch (op) {
#define GAS(name, cost) case OP_##name: return cost;
#define HOST(name, cost)
#define PRICE(name, cost)
#include "vm/gas.def"
#undef PRICE
#undef HOST
#undef GAS
    default: return VM_GAS_BASE;
    }
}

uint32_t vm_gas_page_cost(void) {
    enum {
#define GAS(name, cost)
#define HOST(name, cost)
#define PRICE(name, cost) PRICE_##name = cost,
#include "vm/gas.def"
#undef PRICE
#undef HOST
#undef GAS
    };
    return PRICE_MEMORY_PAGE;
}

/* bench_vm.c — `writ bench vm`: the VM benchmarks, run as their own processes so each
 * timing is a whole process as the references were measured: bench/vm/run.sh (the shared
 * wasm programs in `writ vm run` against gcc -O2 built in the same run) and, when built,
 * the contract-mode benchmark (instantiate + first call, ERC20 transfers/s). */
#include <limits.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#ifndef WRIT_BUILD_DIR
#define WRIT_BUILD_DIR "build"
#endif

static int run(char *const argv[]) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return EXIT_USAGE;
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "writ bench vm: cannot run %s\n", argv[0]);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
        return EXIT_USAGE;
    return WEXITSTATUS(st) == 0 ? EXIT_OK : EXIT_USAGE;
}

int bench_vm(int argc, char **argv) {
    (void)argc;
    (void)argv;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 32);
    if (n <= 0)
        return EXIT_USAGE;
    self[n] = 0;
    char tool[PATH_MAX + 8];
    snprintf(tool, sizeof tool, "%s vm", self); /* run.sh splits TOOL into words */
    const char *shared = getenv("WRIT_SHARED");
    char *script[] = {"sh", WRIT_SOURCE_DIR "/bench/vm/run.sh", tool,
                      (char *)(shared && *shared ? shared : WRIT_SOURCE_DIR "/../shared"), "3",
                      NULL};
    printf("-- wasm programs: VM / native gcc -O2 (median of 3 runs)\n");
    int status = run(script);
    char *contract[] = {WRIT_BUILD_DIR "/bench/vm/bench_vm_contract", WRIT_SOURCE_DIR, "1", NULL};
    if (access(contract[0], X_OK) == 0) {
        printf("-- contract mode\n");
        int s = run(contract);
        if (s != EXIT_OK)
            status = s;
    } else {
        printf("-- contract mode: %s not built (cmake --build BUILD --target bench_vm_contract)\n",
               contract[0]);
    }
    return status;
}

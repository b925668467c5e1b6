/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OS-layer primitives that other tests cannot reach: the SIGBUS-guarded
 * first touch (src/os/linux/eal_os_mem.c) turns a fault into -ENOMEM and
 * puts the application's own SIGBUS handler back.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal_os.h"
#include "eal_private.h"

static void
app_handler(int sig)
{
	(void)sig;
}

static void
test_touch_guarded(void **state)
{
	char path[] = "/tmp/eal-test-os-XXXXXX";
	struct sigaction app, now;
	int fd = mkstemp(path);
	char *p;

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	/* Two pages mapped over a one-page file: the second faults (SIGBUS). */
	assert_int_equal(ftruncate(fd, 4096), 0);
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(p != MAP_FAILED);

	memset(&app, 0, sizeof(app));
	app.sa_handler = app_handler;
	sigemptyset(&app.sa_mask);
	assert_int_equal(sigaction(SIGBUS, &app, NULL), 0);

	assert_int_equal(eal__os_touch_guarded(p), 0);
	assert_int_equal(eal__os_touch_guarded(p + 4096), -ENOMEM);
	assert_int_equal(eal__os_touch_guarded(p + 4096), -ENOMEM); /* again: re-armed */
	assert_int_equal(sigaction(SIGBUS, NULL, &now), 0);
	assert_true(now.sa_handler == app_handler);

	signal(SIGBUS, SIG_DFL);
	munmap(p, 8192);
	close(fd);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_touch_guarded),
	};

	eal_test_setup(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

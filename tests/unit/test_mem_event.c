/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of src/eal_mem_event.c: memory event callbacks and
 * allocation validators.
 *
 * Most tests run without eal_init(), where registration is allowed: every
 * error value of the four public functions (ENOMEM through a failing
 * malloc: this executable is linked with -Wl,--wrap=malloc), identities
 * (name + arg, name + socket), the exact calls eal__mem_event_notify() and
 * eal__mem_alloc_validate() make and in which order, the one ERR line of a
 * refusal, that registration waits for running callbacks, and reset.
 * The last test calls eal_init(--no-huge) for ENOTSUP, then changes the
 * mode flags of the config in place to check legacy memory and dynamic
 * memory apart, and cleans up.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eal.h"
#include "eal_memcfg.h"
#include "eal_private.h"
#include "eal_test.h"

#define expect_fail(call, err) \
	do { \
		eal_errno = 0; \
		assert_int_equal((call), -1); \
		assert_int_equal(eal_errno, (err)); \
	} while (0)

/* ---- malloc failure injection ------------------------------------------ */

void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size);

static bool fail_malloc;

void *
__wrap_malloc(size_t size)
{
	return fail_malloc ? NULL : __real_malloc(size);
}

/* ---- recording callbacks and validators --------------------------------- */

#define MAX_CALLS 32

struct call {
	int who; /* which function: 'A', 'B' for callbacks, validator index */
	enum eal_mem_event event;
	const void *addr;
	size_t len;
	void *arg;
	int socket;
	size_t limit, new_len;
};

static struct call calls[MAX_CALLS];
static unsigned int n_calls;

static void
record(struct call c)
{
	assert_true(n_calls < MAX_CALLS);
	calls[n_calls++] = c;
}

static void
clb_a(enum eal_mem_event event, const void *addr, size_t len, void *arg)
{
	record((struct call){ .who = 'A', .event = event, .addr = addr, .len = len, .arg = arg });
}

static void
clb_b(enum eal_mem_event event, const void *addr, size_t len, void *arg)
{
	record((struct call){ .who = 'B', .event = event, .addr = addr, .len = len, .arg = arg });
}

static void
expect_call(unsigned int i, int who, enum eal_mem_event event, const void *addr, size_t len,
	    void *arg)
{
	assert_true(i < n_calls);
	assert_int_equal(calls[i].who, who);
	assert_int_equal(calls[i].event, event);
	assert_ptr_equal(calls[i].addr, addr);
	assert_int_equal(calls[i].len, len);
	assert_ptr_equal(calls[i].arg, arg);
}

/* Validators 0..3 record their index; refuse[i] makes one return -1. */
static bool refuse[4];

static int
validate(int who, int socket, size_t limit, size_t new_len)
{
	record((struct call){ .who = who, .socket = socket, .limit = limit, .new_len = new_len });
	return refuse[who] ? -1 : 0;
}

static int
val0(int socket, size_t limit, size_t new_len)
{
	return validate(0, socket, limit, new_len);
}

static int
val1(int socket, size_t limit, size_t new_len)
{
	return validate(1, socket, limit, new_len);
}

static int
val2(int socket, size_t limit, size_t new_len)
{
	return validate(2, socket, limit, new_len);
}

static void
expect_validation(unsigned int i, int who, int socket, size_t limit, size_t new_len)
{
	assert_true(i < n_calls);
	assert_int_equal(calls[i].who, who);
	assert_int_equal(calls[i].socket, socket);
	assert_int_equal(calls[i].limit, limit);
	assert_int_equal(calls[i].new_len, new_len);
}

/* A name of exactly @n characters (n < sizeof(buf)). */
static const char *
name_of_len(char *buf, size_t n)
{
	memset(buf, 'n', n);
	buf[n] = '\0';
	return buf;
}

static int x1, x2, x3; /* distinct callback arguments */

/* Each test starts with an empty registry and no recorded call. */
static int
reset(void **state)
{
	(void)state;
	eal__mem_event_reset();
	n_calls = 0;
	memset(refuse, 0, sizeof(refuse));
	fail_malloc = false;
	eal_test_log_n = 0;
	return 0;
}

/* ---- callbacks: errors ------------------------------------------------- */

static void
test_callback_register_errors(void **state)
{
	char name[EAL_MEM_EVENT_CALLBACK_NAME_LEN + 8];
	char unterminated[EAL_MEM_EVENT_CALLBACK_NAME_LEN];

	(void)state;
	expect_fail(eal_mem_event_callback_register(NULL, clb_a, &x1), EINVAL);
	expect_fail(eal_mem_event_callback_register("cb", NULL, &x1), EINVAL);
	expect_fail(eal_mem_event_callback_register("", clb_a, &x1), EINVAL);
	expect_fail(eal_mem_event_callback_register(
			    name_of_len(name, EAL_MEM_EVENT_CALLBACK_NAME_LEN), clb_a, &x1),
		    ENAMETOOLONG);
	expect_fail(eal_mem_event_callback_register(
			    name_of_len(name, EAL_MEM_EVENT_CALLBACK_NAME_LEN + 5), clb_a, &x1),
		    ENAMETOOLONG);
	/* No NUL in the first 64 bytes: too long, and nothing past them is
	 * read (ASan would see it: the array ends there). */
	memset(unterminated, 'u', sizeof(unterminated));
	expect_fail(eal_mem_event_callback_register(unterminated, clb_a, &x1), ENAMETOOLONG);
	fail_malloc = true;
	expect_fail(eal_mem_event_callback_register("cb", clb_a, &x1), ENOMEM);
	fail_malloc = false;

	/* None of those registered anything. */
	eal__mem_event_notify(EAL_MEM_EVENT_ALLOC, &x1, 1);
	assert_int_equal(n_calls, 0);

	/* The longest name that fits is kept whole. */
	name_of_len(name, EAL_MEM_EVENT_CALLBACK_NAME_LEN - 1);
	assert_int_equal(eal_mem_event_callback_register(name, clb_a, &x1), 0);
	assert_int_equal(eal_mem_event_callback_unregister(name, &x1), 0);

	/* A name and argument pair is registered once; the same name with
	 * another argument (NULL too) is another callback. */
	assert_int_equal(eal_mem_event_callback_register("cb", clb_a, &x1), 0);
	expect_fail(eal_mem_event_callback_register("cb", clb_a, &x1), EEXIST);
	expect_fail(eal_mem_event_callback_register("cb", clb_b, &x1), EEXIST);
	assert_int_equal(eal_mem_event_callback_register("cb", clb_b, &x2), 0);
	assert_int_equal(eal_mem_event_callback_register("cb", clb_b, NULL), 0);
	/* Another name with the same argument is another callback too. */
	assert_int_equal(eal_mem_event_callback_register("cb2", clb_a, &x1), 0);

	eal__mem_event_notify(EAL_MEM_EVENT_ALLOC, &x3, 7);
	assert_int_equal(n_calls, 4);
	expect_call(0, 'A', EAL_MEM_EVENT_ALLOC, &x3, 7, &x1);
	expect_call(1, 'B', EAL_MEM_EVENT_ALLOC, &x3, 7, &x2);
	expect_call(2, 'B', EAL_MEM_EVENT_ALLOC, &x3, 7, NULL);
	expect_call(3, 'A', EAL_MEM_EVENT_ALLOC, &x3, 7, &x1);
}

static void
test_callback_unregister_errors(void **state)
{
	char name[EAL_MEM_EVENT_CALLBACK_NAME_LEN + 1];

	(void)state;
	assert_int_equal(eal_mem_event_callback_register("cb", clb_a, &x1), 0);

	expect_fail(eal_mem_event_callback_unregister(NULL, &x1), EINVAL);
	expect_fail(eal_mem_event_callback_unregister("", &x1), EINVAL);
	expect_fail(eal_mem_event_callback_unregister(
			    name_of_len(name, EAL_MEM_EVENT_CALLBACK_NAME_LEN), &x1),
		    ENAMETOOLONG);
	expect_fail(eal_mem_event_callback_unregister("other", &x1), ENOENT);
	/* Registered, but with another argument. */
	expect_fail(eal_mem_event_callback_unregister("cb", &x2), ENOENT);
	expect_fail(eal_mem_event_callback_unregister("cb", NULL), ENOENT);
	/* A prefix of the name is not the name. */
	expect_fail(eal_mem_event_callback_unregister("c", &x1), ENOENT);

	/* The failures removed nothing. */
	eal__mem_event_notify(EAL_MEM_EVENT_FREE, &x2, 3);
	assert_int_equal(n_calls, 1);

	assert_int_equal(eal_mem_event_callback_unregister("cb", &x1), 0);
	expect_fail(eal_mem_event_callback_unregister("cb", &x1), ENOENT);
}

/* ---- callbacks: calls -------------------------------------------------- */

static void
test_notify_order_and_arguments(void **state)
{
	static char page[64];

	(void)state;
	eal__mem_event_notify(EAL_MEM_EVENT_ALLOC, page, sizeof(page));
	assert_int_equal(n_calls, 0); /* nothing registered: nothing called */

	assert_int_equal(eal_mem_event_callback_register("second-registered", clb_b, &x2), 0);
	assert_int_equal(eal_mem_event_callback_register("a-first-by-name", clb_a, &x1), 0);
	assert_int_equal(eal_mem_event_callback_register("third", clb_a, &x3), 0);

	/* Registration order, not name order; each with its own argument. */
	eal__mem_event_notify(EAL_MEM_EVENT_ALLOC, page, 2097152);
	assert_int_equal(n_calls, 3);
	expect_call(0, 'B', EAL_MEM_EVENT_ALLOC, page, 2097152, &x2);
	expect_call(1, 'A', EAL_MEM_EVENT_ALLOC, page, 2097152, &x1);
	expect_call(2, 'A', EAL_MEM_EVENT_ALLOC, page, 2097152, &x3);

	eal__mem_event_notify(EAL_MEM_EVENT_FREE, page + 8, (size_t)1 << 30);
	assert_int_equal(n_calls, 6);
	expect_call(3, 'B', EAL_MEM_EVENT_FREE, page + 8, (size_t)1 << 30, &x2);
	expect_call(4, 'A', EAL_MEM_EVENT_FREE, page + 8, (size_t)1 << 30, &x1);
	expect_call(5, 'A', EAL_MEM_EVENT_FREE, page + 8, (size_t)1 << 30, &x3);
}

static void
test_unregister_stops_calls(void **state)
{
	(void)state;
	assert_int_equal(eal_mem_event_callback_register("one", clb_a, &x1), 0);
	assert_int_equal(eal_mem_event_callback_register("two", clb_b, &x2), 0);
	assert_int_equal(eal_mem_event_callback_register("three", clb_a, &x3), 0);

	/* From the middle: the others keep their order. */
	assert_int_equal(eal_mem_event_callback_unregister("two", &x2), 0);
	eal__mem_event_notify(EAL_MEM_EVENT_ALLOC, &x1, 10);
	assert_int_equal(n_calls, 2);
	expect_call(0, 'A', EAL_MEM_EVENT_ALLOC, &x1, 10, &x1);
	expect_call(1, 'A', EAL_MEM_EVENT_ALLOC, &x1, 10, &x3);

	/* Registered again, it comes last. */
	assert_int_equal(eal_mem_event_callback_register("two", clb_b, &x2), 0);
	n_calls = 0;
	eal__mem_event_notify(EAL_MEM_EVENT_FREE, &x2, 20);
	assert_int_equal(n_calls, 3);
	expect_call(0, 'A', EAL_MEM_EVENT_FREE, &x2, 20, &x1);
	expect_call(1, 'A', EAL_MEM_EVENT_FREE, &x2, 20, &x3);
	expect_call(2, 'B', EAL_MEM_EVENT_FREE, &x2, 20, &x2);

	/* The head and the tail. */
	assert_int_equal(eal_mem_event_callback_unregister("one", &x1), 0);
	assert_int_equal(eal_mem_event_callback_unregister("two", &x2), 0);
	n_calls = 0;
	eal__mem_event_notify(EAL_MEM_EVENT_ALLOC, &x3, 30);
	assert_int_equal(n_calls, 1);
	expect_call(0, 'A', EAL_MEM_EVENT_ALLOC, &x3, 30, &x3);

	assert_int_equal(eal_mem_event_callback_unregister("three", &x3), 0);
	n_calls = 0;
	eal__mem_event_notify(EAL_MEM_EVENT_ALLOC, &x3, 30);
	assert_int_equal(n_calls, 0);
}

/* ---- validators: errors ------------------------------------------------ */

static void
test_validator_register_errors(void **state)
{
	char name[EAL_MEM_ALLOC_VALIDATOR_NAME_LEN + 1];
	const int last = EAL_MAX_NUMA_NODES - 1;

	(void)state;
	expect_fail(eal_mem_alloc_validator_register(NULL, val0, 0, 100), EINVAL);
	expect_fail(eal_mem_alloc_validator_register("v", NULL, 0, 100), EINVAL);
	expect_fail(eal_mem_alloc_validator_register("", val0, 0, 100), EINVAL);
	expect_fail(eal_mem_alloc_validator_register("v", val0, -1, 100), EINVAL);
	expect_fail(eal_mem_alloc_validator_register("v", val0, EAL_MAX_NUMA_NODES, 100), EINVAL);
	expect_fail(eal_mem_alloc_validator_register(
			    name_of_len(name, EAL_MEM_ALLOC_VALIDATOR_NAME_LEN), val0, 0, 100),
		    ENAMETOOLONG);
	fail_malloc = true;
	expect_fail(eal_mem_alloc_validator_register("v", val0, 0, 100), ENOMEM);
	fail_malloc = false;

	/* None of those registered anything. */
	for (int s = 0; s < EAL_MAX_NUMA_NODES; s++)
		assert_int_equal(eal__mem_alloc_validate(s, SIZE_MAX), 0);
	assert_int_equal(n_calls, 0);

	/* The bounds that are allowed, the longest name. */
	assert_int_equal(eal_mem_alloc_validator_register("v", val0, 0, 100), 0);
	assert_int_equal(eal_mem_alloc_validator_register("v", val1, last, 100), 0);
	name_of_len(name, EAL_MEM_ALLOC_VALIDATOR_NAME_LEN - 1);
	assert_int_equal(eal_mem_alloc_validator_register(name, val2, 1, 0), 0);

	/* A name is registered once per socket, whatever the callback and
	 * limit; on another socket it is another validator. */
	expect_fail(eal_mem_alloc_validator_register("v", val0, 0, 100), EEXIST);
	expect_fail(eal_mem_alloc_validator_register("v", val2, 0, 5), EEXIST);
	expect_fail(eal_mem_alloc_validator_register("v", val1, last, 100), EEXIST);
	assert_int_equal(eal_mem_alloc_validator_register("v", val2, 2, 100), 0);

	assert_int_equal(eal__mem_alloc_validate(last, 100), 0);
	assert_int_equal(n_calls, 1);
	expect_validation(0, 1, last, 100, 100);
}

static void
test_validator_unregister_errors(void **state)
{
	char name[EAL_MEM_ALLOC_VALIDATOR_NAME_LEN + 1];

	(void)state;
	assert_int_equal(eal_mem_alloc_validator_register("v", val0, 1, 100), 0);

	expect_fail(eal_mem_alloc_validator_unregister(NULL, 1), EINVAL);
	expect_fail(eal_mem_alloc_validator_unregister("", 1), EINVAL);
	expect_fail(eal_mem_alloc_validator_unregister("v", -1), EINVAL);
	expect_fail(eal_mem_alloc_validator_unregister("v", EAL_MAX_NUMA_NODES), EINVAL);
	expect_fail(eal_mem_alloc_validator_unregister(
			    name_of_len(name, EAL_MEM_ALLOC_VALIDATOR_NAME_LEN), 1),
		    ENAMETOOLONG);
	expect_fail(eal_mem_alloc_validator_unregister("w", 1), ENOENT);
	/* Registered, but on another socket. */
	expect_fail(eal_mem_alloc_validator_unregister("v", 0), ENOENT);

	/* The failures removed nothing. */
	assert_int_equal(eal__mem_alloc_validate(1, 100), 0);
	assert_int_equal(n_calls, 1);

	assert_int_equal(eal_mem_alloc_validator_unregister("v", 1), 0);
	expect_fail(eal_mem_alloc_validator_unregister("v", 1), ENOENT);
	n_calls = 0;
	assert_int_equal(eal__mem_alloc_validate(1, 100), 0);
	assert_int_equal(n_calls, 0);
}

/* ---- validators: calls ------------------------------------------------- */

static void
test_validate_limits_and_sockets(void **state)
{
	(void)state;
	assert_int_equal(eal__mem_alloc_validate(0, 4096), 0); /* none registered */

	assert_int_equal(eal_mem_alloc_validator_register("low", val0, 0, 1000), 0);
	assert_int_equal(eal_mem_alloc_validator_register("high", val1, 0, 5000), 0);
	assert_int_equal(eal_mem_alloc_validator_register("other", val2, 1, 0), 0);

	/* Below every limit of socket 0: nobody is asked. */
	assert_int_equal(eal__mem_alloc_validate(0, 999), 0);
	assert_int_equal(n_calls, 0);

	/* At a limit: asked (limit <= new_len), with the exact values. */
	assert_int_equal(eal__mem_alloc_validate(0, 1000), 0);
	assert_int_equal(n_calls, 1);
	expect_validation(0, 0, 0, 1000, 1000);

	n_calls = 0;
	assert_int_equal(eal__mem_alloc_validate(0, 4999), 0);
	assert_int_equal(n_calls, 1);
	expect_validation(0, 0, 0, 1000, 4999);

	/* Above both: both, in registration order. */
	n_calls = 0;
	assert_int_equal(eal__mem_alloc_validate(0, 5000), 0);
	assert_int_equal(n_calls, 2);
	expect_validation(0, 0, 0, 1000, 5000);
	expect_validation(1, 1, 0, 5000, 5000);

	/* Socket 1's validator only for socket 1, and a limit of 0 applies
	 * to any size. */
	n_calls = 0;
	assert_int_equal(eal__mem_alloc_validate(1, 0), 0);
	assert_int_equal(n_calls, 1);
	expect_validation(0, 2, 1, 0, 0);

	/* A socket with no validator, and ones out of range: nobody. */
	n_calls = 0;
	assert_int_equal(eal__mem_alloc_validate(2, SIZE_MAX), 0);
	assert_int_equal(eal__mem_alloc_validate(-1, SIZE_MAX), 0);
	assert_int_equal(eal__mem_alloc_validate(EAL_MAX_NUMA_NODES, SIZE_MAX), 0);
	assert_int_equal(n_calls, 0);
}

static void
test_validate_refusal(void **state)
{
	(void)state;
	eal_test_log_capture("memory", EAL_LOG_DEBUG);
	assert_int_equal(eal_mem_alloc_validator_register("allow-low", val0, 3, 0), 0);
	assert_int_equal(eal_mem_alloc_validator_register("my-limit", val1, 3, 1 << 20), 0);
	assert_int_equal(eal_mem_alloc_validator_register("allow-high", val2, 3, 1 << 21), 0);
	refuse[1] = true;

	/* Under the refusing validator's limit: allowed, nothing logged. */
	assert_int_equal(eal__mem_alloc_validate(3, (1 << 20) - 1), 0);
	assert_int_equal(n_calls, 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 0);

	/* At it: refused. The ones after it are still asked, as DPDK does. */
	n_calls = 0;
	assert_int_equal(eal__mem_alloc_validate(3, 3 << 20), -ENOMEM);
	assert_int_equal(n_calls, 3);
	expect_validation(0, 0, 3, 0, 3 << 20);
	expect_validation(1, 1, 3, 1 << 20, 3 << 20);
	expect_validation(2, 2, 3, 1 << 21, 3 << 20);
	/* One ERR line naming the validator, the socket, the limit and size. */
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR,
					    "memory on socket 3 cannot grow to 3145728 bytes: validator \"my-limit\" (limit 1048576) refused"),
			 1);

	/* Two refuse: still one line, naming the first. */
	refuse[2] = true;
	eal_test_log_n = 0;
	assert_int_equal(eal__mem_alloc_validate(3, 1 << 22), -ENOMEM);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "\"my-limit\""), 1);

	/* Only the last refuses. */
	refuse[1] = false;
	eal_test_log_n = 0;
	assert_int_equal(eal__mem_alloc_validate(3, 1 << 22), -ENOMEM);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "validator \"allow-high\" (limit 2097152)"),
			 1);

	/* Unregistered, it no longer refuses. */
	assert_int_equal(eal_mem_alloc_validator_unregister("allow-high", 3), 0);
	eal_test_log_n = 0;
	assert_int_equal(eal__mem_alloc_validate(3, 1 << 22), 0);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 0);

	eal_log_set_handler(NULL, NULL);
}

/* ---- locking ------------------------------------------------------------ */

/* A callback that holds on while the main thread tries to register: the
 * registry's read lock is held while callbacks run, so the registration
 * must wait until notify returns. */
static int inside, registered, registered_while_inside;

/* Say we are inside, stay 200 ms, note whether the main thread's
 * registration completed meanwhile. */
static void
hold_on(void)
{
	uint64_t until = eal_test_now_ms() + 200;

	__atomic_store_n(&inside, 1, __ATOMIC_SEQ_CST);
	while (eal_test_now_ms() < until)
		usleep(1000);
	registered_while_inside = __atomic_load_n(&registered, __ATOMIC_SEQ_CST);
}

static void
clb_slow(enum eal_mem_event event, const void *addr, size_t len, void *arg)
{
	(void)event;
	(void)addr;
	(void)len;
	(void)arg;
	hold_on();
}

static int
val_slow(int socket, size_t limit, size_t new_len)
{
	(void)socket;
	(void)limit;
	(void)new_len;
	hold_on();
	return 0;
}

static void *
notify_thread(void *p)
{
	(void)p;
	eal__mem_event_notify(EAL_MEM_EVENT_ALLOC, NULL, 0);
	return NULL;
}

static void *
validate_thread(void *p)
{
	(void)p;
	return (void *)(intptr_t)eal__mem_alloc_validate(0, 1);
}

static void
wait_inside(void)
{
	uint64_t until = eal_test_now_ms() + 5000;

	while (!__atomic_load_n(&inside, __ATOMIC_SEQ_CST)) {
		assert_true(eal_test_now_ms() < until);
		usleep(100);
	}
}

static void
test_register_waits_for_running_callbacks(void **state)
{
	pthread_t t;
	void *ret;

	(void)state;
	assert_int_equal(eal_mem_event_callback_register("slow", clb_slow, NULL), 0);
	inside = registered = registered_while_inside = 0;
	assert_int_equal(pthread_create(&t, NULL, notify_thread, NULL), 0);
	wait_inside();
	assert_int_equal(eal_mem_event_callback_register("late", clb_a, &x1), 0);
	__atomic_store_n(&registered, 1, __ATOMIC_SEQ_CST);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(registered_while_inside, 0);

	/* The same for a validator being asked and an unregistration. */
	assert_int_equal(eal_mem_alloc_validator_register("slow", val_slow, 0, 0), 0);
	inside = registered = registered_while_inside = 0;
	assert_int_equal(pthread_create(&t, NULL, validate_thread, NULL), 0);
	wait_inside();
	assert_int_equal(eal_mem_event_callback_unregister("late", &x1), 0);
	__atomic_store_n(&registered, 1, __ATOMIC_SEQ_CST);
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_int_equal((intptr_t)ret, 0);
	assert_int_equal(registered_while_inside, 0);
}

/* ---- reset -------------------------------------------------------------- */

static void
test_reset(void **state)
{
	(void)state;
	assert_int_equal(eal_mem_event_callback_register("cb", clb_a, &x1), 0);
	assert_int_equal(eal_mem_event_callback_register("cb", clb_b, &x2), 0);
	assert_int_equal(eal_mem_alloc_validator_register("v", val0, 0, 0), 0);
	assert_int_equal(eal_mem_alloc_validator_register("v", val1, 1, 0), 0);
	refuse[0] = true;

	eal__mem_event_reset();
	eal__mem_event_notify(EAL_MEM_EVENT_ALLOC, &x1, 1);
	assert_int_equal(eal__mem_alloc_validate(0, 1), 0);
	assert_int_equal(eal__mem_alloc_validate(1, 1), 0);
	assert_int_equal(n_calls, 0);

	/* Forgotten: not registered any more, and registrable again. */
	expect_fail(eal_mem_event_callback_unregister("cb", &x1), ENOENT);
	expect_fail(eal_mem_alloc_validator_unregister("v", 0), ENOENT);
	assert_int_equal(eal_mem_event_callback_register("cb", clb_b, &x2), 0);
	assert_int_equal(eal_mem_alloc_validator_register("v", val1, 1, 0), 0);
	eal__mem_event_notify(EAL_MEM_EVENT_ALLOC, &x1, 1);
	assert_int_equal(eal__mem_alloc_validate(1, 1), 0);
	assert_int_equal(n_calls, 2);
	expect_call(0, 'B', EAL_MEM_EVENT_ALLOC, &x1, 1, &x2);
	expect_validation(1, 1, 1, 0, 1);

	/* Twice in a row, and on an empty registry. */
	eal__mem_event_reset();
	eal__mem_event_reset();
	n_calls = 0;
	eal__mem_event_notify(EAL_MEM_EVENT_ALLOC, &x1, 1);
	assert_int_equal(n_calls, 0);
}

/* ---- ENOTSUP after eal_init() -------------------------------------------- */

static void
expect_all_enotsup(void)
{
	expect_fail(eal_mem_event_callback_register("cb", clb_a, &x1), ENOTSUP);
	expect_fail(eal_mem_event_callback_unregister("cb", &x1), ENOTSUP);
	expect_fail(eal_mem_alloc_validator_register("v", val0, 0, 0), ENOTSUP);
	expect_fail(eal_mem_alloc_validator_unregister("v", 0), ENOTSUP);
}

static void
test_enotsup_after_init(void **state)
{
	struct eal_mem_config *mcfg;
	uint32_t legacy, no_huge;
	char **argv;
	int argc;

	(void)state;
	/* Before init the mode is not known: allowed. */
	assert_null(eal__mcfg());
	assert_int_equal(eal_mem_event_callback_register("before", clb_a, &x1), 0);

	argc = eal_test_argv(&argv, "--no-huge", NULL);
	assert_int_equal(eal_init(argc, argv), argc - 1);
	mcfg = eal__mcfg();
	assert_non_null(mcfg);
	assert_true(mcfg->no_huge);
	legacy = mcfg->legacy_mem;
	no_huge = mcfg->no_huge;

	/* no-huge memory never changes. */
	expect_all_enotsup();
	expect_fail(eal_mem_event_callback_unregister("before", &x1), ENOTSUP);

	/* Legacy memory alone (the flags of this process's own config are
	 * changed in place: no other process is attached to it). */
	mcfg->no_huge = 0;
	mcfg->legacy_mem = 1;
	expect_all_enotsup();

	/* Dynamic memory: allowed after init too. */
	mcfg->legacy_mem = 0;
	assert_int_equal(eal_mem_event_callback_register("cb", clb_a, &x2), 0);
	assert_int_equal(eal_mem_event_callback_unregister("cb", &x2), 0);
	assert_int_equal(eal_mem_event_callback_unregister("before", &x1), 0);
	assert_int_equal(eal_mem_alloc_validator_register("v", val0, 0, 0), 0);
	assert_int_equal(eal_mem_alloc_validator_unregister("v", 0), 0);

	mcfg->legacy_mem = legacy;
	mcfg->no_huge = no_huge;
	assert_int_equal(eal_cleanup(), 0);

	/* After cleanup, as before init. */
	assert_null(eal__mcfg());
	assert_int_equal(eal_mem_event_callback_register("after", clb_a, &x1), 0);
	assert_int_equal(eal_mem_alloc_validator_register("after", val0, 0, 0), 0);
}

/* Free what the last test left registered: a reset that dropped entries
 * without freeing them would show as leaks under ASan at exit. */
static int
teardown_group(void **state)
{
	(void)state;
	eal__mem_event_reset();
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_callback_register_errors, reset),
		cmocka_unit_test_setup(test_callback_unregister_errors, reset),
		cmocka_unit_test_setup(test_notify_order_and_arguments, reset),
		cmocka_unit_test_setup(test_unregister_stops_calls, reset),
		cmocka_unit_test_setup(test_validator_register_errors, reset),
		cmocka_unit_test_setup(test_validator_unregister_errors, reset),
		cmocka_unit_test_setup(test_validate_limits_and_sockets, reset),
		cmocka_unit_test_setup(test_validate_refusal, reset),
		cmocka_unit_test_setup(test_register_waits_for_running_callbacks, reset),
		cmocka_unit_test_setup(test_reset, reset),
		cmocka_unit_test_setup(test_enotsup_after_init, reset),
	};

	eal_test_setup(argc, argv);
	return cmocka_run_group_tests_name("mem_event", tests, NULL, teardown_group);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory event callbacks and allocation validators (DPDK 22.11's
 * rte_mem_event_callback_* and rte_mem_alloc_validator_*, which live in
 * eal_common_memalloc.c there).
 *
 * The registry is process-local: each process registers its own callbacks,
 * and eal_memalloc.c calls eal__mem_event_notify() in every process that
 * maps or unmaps pages, eal__mem_alloc_validate() in the one that
 * allocates. Entries are malloc()ed and kept in registration order, which
 * is the order they are called in.
 *
 * Reads legacy_mem and no_huge of the shared config (to refuse
 * registration: that memory never changes) and writes nothing in it. The
 * registry has its own process-local rwlock, innermost in the lock order:
 * eal_memalloc.c calls in with the memory hotplug lock held, and the
 * registry lock is held for reading while callbacks and validators run,
 * so they must not register or unregister (that would self-deadlock).
 */
#define EAL_LOG_COMPONENT EAL_LOGC_MEMORY

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "eal_private.h"
#include "eal_memcfg.h"

struct mem_event_callback {
	struct mem_event_callback *next;
	eal_mem_event_callback_t clb;
	void *arg;                                  /* identity: name + arg */
	char name[EAL_MEM_EVENT_CALLBACK_NAME_LEN];
};

struct mem_alloc_validator {
	struct mem_alloc_validator *next;
	eal_mem_alloc_validator_t clb;
	int socket_id;                              /* identity: name + socket_id */
	size_t limit;
	char name[EAL_MEM_ALLOC_VALIDATOR_NAME_LEN];
};

/* A static initializer: registration is allowed before eal_init(), so
 * nothing may depend on an init stage having run. */
static pthread_rwlock_t registry_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct mem_event_callback *callbacks;   /* registry_lock */
static struct mem_alloc_validator *validators; /* registry_lock */

/* ------------------------------------------------------------------------
 * Argument checks (DPDK's order: ENOTSUP, then EINVAL, then ENAMETOOLONG)
 */

/*
 * Legacy and no-huge memory is mapped once by eal_init() and never changes,
 * so a callback would never run: DPDK refuses registration then, and so do
 * we. Before eal_init() the mode is unknown and registration is allowed, as
 * in DPDK (its default internal config reads as dynamic memory); if init
 * then picks legacy or no-huge memory, the entries are simply never called.
 */
static int
check_supported(const char *what)
{
	const struct eal_mem_config *mcfg = eal__mcfg();

	if (mcfg != NULL && (mcfg->legacy_mem || mcfg->no_huge)) {
		EAL_LOG(DEBUG, "%s: not supported with %s memory, which never changes", what,
			mcfg->legacy_mem ? "legacy" : "no-huge");
		return -ENOTSUP;
	}
	return 0;
}

/* strnlen: a name without a NUL in its first @size bytes is too long, and
 * we never read past them. */
static int
check_name(const char *name, size_t size)
{
	size_t len;

	if (name == NULL)
		return -EINVAL;
	len = strnlen(name, size);
	if (len == 0)
		return -EINVAL;
	return len == size ? -ENAMETOOLONG : 0;
}

static int
check_socket(int socket_id)
{
	return socket_id >= 0 && socket_id < EAL_MAX_NUMA_NODES ? 0 : -EINVAL;
}

/* ------------------------------------------------------------------------
 * Memory event callbacks
 */

/* The link pointing at the entry, or NULL (registry_lock held). */
static struct mem_event_callback **
callback_find(const char *name, void *arg)
{
	for (struct mem_event_callback **p = &callbacks; *p != NULL; p = &(*p)->next)
		if ((*p)->arg == arg && strcmp((*p)->name, name) == 0)
			return p;
	return NULL;
}

static int
callback_register(const char *name, eal_mem_event_callback_t clb, void *arg)
{
	struct mem_event_callback *cb, **tail;
	int rc = 0;

	pthread_rwlock_wrlock(&registry_lock);
	if (callback_find(name, arg) != NULL) {
		rc = -EEXIST;
		goto unlock;
	}
	cb = malloc(sizeof(*cb));
	if (cb == NULL) {
		rc = -ENOMEM;
		goto unlock;
	}
	cb->next = NULL;
	cb->clb = clb;
	cb->arg = arg;
	strcpy(cb->name, name); /* check_name() bounded it */
	/* Appended: callbacks run in registration order. Registration is
	 * rare, so walking to the tail costs nothing that matters. */
	for (tail = &callbacks; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = cb;
unlock:
	pthread_rwlock_unlock(&registry_lock);
	return rc;
}

EAL_API int
eal_mem_event_callback_register(const char *name, eal_mem_event_callback_t clb, void *arg)
{
	int rc;

	rc = check_supported("memory event callback registration");
	if (rc == 0 && clb == NULL)
		rc = -EINVAL;
	if (rc == 0)
		rc = check_name(name, EAL_MEM_EVENT_CALLBACK_NAME_LEN);
	if (rc == 0)
		rc = callback_register(name, clb, arg);
	if (rc < 0)
		return eal__fail(rc);
	EAL_LOG(DEBUG, "memory event callback '%s' (arg %p) registered", name, arg);
	return 0;
}

EAL_API int
eal_mem_event_callback_unregister(const char *name, void *arg)
{
	struct mem_event_callback **p, *cb = NULL;
	int rc;

	rc = check_supported("memory event callback unregistration");
	if (rc == 0)
		rc = check_name(name, EAL_MEM_EVENT_CALLBACK_NAME_LEN);
	if (rc < 0)
		return eal__fail(rc);
	pthread_rwlock_wrlock(&registry_lock);
	p = callback_find(name, arg);
	if (p != NULL) {
		cb = *p;
		*p = cb->next;
	}
	pthread_rwlock_unlock(&registry_lock);
	if (cb == NULL)
		return eal__fail(-ENOENT);
	free(cb);
	EAL_LOG(DEBUG, "memory event callback '%s' (arg %p) unregistered", name, arg);
	return 0;
}

void
eal__mem_event_notify(enum eal_mem_event event, const void *addr, size_t len)
{
	pthread_rwlock_rdlock(&registry_lock);
	for (const struct mem_event_callback *cb = callbacks; cb != NULL; cb = cb->next)
		cb->clb(event, addr, len, cb->arg);
	pthread_rwlock_unlock(&registry_lock);
}

/* ------------------------------------------------------------------------
 * Allocation validators
 */

/* The link pointing at the entry, or NULL (registry_lock held). */
static struct mem_alloc_validator **
validator_find(const char *name, int socket_id)
{
	for (struct mem_alloc_validator **p = &validators; *p != NULL; p = &(*p)->next)
		if ((*p)->socket_id == socket_id && strcmp((*p)->name, name) == 0)
			return p;
	return NULL;
}

static int
validator_register(const char *name, eal_mem_alloc_validator_t clb, int socket_id, size_t limit)
{
	struct mem_alloc_validator *v, **tail;
	int rc = 0;

	pthread_rwlock_wrlock(&registry_lock);
	if (validator_find(name, socket_id) != NULL) {
		rc = -EEXIST;
		goto unlock;
	}
	v = malloc(sizeof(*v));
	if (v == NULL) {
		rc = -ENOMEM;
		goto unlock;
	}
	v->next = NULL;
	v->clb = clb;
	v->socket_id = socket_id;
	v->limit = limit;
	strcpy(v->name, name); /* check_name() bounded it */
	for (tail = &validators; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = v;
unlock:
	pthread_rwlock_unlock(&registry_lock);
	return rc;
}

EAL_API int
eal_mem_alloc_validator_register(const char *name, eal_mem_alloc_validator_t clb, int socket_id,
				 size_t limit)
{
	int rc;

	rc = check_supported("allocation validator registration");
	if (rc == 0 && clb == NULL)
		rc = -EINVAL;
	if (rc == 0)
		rc = check_socket(socket_id);
	if (rc == 0)
		rc = check_name(name, EAL_MEM_ALLOC_VALIDATOR_NAME_LEN);
	if (rc == 0)
		rc = validator_register(name, clb, socket_id, limit);
	if (rc < 0)
		return eal__fail(rc);
	EAL_LOG(DEBUG, "allocation validator '%s' registered on socket %d (limit %zu bytes)", name,
		socket_id, limit);
	return 0;
}

EAL_API int
eal_mem_alloc_validator_unregister(const char *name, int socket_id)
{
	struct mem_alloc_validator **p, *v = NULL;
	int rc;

	rc = check_supported("allocation validator unregistration");
	if (rc == 0)
		rc = check_socket(socket_id);
	if (rc == 0)
		rc = check_name(name, EAL_MEM_ALLOC_VALIDATOR_NAME_LEN);
	if (rc < 0)
		return eal__fail(rc);
	pthread_rwlock_wrlock(&registry_lock);
	p = validator_find(name, socket_id);
	if (p != NULL) {
		v = *p;
		*p = v->next;
	}
	pthread_rwlock_unlock(&registry_lock);
	if (v == NULL)
		return eal__fail(-ENOENT);
	free(v);
	EAL_LOG(DEBUG, "allocation validator '%s' unregistered from socket %d", name, socket_id);
	return 0;
}

int
eal__mem_alloc_validate(int socket, size_t new_len)
{
	char refused[EAL_MEM_ALLOC_VALIDATOR_NAME_LEN] = "";
	size_t refused_limit = 0;

	pthread_rwlock_rdlock(&registry_lock);
	for (const struct mem_alloc_validator *v = validators; v != NULL; v = v->next) {
		if (v->socket_id != socket || v->limit > new_len)
			continue;
		/* Every applicable validator is asked even after one refused,
		 * as DPDK does: an application may count or log in its
		 * validator, and expects to be called whenever its limit is
		 * crossed. The first refusal is the one reported. */
		if (v->clb(socket, v->limit, new_len) < 0 && refused[0] == '\0') {
			memcpy(refused, v->name, sizeof(refused));
			refused_limit = v->limit;
		}
	}
	pthread_rwlock_unlock(&registry_lock);
	if (refused[0] == '\0')
		return 0;
	/* Logged here, after the lock is dropped, and by nobody above (R18). */
	EAL_LOG(ERR, "memory on socket %d cannot grow to %zu bytes: validator \"%s\" (limit %zu) refused",
		socket, new_len, refused, refused_limit);
	return -ENOMEM;
}

/* ------------------------------------------------------------------------
 * Tests
 */

void
eal__mem_event_reset(void)
{
	struct mem_event_callback *cb;
	struct mem_alloc_validator *v;

	pthread_rwlock_wrlock(&registry_lock);
	while ((cb = callbacks) != NULL) {
		callbacks = cb->next;
		free(cb);
	}
	while ((v = validators) != NULL) {
		validators = v->next;
		free(v);
	}
	pthread_rwlock_unlock(&registry_lock);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mp_pipeline: processes passing buffers through shared memory.
 *
 *   mp_pipeline [EAL options] [-- [--stages N] [--seconds S] [--count N]
 *               [--buffers N] [--buf-size B] [--hugepages-or-skip]]
 *
 * The primary reserves three kinds of memzones: a control block, a pool of
 * fixed-size buffers, and one single-producer/single-consumer ring per
 * hop of a cycle of N stages (ring i goes from stage i to stage i+1,
 * ring N-1 back to stage 0). It then starts N secondaries: this same
 * binary, run again with the primary's --file-prefix and --runtime-dir and
 * a stage number. Every stage attaches, looks the memzones up by name and
 * works on the same memory at the same addresses:
 *
 *   stage 0       takes free buffers from the pool, fills each with a
 *                 payload, a sequence number and a checksum, and sends it
 *                 on; when a buffer comes back around the cycle it checks
 *                 it and puts it back in the pool;
 *   stage 1..N-1  checks each buffer (checksum, sequence, hop count),
 *                 stamps its hop and passes it on.
 *
 * Rings are FIFOs, so every stage sees the sequence numbers in order:
 * a gap is a lost buffer, a step back a duplicate. After the run (S
 * seconds, 3 by default, or N buffers) stage 0 waits until every buffer
 * it sent is back, then counts the pool: every buffer must be there
 * exactly once. The primary prints each process's throughput and a
 * summary, and exits 0 only if nothing was lost, duplicated or corrupted
 * and every stage finished cleanly.
 *
 * Every wait is bounded. A stage that dies (or stops making progress)
 * makes the primary tell the others to leave, and fail with one line
 * naming the stage; a stage whose primary died leaves too.
 *
 * Options after "--" (EAL options such as --no-huge or -m come before):
 *   --stages N           processes in the cycle, 2 to 16 (default 2)
 *   --seconds S          run time; decimals allowed (default 3)
 *   --count N            stop after N buffers (with no --seconds: no time
 *                        limit)
 *   --buffers N          buffers in the pool (default 512)
 *   --buf-size B         bytes per buffer, 128 to 65536, a multiple of 64
 *                        (default 2048)
 *   --hugepages-or-skip  exit 77 (a skipped test) when no hugepages are
 *                        usable; use with the EAL option --huge-required
 *   --inject KIND:I      (tests) make stage I misbehave at its 1000th
 *                        buffer, to show that the checks catch it: kill
 *                        (SIGKILL itself), corrupt (flip a payload bit
 *                        after checking it) or drop (lose it; I >= 1)
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <eal.h>

#define MAX_STAGES 16
#define BURST 32
#define ZONE_CTL "mp_pipeline_ctl"
#define ZONE_POOL "mp_pipeline_pool"
#define ZONE_RING_FMT "mp_pipeline_ring_%u"

/* Bounded waits, in milliseconds. */
#define START_TIMEOUT_MS 30000 /* stages attached and ready */
#define STALL_TIMEOUT_MS 10000 /* no buffer moved anywhere */
#define EXIT_TIMEOUT_MS 5000   /* stages gone after being told to leave */

/* Exit status of a stage. */
#define STAGE_OK 0
#define STAGE_BAD_DATA 1 /* a check failed */
#define STAGE_ABORTED 2  /* told to leave, or its primary died */
#define STAGE_SETUP 3    /* could not attach or find the memzones */

#define EXIT_SKIP 77 /* meson's "skipped" */

/* ctl->abort_run when the primary stopped the run. */
#define ABORT_BY_PRIMARY (MAX_STAGES + 1)

/* Faults --inject can make a stage commit, at its FAULT_AT-th buffer. */
enum fault { FAULT_NONE, FAULT_KILL, FAULT_CORRUPT, FAULT_DROP };
#define FAULT_AT 1000

#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_SEC 1000000000ull

/* ------------------------------------------------------------------------
 * A lock-free single-producer/single-consumer ring of pointers
 *
 * head is written by the producer only, tail by the consumer only; each
 * side keeps its last view of the other's index in its own cache line, so
 * a burst usually costs one load-acquire and one store-release. The
 * release store of head publishes the slots written before it to the
 * consumer; the release store of tail tells the producer those slots may
 * be reused. Indexes run freely and wrap at 2^32; size is a power of two.
 * Shared between processes, the pointers stay valid: libeal maps the
 * memory at the same address everywhere.
 */
/* Atomics shared between processes must not hide a lock in the process. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_LLONG_LOCK_FREE == 2,
	       "32- and 64-bit atomics must be lock-free");

struct spsc_ring {
	uint32_t size;                     /* slots, a power of two */
	uint32_t mask;                     /* size - 1 */
	_Alignas(64) _Atomic uint32_t head; /* next slot to write (producer) */
	uint32_t tail_seen;                /* producer's last view of tail */
	_Alignas(64) _Atomic uint32_t tail; /* next slot to read (consumer) */
	uint32_t head_seen;                /* consumer's last view of head */
	_Alignas(64) void *slots[];
};

static size_t
ring_bytes(uint32_t size)
{
	return sizeof(struct spsc_ring) + (size_t)size * sizeof(void *);
}

static void
ring_init(struct spsc_ring *r, uint32_t size)
{
	r->size = size;
	r->mask = size - 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	r->tail_seen = 0;
	r->head_seen = 0;
}

/* Enqueue up to n pointers; returns how many fit. */
static unsigned int
ring_enqueue(struct spsc_ring *r, void *const *objs, unsigned int n)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint32_t room = r->size - (head - r->tail_seen);

	if (room < n) {
		r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
		room = r->size - (head - r->tail_seen);
		if (n > room)
			n = room;
	}
	for (unsigned int i = 0; i < n; i++)
		r->slots[(head + i) & r->mask] = objs[i];
	atomic_store_explicit(&r->head, head + n, memory_order_release);
	return n;
}

/* Dequeue up to n pointers; returns how many there were. */
static unsigned int
ring_dequeue(struct spsc_ring *r, void **objs, unsigned int n)
{
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t avail = r->head_seen - tail;

	if (avail < n) {
		r->head_seen = atomic_load_explicit(&r->head, memory_order_acquire);
		avail = r->head_seen - tail;
		if (n > avail)
			n = avail;
	}
	for (unsigned int i = 0; i < n; i++)
		objs[i] = r->slots[(tail + i) & r->mask];
	atomic_store_explicit(&r->tail, tail + n, memory_order_release);
	return n;
}

/* ------------------------------------------------------------------------
 * Buffers and the shared control block
 */

/* A buffer: a 64-byte header, then the payload. */
struct buf {
	uint32_t idx;       /* place in the pool; set by the primary, never changed */
	uint32_t hops;      /* stages that checked it since stage 0 filled it */
	uint64_t seq;       /* 1, 2, 3, ... in the order stage 0 filled it */
	uint64_t csum;      /* over payload, idx, seq and hops */
	uint64_t reserved[5];
	uint64_t payload[]; /* (buf_size - 64) / 8 words */
};
_Static_assert(sizeof(struct buf) == 64, "buffer header is one cache line");

struct pool {
	uint32_t n_bufs;
	uint32_t buf_size;
	_Alignas(64) unsigned char bufs[]; /* n_bufs x buf_size */
};

/* Buffer @i of the pool (bufs is cache-line aligned and buf_size a
 * multiple of 64, so every buffer is). */
static struct buf *
pool_buf(struct pool *p, uint32_t i)
{
	return (struct buf *)(void *)(p->bufs + (size_t)i * p->buf_size);
}

/* What each stage reports; written by that stage only. */
struct stage_stats {
	_Alignas(64) _Atomic uint64_t done; /* buffers handled so far (progress);
					     * one cache line per stage */
	_Atomic uint32_t ready; /* attached and waiting for go */
	uint64_t busy_ns;       /* from go to the end of its work */
	uint64_t bad_csum;      /* checksum did not match */
	uint64_t bad_hops;      /* came from the wrong stage */
	uint64_t lost;          /* sequence numbers skipped */
	uint64_t dup;           /* sequence numbers seen again or out of order */
	uint64_t bad_ptr;       /* not a buffer of the pool */
};

struct pipeline_ctl {
	uint32_t n_stages;
	uint32_t n_bufs;
	uint32_t buf_size;
	uint32_t fault;              /* test hook: enum fault */
	uint32_t fault_stage;        /* the stage that commits it */
	uint64_t count;              /* buffers to send; 0: until stop */
	int32_t primary_pid;
	_Atomic uint32_t go;         /* primary: every stage is ready */
	_Atomic uint32_t stop;       /* primary: time is up, send no more */
	_Atomic uint32_t abort_run;  /* everyone leaves: 0, or who said so
				      * (stage + 1, or ABORT_BY_PRIMARY) */
	_Atomic uint32_t drained;    /* stage 0: every buffer is back */
	_Atomic uint64_t sent;       /* stage 0: buffers filled and sent */
	/* Written by stage 0 when it finishes (st[0].done counts the
	 * buffers that came back). */
	uint32_t pool_count;         /* buffers in the pool at the end */
	uint32_t pool_distinct;      /* of which distinct */
	struct stage_stats st[MAX_STAGES];
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void
sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / NSEC_PER_SEC),
			       .tv_nsec = (long)(ns % NSEC_PER_SEC) };

	nanosleep(&ts, NULL);
}

/* Waiting for the other side: spin a little, then yield the CPU (there
 * may be fewer CPUs than stages), then sleep. */
static void
backoff(unsigned int *idle)
{
	if (++*idle < 64)
		return;
	if (*idle < 2048)
		sched_yield();
	else
		sleep_ns(20000);
}

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

static unsigned int
payload_words(uint32_t buf_size)
{
	return (buf_size - (uint32_t)sizeof(struct buf)) / 8;
}

/* The checksum: Fletcher-style sums over the payload (a moved word
 * changes the second sum), bound to the header fields. payload_sum()
 * does the reading; seal() binds the header, so a stage that changes the
 * hop count reads the payload once. */
static uint64_t
payload_sum(const struct buf *b, unsigned int n_words)
{
	uint64_t a = 1, s = 0;

	for (unsigned int i = 0; i < n_words; i++) {
		a += b->payload[i];
		s += a;
	}
	return mix64(s ^ mix64(a));
}

static uint64_t
seal(const struct buf *b, uint64_t psum)
{
	return psum ^ mix64(b->seq ^ ((uint64_t)b->idx << 32 | b->hops));
}

static void
buf_fill(struct buf *b, uint64_t seq, unsigned int n_words)
{
	uint64_t x = mix64(seq) | 1, a = 1, s = 0;

	for (unsigned int i = 0; i < n_words; i++) {
		x ^= x << 13; /* xorshift64 */
		x ^= x >> 7;
		x ^= x << 17;
		b->payload[i] = x;
		a += x;
		s += a;
	}
	b->seq = seq;
	b->hops = 0;
	b->csum = seal(b, mix64(s ^ mix64(a)));
}

/* ------------------------------------------------------------------------
 * Stages (secondary processes)
 */

struct stage {
	unsigned int id;
	struct pipeline_ctl *ctl;
	struct pool *pool;
	struct spsc_ring *in;
	struct spsc_ring *out;
	struct stage_stats *st;
	unsigned int n_words;
	uint64_t next_seq;   /* sequence number expected next from the input */
	enum fault fault;    /* test hook: what to do at the FAULT_AT-th buffer */
};

static bool
buf_in_pool(const struct stage *s, const struct buf *b)
{
	uintptr_t base = (uintptr_t)s->pool->bufs, p = (uintptr_t)b;
	uintptr_t size = s->pool->buf_size;

	return p >= base && p < base + (uintptr_t)s->pool->n_bufs * size &&
	       (p - base) % size == 0 && b->idx == (p - base) / size;
}

/* Check one buffer that arrived and count what is wrong with it. Returns
 * 0 when the run can go on (a corrupted buffer is counted and passed on;
 * *ret_psum is its payload sum), -1 when it cannot: a pointer that is not
 * a buffer of the pool, or a sequence number out of order (a buffer was
 * lost, so stage 0 would wait for it forever, or duplicated). */
static int
stage_check(struct stage *s, struct buf *b, uint32_t hops, uint64_t *ret_psum)
{
	struct stage_stats *st = s->st;

	if (!buf_in_pool(s, b)) {
		st->bad_ptr++;
		fprintf(stderr, "stage %u: received %p, which is not a buffer of the pool\n", s->id,
			(void *)b);
		return -1;
	}
	if (b->seq != s->next_seq) {
		fprintf(stderr, "stage %u: buffer %u has sequence %" PRIu64 ", expected %" PRIu64 ": %s\n",
			s->id, b->idx, b->seq, s->next_seq,
			b->seq < s->next_seq ? "a duplicate" : "buffers were lost");
		if (b->seq < s->next_seq)
			st->dup++;
		else
			st->lost += b->seq - s->next_seq;
		return -1;
	}
	s->next_seq++;
	if (b->hops != hops && st->bad_hops++ < 10)
		fprintf(stderr, "stage %u: buffer %u (sequence %" PRIu64 ") has hop count %u, expected %u\n",
			s->id, b->idx, b->seq, b->hops, hops);
	*ret_psum = payload_sum(b, s->n_words);
	if (b->csum != seal(b, *ret_psum) && st->bad_csum++ < 10)
		fprintf(stderr, "stage %u: buffer %u (sequence %" PRIu64 ") is corrupted: bad checksum\n",
			s->id, b->idx, b->seq);
	return 0;
}

static bool
stage_errors(const struct stage_stats *st)
{
	return st->bad_csum + st->bad_hops + st->lost + st->dup + st->bad_ptr != 0;
}

/* Stop the run: everyone leaves. The first caller is recorded, so the
 * primary can tell the cause from its consequences. */
static void
abort_pipeline(struct pipeline_ctl *ctl, uint32_t who)
{
	uint32_t none = 0;

	atomic_compare_exchange_strong(&ctl->abort_run, &none, who);
}

/* Why a stage must leave now, or NULL: the run was aborted, the primary
 * died (we are its children), or nothing has moved for too long. */
static const char *
stage_must_leave(const struct stage *s, uint64_t last_progress)
{
	if (atomic_load_explicit(&s->ctl->abort_run, memory_order_relaxed))
		return "told to stop: another process failed";
	if (getppid() != s->ctl->primary_pid)
		return "the primary process died";
	if (now_ns() - last_progress > STALL_TIMEOUT_MS * NSEC_PER_MSEC)
		return "no buffer moved for 10 s";
	return NULL;
}

static void
stage_progress(struct stage *s, uint64_t n)
{
	uint64_t done = atomic_load_explicit(&s->st->done, memory_order_relaxed) + n;

	atomic_store_explicit(&s->st->done, done, memory_order_relaxed);
	if (s->fault == FAULT_KILL && done >= FAULT_AT) {
		fprintf(stderr, "stage %u: --inject: killing myself (pid %d) after %" PRIu64 " buffers\n",
			s->id, (int)getpid(), done);
		raise(SIGKILL);
	}
}

/* Stage 0: fill, send, take back, check, and count the pool at the end. */
static int
stage_source(struct stage *s)
{
	struct pipeline_ctl *ctl = s->ctl;
	uint32_t n_bufs = s->pool->n_bufs, n_free = n_bufs, distinct = 0;
	uint64_t sent = 0, returned = 0, last_progress = now_ns(), psum;
	void **free_bufs, *objs[BURST];
	unsigned int idle = 0, n;
	bool sending = true, complete = false;
	uint8_t *seen;
	const char *why;

	/* The pool starts full: every buffer is free, in index order. */
	free_bufs = malloc(n_bufs * sizeof(*free_bufs));
	seen = calloc(n_bufs, 1);
	if (free_bufs == NULL || seen == NULL) {
		fprintf(stderr, "stage 0: out of memory\n");
		free(free_bufs);
		free(seen);
		return STAGE_SETUP;
	}
	for (uint32_t i = 0; i < n_bufs; i++)
		free_bufs[i] = pool_buf(s->pool, n_bufs - 1 - i);

	for (;;) {
		bool moved = false;

		/* Buffers back from the last stage: check them, then free. */
		n = ring_dequeue(s->in, objs, BURST);
		for (unsigned int i = 0; i < n; i++) {
			if (stage_check(s, objs[i], ctl->n_stages - 1, &psum) < 0 || n_free == n_bufs) {
				if (n_free == n_bufs) {
					s->st->dup++;
					fprintf(stderr, "stage 0: more buffers came back than the pool holds\n");
				}
				abort_pipeline(ctl, s->id + 1);
				goto out;
			}
			free_bufs[n_free++] = objs[i];
		}
		returned += n;
		if (n > 0) {
			stage_progress(s, n);
			moved = true;
		}

		/* New buffers, unless the run is over. */
		if (sending && (atomic_load_explicit(&ctl->stop, memory_order_relaxed) ||
				(ctl->count != 0 && sent == ctl->count)))
			sending = false;
		if (sending && n_free > 0) {
			n = n_free < BURST ? n_free : BURST;
			if (ctl->count != 0 && ctl->count - sent < n)
				n = (unsigned int)(ctl->count - sent);
			n_free -= n;
			for (unsigned int i = 0; i < n; i++) {
				struct buf *b = free_bufs[n_free + i];

				buf_fill(b, ++sent, s->n_words);
				if (s->fault == FAULT_CORRUPT && sent == FAULT_AT)
					b->payload[sent % s->n_words] ^= 1;
			}
			atomic_store_explicit(&ctl->sent, sent, memory_order_relaxed);
			/* The ring has a slot for every buffer of the pool, so
			 * it always has room. */
			if (ring_enqueue(s->out, &free_bufs[n_free], n) != n) {
				fprintf(stderr, "stage 0: ring full: the pool has more buffers than the ring has slots\n");
				s->st->bad_ptr++;
				abort_pipeline(ctl, s->id + 1);
				goto out;
			}
			moved = true;
		}

		if (!sending && returned == sent)
			break;
		if (moved) {
			idle = 0;
			last_progress = now_ns();
			continue;
		}
		if (idle % 1024 == 1023 && (why = stage_must_leave(s, last_progress)) != NULL) {
			fprintf(stderr, "stage 0: leaving with %" PRIu64 " of %" PRIu64 " buffers still out: %s\n",
				sent - returned, sent, why);
			goto out;
		}
		backoff(&idle);
	}

	/* Everything is back: count the pool. */
	for (uint32_t i = 0; i < n_free; i++) {
		const struct buf *b = free_bufs[i];

		if (!seen[b->idx])
			distinct++;
		seen[b->idx] = 1;
	}
	if (n_free != n_bufs || distinct != n_bufs)
		fprintf(stderr, "stage 0: the pool holds %u buffers, %u distinct, instead of %u\n", n_free,
			distinct, n_bufs);
	else
		complete = true;
out:
	atomic_store(&ctl->sent, sent);
	ctl->pool_count = n_free;
	ctl->pool_distinct = distinct;
	atomic_store_explicit(&ctl->drained, 1, memory_order_release);
	free(free_bufs);
	free(seen);
	if (stage_errors(s->st))
		return STAGE_BAD_DATA;
	return complete ? STAGE_OK : STAGE_ABORTED;
}

/* Stages 1..N-1: check, stamp, pass on. */
static int
stage_relay(struct stage *s)
{
	uint64_t last_progress = now_ns();
	unsigned int idle = 0, n, kept;
	void *objs[BURST];
	const char *why;

	for (;;) {
		n = ring_dequeue(s->in, objs, BURST);
		if (n == 0) {
			/* Stage 0 sets drained once every buffer is back, so the
			 * rings are empty for good. */
			if (atomic_load_explicit(&s->ctl->drained, memory_order_acquire)) {
				if (!atomic_load(&s->ctl->abort_run))
					break;
				fprintf(stderr, "stage %u: leaving: told to stop: another process failed\n",
					s->id);
				return stage_errors(s->st) ? STAGE_BAD_DATA : STAGE_ABORTED;
			}
			if (idle % 1024 == 1023 && (why = stage_must_leave(s, last_progress)) != NULL) {
				fprintf(stderr, "stage %u: leaving: %s\n", s->id, why);
				return stage_errors(s->st) ? STAGE_BAD_DATA : STAGE_ABORTED;
			}
			backoff(&idle);
			continue;
		}
		kept = 0;
		for (unsigned int i = 0; i < n; i++) {
			struct buf *b = objs[i];
			uint64_t handled = atomic_load_explicit(&s->st->done, memory_order_relaxed) + i + 1;
			uint64_t psum;
			bool intact;

			if (stage_check(s, b, s->id - 1, &psum) < 0) {
				abort_pipeline(s->ctl, s->id + 1);
				return STAGE_BAD_DATA;
			}
			/* Stamp the hop; a damaged buffer stays damaged. */
			intact = b->csum == seal(b, psum);
			b->hops = s->id;
			if (intact)
				b->csum = seal(b, psum);
			if (s->fault == FAULT_CORRUPT && handled == FAULT_AT)
				b->payload[handled % s->n_words] ^= 1;
			if (s->fault == FAULT_DROP && handled == FAULT_AT)
				continue;
			objs[kept++] = b;
		}
		if (ring_enqueue(s->out, objs, kept) != kept) {
			fprintf(stderr, "stage %u: ring full: the pool has more buffers than the ring has slots\n",
				s->id);
			s->st->bad_ptr++;
			abort_pipeline(s->ctl, s->id + 1);
			return STAGE_BAD_DATA;
		}
		stage_progress(s, n);
		idle = 0;
		last_progress = now_ns();
	}
	return stage_errors(s->st) ? STAGE_BAD_DATA : STAGE_OK;
}

static const void *
zone_addr(const char *name)
{
	const struct eal_memzone *mz = eal_memzone_lookup(name);

	return mz != NULL ? mz->addr : NULL;
}

static int
run_stage(unsigned int id)
{
	struct stage s = { .id = id };
	char in_name[EAL_MEMZONE_NAMESIZE], out_name[EAL_MEMZONE_NAMESIZE];
	uint64_t t0, wait_start = now_ns();
	unsigned int idle = 0;
	int rc;

	s.ctl = (struct pipeline_ctl *)zone_addr(ZONE_CTL);
	s.pool = (struct pool *)zone_addr(ZONE_POOL);
	if (s.ctl == NULL || s.pool == NULL || id >= s.ctl->n_stages) {
		fprintf(stderr, "stage %u: memzones %s / %s not found: was this process started by mp_pipeline's primary?\n",
			id, ZONE_CTL, ZONE_POOL);
		return STAGE_SETUP;
	}
	snprintf(in_name, sizeof(in_name), ZONE_RING_FMT, (id + s.ctl->n_stages - 1) % s.ctl->n_stages);
	snprintf(out_name, sizeof(out_name), ZONE_RING_FMT, id);
	s.in = (struct spsc_ring *)zone_addr(in_name);
	s.out = (struct spsc_ring *)zone_addr(out_name);
	if (s.in == NULL || s.out == NULL) {
		fprintf(stderr, "stage %u: ring memzones %s / %s not found\n", id, in_name, out_name);
		return STAGE_SETUP;
	}
	s.st = &s.ctl->st[id];
	s.n_words = payload_words(s.pool->buf_size);
	s.next_seq = 1;
	if (s.ctl->fault_stage == id)
		s.fault = (enum fault)s.ctl->fault;
	printf("stage %u: pid %d attached as a secondary; %s -> stage %u -> %s\n", id, (int)getpid(),
	       in_name, id, out_name);

	atomic_store(&s.st->ready, 1);
	while (!atomic_load(&s.ctl->go)) {
		if (atomic_load(&s.ctl->abort_run) || getppid() != s.ctl->primary_pid ||
		    now_ns() - wait_start > START_TIMEOUT_MS * NSEC_PER_MSEC) {
			fprintf(stderr, "stage %u: the run did not start\n", id);
			return STAGE_ABORTED;
		}
		backoff(&idle);
	}
	t0 = now_ns();
	rc = id == 0 ? stage_source(&s) : stage_relay(&s);
	s.st->busy_ns = now_ns() - t0;
	return rc;
}

/* ------------------------------------------------------------------------
 * The primary
 */

struct options {
	unsigned int stages;
	double seconds;
	bool seconds_set;
	uint64_t count;
	uint32_t buffers;
	uint32_t buf_size;
	bool hugepages_or_skip;
	enum fault fault;
	unsigned int fault_stage;
	int stage; /* >= 0: this process is that stage (a secondary) */
};

static void
usage(const char *prog)
{
	printf("usage: %s [EAL options] [-- [--stages N] [--seconds S] [--count N]\n"
	       "          [--buffers N] [--buf-size B] [--hugepages-or-skip]]\n"
	       "  --stages N           processes in the cycle, 2 to %d (default 2)\n"
	       "  --seconds S          run time in seconds (default 3)\n"
	       "  --count N            stop after N buffers (alone: no time limit)\n"
	       "  --buffers N          buffers in the pool (default 512)\n"
	       "  --buf-size B         bytes per buffer, 128 to 65536, a multiple of 64 (default 2048)\n"
	       "  --hugepages-or-skip  exit 77 when no hugepages are usable\n"
	       "  --inject KIND:I      (tests) stage I misbehaves at its 1000th buffer;\n"
	       "                       KIND is kill, corrupt or drop\n"
	       "EAL options: %s --help\n",
	       prog, MAX_STAGES, prog);
}

static int
parse_u64(const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' || v < min || v > max) {
		fprintf(stderr, "mp_pipeline: %s %s: expected a number from %" PRIu64 " to %" PRIu64 "\n",
			opt, arg, min, max);
		return -1;
	}
	*ret = v;
	return 0;
}

/* --inject KIND:STAGE */
static int
parse_fault(const char *arg, struct options *o)
{
	static const char *const kinds[] = { [FAULT_KILL] = "kill", [FAULT_CORRUPT] = "corrupt",
					     [FAULT_DROP] = "drop" };
	const char *colon = strchr(arg, ':');
	uint64_t v;

	for (unsigned int k = FAULT_KILL; colon != NULL && k <= FAULT_DROP; k++) {
		if (strlen(kinds[k]) != (size_t)(colon - arg) || strncmp(arg, kinds[k], strlen(kinds[k])) != 0)
			continue;
		if (parse_u64("--inject stage", colon + 1, k == FAULT_DROP ? 1 : 0, MAX_STAGES - 1, &v) < 0)
			return -1;
		o->fault = (enum fault)k;
		o->fault_stage = (unsigned int)v;
		return 0;
	}
	fprintf(stderr, "mp_pipeline: --inject %s: expected kill:STAGE, corrupt:STAGE or drop:STAGE\n", arg);
	return -1;
}

/* Application options: argv[0] is the program name. */
static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "stages", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "buffers", required_argument, NULL, 'b' },
		{ "buf-size", required_argument, NULL, 'z' },
		{ "hugepages-or-skip", no_argument, NULL, 'H' },
		{ "inject", required_argument, NULL, 'i' },
		{ "stage", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v = 0;
	char *end;
	int c;

	*o = (struct options){ .stages = 2, .seconds = 3, .buffers = 512, .buf_size = 2048,
			       .stage = -1 };
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u64("--stages", optarg, 2, MAX_STAGES, &v) < 0)
				return -1;
			o->stages = (unsigned int)v;
			break;
		case 's':
			o->seconds = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !(o->seconds > 0 && o->seconds <= 86400)) {
				fprintf(stderr, "mp_pipeline: --seconds %s: expected a duration above 0, at most 86400\n",
					optarg);
				return -1;
			}
			o->seconds_set = true;
			break;
		case 'c':
			if (parse_u64("--count", optarg, 1, UINT64_MAX / 2, &o->count) < 0)
				return -1;
			break;
		case 'b':
			if (parse_u64("--buffers", optarg, 1, 1u << 20, &v) < 0)
				return -1;
			o->buffers = (uint32_t)v;
			break;
		case 'z':
			if (parse_u64("--buf-size", optarg, 128, 65536, &v) < 0 || v % 64 != 0) {
				if (v % 64 != 0)
					fprintf(stderr, "mp_pipeline: --buf-size %s: must be a multiple of 64\n", optarg);
				return -1;
			}
			o->buf_size = (uint32_t)v;
			break;
		case 'H':
			o->hugepages_or_skip = true;
			break;
		case 'i':
			if (parse_fault(optarg, o) < 0)
				return -1;
			break;
		case 'S':
			if (parse_u64("--stage", optarg, 0, MAX_STAGES - 1, &v) < 0)
				return -1;
			o->stage = (int)v;
			break;
		case 'h':
			usage(argv[0]);
			exit(0);
		default:
			usage(argv[0]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mp_pipeline: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->fault != FAULT_NONE && o->fault_stage >= o->stages) {
		fprintf(stderr, "mp_pipeline: --inject: there is no stage %u (%u stages)\n",
			o->fault_stage, o->stages);
		return -1;
	}
	if (o->count != 0 && !o->seconds_set)
		o->seconds = 0; /* no time limit */
	return 0;
}

/* Whether some hugepage size has free pages and a hugetlbfs mount. */
static bool
hugepages_usable(void)
{
	struct eal_hugepage_size sz[EAL_MAX_HUGEPAGE_SIZES];
	int n = eal_hugepage_info_get(sz, EAL_DIM(sz));

	for (int i = 0; i < n; i++)
		if (sz[i].free_pages > 0 && sz[i].mount[0] != '\0')
			return true;
	return false;
}

static int
page_size_cb(const struct eal_memseg_list *msl, void *arg)
{
	uint64_t *page_sz = arg;

	if (msl->page_sz > *page_sz)
		*page_sz = msl->page_sz;
	return 0;
}

struct child {
	pid_t pid;
	bool running;
	int status; /* wait status once it has exited */
};

/* Start stage @id: this binary again, as a secondary of our prefix. */
static pid_t
spawn_stage(unsigned int id, const char *prefix, const char *base, char **log_args,
	    unsigned int n_log)
{
	char prefix_arg[300], base_arg[4200], id_arg[16], exe[4096];
	char *args[32];
	unsigned int n = 0;
	ssize_t len;
	pid_t pid;

	/* Run the file itself rather than /proc/self/exe, so that ps and
	 * top show the stages under this program's name. */
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0) {
		fprintf(stderr, "mp_pipeline: cannot find this program's file: %s\n", strerror(errno));
		return -1;
	}
	exe[len] = '\0';
	snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=%s", prefix);
	snprintf(base_arg, sizeof(base_arg), "--runtime-dir=%s", base);
	snprintf(id_arg, sizeof(id_arg), "%u", id);
	args[n++] = exe;
	args[n++] = (char *)"--proc-type=secondary";
	args[n++] = prefix_arg;
	args[n++] = base_arg;
	for (unsigned int i = 0; i < n_log && n < EAL_DIM(args) - 4; i++)
		args[n++] = log_args[i];
	args[n++] = (char *)"--";
	args[n++] = (char *)"--stage";
	args[n++] = id_arg;
	args[n] = NULL;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execv(exe, args);
		fprintf(stderr, "mp_pipeline: cannot run %s: %s\n", exe, strerror(errno));
		_exit(127);
	}
	return pid;
}

static void
describe_exit(char *buf, size_t size, int status)
{
	if (WIFSIGNALED(status))
		snprintf(buf, size, "was killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status) == STAGE_BAD_DATA)
		snprintf(buf, size, "found a bad buffer (exit status %d)", WEXITSTATUS(status));
	else if (WEXITSTATUS(status) == STAGE_SETUP)
		snprintf(buf, size, "could not attach (exit status %d)", WEXITSTATUS(status));
	else
		snprintf(buf, size, "stopped early (exit status %d)", WEXITSTATUS(status));
}

/* What the primary has seen go wrong. */
struct verdict {
	bool failed;   /* the run failed */
	bool reported; /* its cause was printed */
};

/* Reap stages that exited; a stage that exited with an error, or before
 * the run was over, fails the run. Returns the number still running. */
static unsigned int
reap(struct child *ch, unsigned int n, const struct pipeline_ctl *ctl, struct verdict *v)
{
	unsigned int running = 0;
	uint32_t who;
	char how[128];

	for (unsigned int i = 0; i < n; i++) {
		if (!ch[i].running)
			continue;
		if (waitpid(ch[i].pid, &ch[i].status, WNOHANG) != ch[i].pid) {
			running++;
			continue;
		}
		ch[i].running = false;
		if (WIFEXITED(ch[i].status) && WEXITSTATUS(ch[i].status) == STAGE_OK)
			continue;
		v->failed = true;
		/* A stage that left because another process stopped the run
		 * is a consequence: report the cause, once. */
		who = atomic_load(&ctl->abort_run);
		if (v->reported || (WIFEXITED(ch[i].status) && WEXITSTATUS(ch[i].status) == STAGE_ABORTED &&
				    who != 0 && who != i + 1))
			continue;
		describe_exit(how, sizeof(how), ch[i].status);
		fprintf(stderr, "mp_pipeline: stage %u (pid %d) %s after handling %" PRIu64 " buffers; stopping the pipeline\n",
			i, (int)ch[i].pid, how, atomic_load(&ctl->st[i].done));
		v->reported = true;
	}
	return running;
}

static void
print_stage_line(const struct pipeline_ctl *ctl, unsigned int i, const struct child *ch)
{
	const struct stage_stats *st = &ctl->st[i];
	uint64_t done = atomic_load(&st->done);
	double secs = st->busy_ns / 1e9;
	double rate = secs > 0 ? done / secs : 0;
	char how[128];

	printf("  stage %u (pid %d, secondary): %s %" PRIu64 " buffers", i, (int)ch->pid,
	       i == 0 ? "filled and took back" : "checked and passed on", done);
	if (WIFEXITED(ch->status) && WEXITSTATUS(ch->status) == STAGE_OK)
		printf(" in %.2f s: %.3f M buffers/s, %.2f GB/s", secs, rate / 1e6,
		       rate * ctl->buf_size / 1e9);
	else if (!ch->running) {
		describe_exit(how, sizeof(how), ch->status);
		printf(", then %s", how);
	}
	if (stage_errors(st))
		printf("; errors: %" PRIu64 " corrupted, %" PRIu64 " from the wrong stage, "
		       "%" PRIu64 " lost, %" PRIu64 " duplicated, %" PRIu64 " foreign",
		       st->bad_csum, st->bad_hops, st->lost, st->dup, st->bad_ptr);
	printf("\n");
}

/* Reserve a zeroed memzone, or say why not. */
static void *
reserve(const char *name, size_t len)
{
	const struct eal_memzone *mz = eal_memzone_reserve_aligned(name, len, EAL_SOCKET_ID_ANY, 0, 64);

	if (mz == NULL) {
		fprintf(stderr, "mp_pipeline: eal_memzone_reserve(%s, %zu bytes): %s\n", name, len,
			eal_strerror(eal_errno));
		return NULL;
	}
	memset(mz->addr, 0, len);
	return mz->addr;
}

static void
free_zones(unsigned int n_rings)
{
	char name[EAL_MEMZONE_NAMESIZE];
	const struct eal_memzone *mz;

	for (unsigned int i = 0; i < n_rings; i++) {
		snprintf(name, sizeof(name), ZONE_RING_FMT, i);
		if ((mz = eal_memzone_lookup(name)) != NULL)
			(void)eal_memzone_free(mz);
	}
	if ((mz = eal_memzone_lookup(ZONE_POOL)) != NULL)
		(void)eal_memzone_free(mz);
	if ((mz = eal_memzone_lookup(ZONE_CTL)) != NULL)
		(void)eal_memzone_free(mz);
}

/* One progress line: each stage's rate since the previous line. */
static void
print_progress(const struct pipeline_ctl *ctl, uint64_t since_go, uint64_t interval,
	       uint64_t *last_done)
{
	printf("  %5.1f s:", since_go / 1e9);
	for (unsigned int i = 0; i < ctl->n_stages; i++) {
		uint64_t d = atomic_load_explicit(&ctl->st[i].done, memory_order_relaxed);

		printf(" stage %u %.3f M buffers/s%s", i, (d - last_done[i]) / (interval / 1e9) / 1e6,
		       i + 1 < ctl->n_stages ? "," : "\n");
		last_done[i] = d;
	}
}

/* Watch the stages until the run is over: start them together, stop
 * them when time is up, report progress, notice a stage that died or a
 * pipeline that stopped moving. Returns true when every stage finished
 * cleanly. */
static bool
supervise(struct pipeline_ctl *ctl, struct child *ch, const struct options *o, bool spawn_failed)
{
	struct verdict v = { .failed = spawn_failed, .reported = spawn_failed };
	unsigned int n = o->stages, running = n, ready = 0;
	uint64_t t_start = now_ns(), t_go, t_report, t_move, last_sum = 0;
	uint64_t last_done[MAX_STAGES] = { 0 };
	uint32_t who;

	/* Every stage attached and waiting. */
	while (!v.failed && ready < n) {
		running = reap(ch, n, ctl, &v);
		ready = 0;
		for (unsigned int i = 0; i < n; i++)
			ready += atomic_load(&ctl->st[i].ready);
		if (!v.failed && ready < n && now_ns() - t_start > START_TIMEOUT_MS * NSEC_PER_MSEC) {
			fprintf(stderr, "mp_pipeline: only %u of %u stages attached within %d s\n", ready,
				n, START_TIMEOUT_MS / 1000);
			v.failed = v.reported = true;
		}
		if (!v.failed && ready < n)
			sleep_ns(NSEC_PER_MSEC);
	}

	t_go = t_report = t_move = now_ns();
	if (!v.failed)
		atomic_store(&ctl->go, 1);
	while (!v.failed && (running = reap(ch, n, ctl, &v)) > 0 && !v.failed) {
		uint64_t t = now_ns(), sum = 0;

		for (unsigned int i = 0; i < n; i++)
			sum += atomic_load_explicit(&ctl->st[i].done, memory_order_relaxed);
		if (sum != last_sum) {
			last_sum = sum;
			t_move = t;
		} else if (t - t_move > STALL_TIMEOUT_MS * NSEC_PER_MSEC) {
			fprintf(stderr, "mp_pipeline: no buffer moved for %d s: a stage is stuck; stopping the pipeline\n",
				STALL_TIMEOUT_MS / 1000);
			v.failed = v.reported = true;
			break;
		}
		if (o->seconds > 0 && t - t_go >= (uint64_t)(o->seconds * 1e9))
			atomic_store(&ctl->stop, 1);
		if (t - t_report >= NSEC_PER_SEC) {
			print_progress(ctl, t - t_go, t - t_report, last_done);
			t_report = t;
		}
		sleep_ns(10 * NSEC_PER_MSEC);
	}

	if (v.failed || running > 0) {
		uint64_t t0 = now_ns();

		/* Tell everyone to leave; a stage that does not leave in time
		 * is killed. */
		abort_pipeline(ctl, ABORT_BY_PRIMARY);
		while ((running = reap(ch, n, ctl, &v)) > 0 &&
		       now_ns() - t0 < EXIT_TIMEOUT_MS * NSEC_PER_MSEC)
			sleep_ns(NSEC_PER_MSEC);
		for (unsigned int i = 0; i < n; i++) {
			if (!ch[i].running)
				continue;
			fprintf(stderr, "mp_pipeline: stage %u (pid %d) did not leave within %d s: killing it\n",
				i, (int)ch[i].pid, EXIT_TIMEOUT_MS / 1000);
			kill(ch[i].pid, SIGKILL);
			waitpid(ch[i].pid, &ch[i].status, 0);
			ch[i].running = false;
		}
		who = atomic_load(&ctl->abort_run);
		if (!v.reported && who >= 1 && who <= n)
			fprintf(stderr, "mp_pipeline: stage %u stopped the pipeline\n", who - 1);
		v.failed = true;
	}
	return !v.failed;
}

/* Per-process lines and the summary; true when every buffer came back
 * intact, exactly once. */
static bool
report(const struct pipeline_ctl *ctl, const struct child *ch, bool ok)
{
	uint64_t lost = 0, dup = 0, damaged = 0;
	bool all_seen = true;

	printf("per process:\n  primary (pid %d): created the memzones, started and watched the stages\n",
	       (int)getpid());
	for (unsigned int i = 0; i < ctl->n_stages; i++) {
		const struct stage_stats *st = &ctl->st[i];

		if (ch[i].pid > 0)
			print_stage_line(ctl, i, &ch[i]);
		lost += st->lost;
		dup += st->dup;
		damaged += st->bad_csum + st->bad_hops + st->bad_ptr;
		if (atomic_load(&st->done) != ctl->sent)
			all_seen = false;
	}
	ok = ok && lost == 0 && dup == 0 && damaged == 0 && all_seen && ctl->sent > 0 &&
	     ctl->pool_count == ctl->n_bufs && ctl->pool_distinct == ctl->n_bufs;
	printf("summary: %" PRIu64 " buffers sent through %u stages, %" PRIu64 " came back%s; "
	       "%" PRIu64 " lost, %" PRIu64 " duplicated or out of order, %" PRIu64 " damaged; "
	       "pool: %u of %u buffers back, %u distinct\n",
	       ctl->sent, ctl->n_stages, atomic_load(&ctl->st[0].done),
	       all_seen ? ", every stage saw each one" : ", NOT seen by every stage", lost, dup,
	       damaged, ctl->pool_count, ctl->n_bufs, ctl->pool_distinct);
	return ok;
}

static const char *
page_size_name(uint64_t page_sz, char *buf, size_t size)
{
	if (page_sz >= (1u << 30))
		snprintf(buf, size, "%" PRIu64 " GiB pages (hugepages)", page_sz >> 30);
	else if (page_sz >= (1u << 20))
		snprintf(buf, size, "%" PRIu64 " MiB pages (hugepages)", page_sz >> 20);
	else
		snprintf(buf, size, "%" PRIu64 " KiB pages (shared memory, no hugepages)", page_sz >> 10);
	return buf;
}

/* Create the memzones: control block, pool, rings. */
static struct pipeline_ctl *
create_zones(const struct options *o, uint32_t *ret_ring_size)
{
	struct pipeline_ctl *ctl;
	struct pool *pool;
	uint32_t ring_size = 1;

	/* A ring holds every buffer of the pool, so it is never full. */
	while (ring_size < o->buffers)
		ring_size <<= 1;
	ctl = reserve(ZONE_CTL, sizeof(*ctl));
	pool = ctl == NULL ? NULL : reserve(ZONE_POOL, sizeof(*pool) + (size_t)o->buffers * o->buf_size);
	if (pool == NULL) {
		free_zones(0);
		return NULL;
	}
	for (unsigned int i = 0; i < o->stages; i++) {
		char name[EAL_MEMZONE_NAMESIZE];
		struct spsc_ring *r;

		snprintf(name, sizeof(name), ZONE_RING_FMT, i);
		r = reserve(name, ring_bytes(ring_size));
		if (r == NULL) {
			free_zones(i);
			return NULL;
		}
		ring_init(r, ring_size);
	}
	pool->n_bufs = o->buffers;
	pool->buf_size = o->buf_size;
	for (uint32_t i = 0; i < o->buffers; i++)
		pool_buf(pool, i)->idx = i;
	ctl->n_stages = o->stages;
	ctl->n_bufs = o->buffers;
	ctl->buf_size = o->buf_size;
	ctl->count = o->count;
	ctl->fault = o->fault;
	ctl->fault_stage = o->fault_stage;
	ctl->primary_pid = (int32_t)getpid();
	*ret_ring_size = ring_size;
	return ctl;
}

static int
run_primary(const struct options *o, char **log_args, unsigned int n_log)
{
	struct child ch[MAX_STAGES] = { { 0 } };
	struct pipeline_ctl *ctl;
	char prefix[256], base[4096], *slash, pg[64];
	uint32_t ring_size;
	uint64_t page_sz = 0;
	bool ok, spawn_failed = false;

	if (eal_process_type() != EAL_PROC_PRIMARY) {
		fprintf(stderr, "mp_pipeline: this process is not the primary (does another mp_pipeline "
			"run with this --file-prefix?); mp_pipeline starts its own secondaries\n");
		return 1;
	}
	if (eal_runtime_dir() == NULL) {
		fprintf(stderr, "mp_pipeline: the secondaries need the runtime files: leave out --in-memory and --no-shconf\n");
		return 1;
	}
	/* The runtime dir is <base>/<prefix>: hand both to the stages. */
	snprintf(base, sizeof(base), "%s", eal_runtime_dir());
	slash = strrchr(base, '/');
	if (slash == NULL || slash == base) {
		fprintf(stderr, "mp_pipeline: unexpected runtime dir %s\n", base);
		return 1;
	}
	*slash = '\0';
	snprintf(prefix, sizeof(prefix), "%s", slash + 1);

	ctl = create_zones(o, &ring_size);
	if (ctl == NULL)
		return 1;
	eal_memseg_list_walk(page_size_cb, &page_sz);
	printf("mp_pipeline: primary pid %d, %u stages, %u buffers of %u bytes, rings of %u slots, on %s; ",
	       (int)getpid(), o->stages, o->buffers, o->buf_size, ring_size,
	       page_size_name(page_sz, pg, sizeof(pg)));
	if (o->seconds > 0 && o->count != 0)
		printf("running %.1f s or %" PRIu64 " buffers\n", o->seconds, o->count);
	else if (o->seconds > 0)
		printf("running %.1f s\n", o->seconds);
	else
		printf("running %" PRIu64 " buffers\n", o->count);

	for (unsigned int i = 0; i < o->stages && !spawn_failed; i++) {
		ch[i].pid = spawn_stage(i, prefix, base, log_args, n_log);
		if (ch[i].pid < 0) {
			fprintf(stderr, "mp_pipeline: fork: %s\n", strerror(errno));
			spawn_failed = true;
		}
		ch[i].running = ch[i].pid > 0;
	}
	ok = supervise(ctl, ch, o, spawn_failed);
	ok = report(ctl, ch, ok);
	free_zones(o->stages);
	printf("mp_pipeline: %s\n", ok ? "OK" : "FAILED");
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	char *app_argv[64], *log_args[16];
	int eal_argc = argc, app_argc = 0, consumed, rc;
	unsigned int n_log = 0;
	struct options o;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* EAL options come before "--", the application's after it. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			eal_argc = i;
			break;
		}
	}
	app_argv[app_argc++] = argv[0];
	for (int i = eal_argc + 1; i < argc && app_argc < (int)EAL_DIM(app_argv) - 1; i++)
		app_argv[app_argc++] = argv[i];
	app_argv[app_argc] = NULL;
	if (parse_options(app_argc, app_argv, &o) < 0)
		return 1;
	/* The stages log as the primary was told to. */
	for (int i = 1; i < eal_argc && n_log + 2 <= EAL_DIM(log_args); i++) {
		if (strncmp(argv[i], "--log-level", 11) != 0)
			continue;
		log_args[n_log++] = argv[i];
		if (argv[i][11] == '\0' && i + 1 < eal_argc)
			log_args[n_log++] = argv[++i];
	}

	if (o.stage < 0 && o.hugepages_or_skip && !hugepages_usable()) {
		printf("mp_pipeline: no usable hugepages (free pages and a hugetlbfs mount): skipped\n");
		return EXIT_SKIP;
	}
	consumed = eal_init(eal_argc, argv);
	if (consumed < 0) {
		if (eal_errno == ECANCELED) /* --help, --version */
			return 0;
		fprintf(stderr, "mp_pipeline: eal_init: %s%s\n", eal_strerror(eal_errno),
			eal_errno == EINVAL ? " (options of mp_pipeline go after \"--\")" : "");
		return o.stage >= 0 ? STAGE_SETUP : 1;
	}
	if (consumed + 1 < eal_argc) {
		fprintf(stderr, "mp_pipeline: unexpected argument '%s' (options of mp_pipeline go after \"--\")\n",
			argv[consumed + 1]);
		eal_cleanup();
		return 1;
	}
	rc = o.stage >= 0 ? run_stage((unsigned int)o.stage) : run_primary(&o, log_args, n_log);
	if (eal_cleanup() < 0) {
		fprintf(stderr, "mp_pipeline: eal_cleanup: %s\n", eal_strerror(eal_errno));
		rc = rc != 0 ? rc : 1;
	}
	return rc;
}

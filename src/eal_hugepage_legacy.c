/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Legacy hugepage memory (--legacy-mem): every page is mapped at init and
 * kept until cleanup, one file per page, with physically contiguous pages
 * placed at contiguous virtual addresses (DPDK's eal_legacy_hugepage_init).
 *
 * Unlike DPDK, which maps the whole free pool and then gives back what it
 * does not need (init time grows with the pool), the primary maps only the
 * pages -m / --socket-mem ask for; see docs/memory-modes.md. The primary
 * writes the memseg lists it creates (through eal_memseg_list.c), their
 * memsegs, and mcfg->iova_mode_used; it publishes the page table in
 * <runtime dir>/hugepage_data, from which a secondary maps the same files
 * at the same addresses. Runs inside eal_init's memory stage, with the
 * hugepage directories locked and before anything else can see the lists.
 *
 * The process-local state (page fds, which hold flock(LOCK_SH) as proof
 * of life for other primaries' stale-file cleanup) lives in this file.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_MEMORY

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>

#include "eal_file_layout.h"
#include "eal_internal_cfg.h"
#include "eal_memcfg.h"
#include "eal_os.h"
#include "eal_private.h"

/* One hugepage, from its first mapping to cleanup. */
struct legacy_page {
	void *tmp_va;           /* first mapping (NULL once moved or undone) */
	void *final_va;         /* place in its memseg list (NULL until moved) */
	uint64_t pa;            /* physical address, EAL_BAD_IOVA in VA mode */
	uint64_t size;          /* page size */
	int socket;             /* NUMA node the page is on */
	int fd;                 /* holds flock(LOCK_SH) while mapped */
	unsigned int size_idx;  /* index in cfg->hugepage_info.sizes[] */
	unsigned int file_idx;  /* n of "<prefix>map_<n>" */
	bool linked;            /* the file still has its name */
	bool dirty;             /* the file existed (--huge-unlink=never reuse) */
};

/* What this process holds; one eal_init at a time (eal_init.c's mutex). */
static struct {
	struct legacy_page *pages;
	unsigned int n;
	bool primary;
	char data_path[PATH_MAX]; /* hugepage_data this primary wrote, or "" */
} legacy;

/* ---- the hugepage_data record ---------------------------------------- */

/* The layout is in src/eal_file_layout.h. */
_Static_assert(EAL_HUGEPAGE_DATA_NAME_LEN > EAL_PREFIX_MAX + sizeof("map_4294967295"), "file name room");

static uint64_t
data_checksum(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		/* The checksum field itself counts as zero. */
		unsigned char c = i >= offsetof(struct eal_hugepage_data_hdr, checksum) &&
				  i < sizeof(struct eal_hugepage_data_hdr) ? 0 : p[i];

		h = (h ^ c) * 0x100000001b3ull;
	}
	return h;
}

/* ---- helpers ---------------------------------------------------------- */

/* Page files are opened with O_NOFOLLOW: a link planted under a page
 * file's name gives ELOOP, whose own text does not say what to do. */
#define SYMLINK_REFUSED \
	"it is a symbolic link, which libeal never creates and does not follow (it could redirect writes to another file); remove it"

static const char *
size_str(char *buf, size_t len, uint64_t size)
{
	if (size >= (1ull << 30))
		snprintf(buf, len, "%" PRIu64 " GiB", size >> 30);
	else
		snprintf(buf, len, "%" PRIu64 " kB", size >> 10);
	return buf;
}

static int
page_path(const struct eal_internal_config *cfg, unsigned int size_idx, unsigned int file_idx,
	  char *buf, size_t len)
{
	return eal__hugepage_file_path(buf, len, cfg->hugepage_info.sizes[size_idx].dir,
				       cfg->p.file_prefix, -1, file_idx);
}

/* Unmap, close and (unless the files are kept) unlink every page. The
 * memseg-list range, and so every final mapping, is the caller's. */
static void
pages_release(const struct eal_internal_config *cfg, bool unlink_files)
{
	char path[PATH_MAX];

	for (unsigned int i = 0; i < legacy.n; i++) {
		struct legacy_page *pg = &legacy.pages[i];

		if (pg->tmp_va != NULL)
			(void)eal__os_munmap(pg->tmp_va, (size_t)pg->size);
		if (unlink_files && pg->linked &&
		    page_path(cfg, pg->size_idx, pg->file_idx, path, sizeof(path)) == 0)
			(void)eal__os_unlink(path, true);
		(void)eal__os_close(pg->fd);
	}
	free(legacy.pages);
	legacy.pages = NULL;
	legacy.n = 0;
}

/* ---- step 1: how many pages of each size, per node --------------------- */

struct legacy_plan {
	unsigned int take[EAL_MAX_NUMA_NODES][EAL_MAX_HUGEPAGE_SIZES];
	uint64_t asked[EAL_MAX_NUMA_NODES]; /* bytes, UINT64_MAX: all usable */
	unsigned int total;
};

/* Pages of size @s this primary may take on @node. Legacy discovery
 * counts every usable page on node 0 (DPDK's rule: the node of a page is
 * known only once it is mapped); per-node free counts bound the others. */
static unsigned int
usable_on(const struct eal_hugepage_size_info *s, int node, bool per_node)
{
	uint64_t all = 0, n;

	for (unsigned int k = 0; k < EAL_MAX_NUMA_NODES; k++)
		all += s->num_pages[k];
	if (!per_node || s->n_nodes == 0)
		return node == 0 ? (unsigned int)(all > UINT32_MAX ? UINT32_MAX : all) : 0;
	n = (unsigned int)node < s->n_nodes ? s->node_free_pages[node] : 0;
	return (unsigned int)(n < all ? n : all);
}

static void
enomem_line(const struct eal_internal_config *cfg, int node, uint64_t asked,
	    const unsigned int *found, const char *why)
{
	const struct eal_hugepage_info *hi = &cfg->hugepage_info;
	char sz[32], list[160] = "";
	size_t off = 0;
	uint64_t smallest = 0;

	for (unsigned int s = 0; s < hi->n_sizes; s++) {
		if (!hi->sizes[s].mounted)
			continue;
		smallest = hi->sizes[s].page_size;
		if (off < sizeof(list))
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%u of %s",
						off ? ", " : "", found[s],
						size_str(sz, sizeof(sz), hi->sizes[s].page_size));
	}
	EAL_LOG(ERR, "not enough hugepages for socket %d: asked for %" PRIu64 " MiB (%" PRIu64 " pages of %s), found %s%s; reserve more (eal-hugepages --reserve) or ask for less with -m/--socket-mem",
		node, asked >> 20, smallest ? (asked + smallest - 1) / smallest : 0,
		size_str(sz, sizeof(sz), smallest), off ? list : "none", why);
}

/* Largest size first; a remainder smaller sizes cannot cover takes one
 * more page of the smallest size that has one to spare. */
static int
plan_node(const struct eal_internal_config *cfg, int node, uint64_t want, bool per_node,
	  struct legacy_plan *plan)
{
	const struct eal_hugepage_info *hi = &cfg->hugepage_info;
	unsigned int avail[EAL_MAX_HUGEPAGE_SIZES] = { 0 };
	unsigned int *take = plan->take[node];
	uint64_t left = want, n, asked = 0;

	for (unsigned int s = 0; s < hi->n_sizes; s++) {
		avail[s] = usable_on(&hi->sizes[s], node, per_node);
		n = want == UINT64_MAX ? avail[s] : left / hi->sizes[s].page_size;
		take[s] = (unsigned int)(n < avail[s] ? n : avail[s]);
		if (want != UINT64_MAX)
			left -= (uint64_t)take[s] * hi->sizes[s].page_size;
	}
	for (unsigned int s = hi->n_sizes; want != UINT64_MAX && left > 0 && s-- > 0;) {
		if (take[s] < avail[s] && hi->sizes[s].page_size >= left) {
			take[s]++;
			left = 0;
		}
	}
	if (want != UINT64_MAX && left > 0) {
		enomem_line(cfg, node, want, avail, "");
		return -ENOMEM;
	}
	for (unsigned int s = 0; s < hi->n_sizes; s++) {
		plan->total += take[s];
		asked += (uint64_t)take[s] * hi->sizes[s].page_size;
	}
	/* "All usable pages" is reported as what that came to. */
	plan->asked[node] = want == UINT64_MAX ? asked : want;
	return 0;
}

/* The nodes this machine has, as discovery saw them (at least node 0). */
static unsigned int
nodes_known(const struct eal_hugepage_info *hi)
{
	unsigned int n = 1;

	for (unsigned int s = 0; s < hi->n_sizes; s++)
		if (hi->sizes[s].n_nodes > n)
			n = hi->sizes[s].n_nodes;
	return n;
}

static int
legacy_plan(const struct eal_internal_config *cfg, struct legacy_plan *plan)
{
	const struct eal_params *p = &cfg->p;
	unsigned int n_nodes = nodes_known(&cfg->hugepage_info);
	int rc;

	memset(plan, 0, sizeof(*plan));
	if (p->n_socket_mem == 0)
		return plan_node(cfg, 0, p->memory != 0 ? p->memory : UINT64_MAX, false, plan);
	for (unsigned int node = 0; node < p->n_socket_mem; node++) {
		if (p->socket_mem[node] == 0)
			continue;
		if (node >= n_nodes || (node > 0 && !EAL_HAVE_LIBNUMA)) {
			EAL_LOG(ERR, "--socket-mem asks for %" PRIu64 " MiB on socket %u, but %s; give one value per node, 0 for nodes to skip",
				p->socket_mem[node] >> 20, node,
				node >= n_nodes ? "this machine has no such NUMA node"
						: "libeal was built without libnuma and places memory on socket 0 only");
			return -EINVAL;
		}
		rc = plan_node(cfg, (int)node, p->socket_mem[node], true, plan);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- step 2: map and touch each page --------------------------------- */

/* Open, lock, size, map and touch page @file_idx of size @size_idx into
 * *pg. On failure nothing is left (file unlinked unless it was there). */
static int
map_page(const struct eal_internal_config *cfg, unsigned int size_idx, unsigned int file_idx,
	 struct legacy_page *pg)
{
	uint64_t size = cfg->hugepage_info.sizes[size_idx].page_size, old_size = 0;
	bool unlink_now = cfg->p.huge_unlink == EAL_HUGE_UNLINK_ALWAYS;
	char path[PATH_MAX];
	bool fresh = false;
	void *va = NULL;
	int fd, rc;

	rc = page_path(cfg, size_idx, file_idx, path, sizeof(path));
	if (rc < 0)
		return rc;
	rc = eal__os_open(path, O_CREAT | O_RDWR, 0600, &fd);
	if (rc < 0)
		goto failed;
	/* A file of a live process is never ours to reuse; stale ones were
	 * removed (or kept, with --huge-unlink=never) by discovery. */
	rc = eal__os_flock(fd, LOCK_SH | LOCK_NB);
	if (rc == 0)
		rc = eal__os_fsize(fd, &old_size);
	fresh = rc == 0 && old_size == 0;
	if (rc == 0)
		rc = eal__os_ftruncate(fd, size);
	if (rc < 0)
		goto opened;
	rc = eal__os_mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			  fd, 0, &va);
	if (rc < 0)
		goto opened;
	rc = eal__os_touch_guarded(va);
	if (rc < 0)
		goto mapped;
	if (unlink_now)
		(void)eal__os_unlink(path, true);
	*pg = (struct legacy_page){ .tmp_va = va, .pa = EAL_BAD_IOVA, .size = size, .fd = fd,
				    .size_idx = size_idx, .file_idx = file_idx,
				    .linked = !unlink_now, .dirty = old_size != 0 };
	return 0;

mapped:
	(void)eal__os_munmap(va, (size_t)size);
opened:
	if (fresh)
		(void)eal__os_unlink(path, true);
	(void)eal__os_close(fd);
failed:
	/* ENOMEM (mmap's reservation failed, or SIGBUS at first touch) is the
	 * caller's to report with the counts; anything else is reported here. */
	if (rc == -ELOOP)
		EAL_LOG(ERR, "cannot map hugepage file %s: " SYMLINK_REFUSED, path);
	else if (rc != -ENOMEM)
		EAL_LOG(ERR, "cannot map hugepage file %s: %s; check the hugetlbfs mount and its permissions",
			path, eal_strerror(rc));
	return rc;
}

/* The node of a mapped page: node 0 without libnuma or NUMA support. */
static int
page_node(const void *va)
{
	int node = 0;

	if (eal__os_numa_node_of(va, &node) < 0 || node < 0)
		return 0;
	return node;
}

/* Map the planned pages of @node (all nodes' pages for a plain -m). */
static int
map_node(const struct eal_internal_config *cfg, const struct legacy_plan *plan, int node,
	 bool per_node, unsigned int *next_file)
{
	const struct eal_hugepage_info *hi = &cfg->hugepage_info;
	struct eal_os_numa_policy saved;
	bool prefer = per_node && eal__os_numa_prefer(node, &saved) == 0;
	unsigned int found[EAL_MAX_HUGEPAGE_SIZES] = { 0 };
	int rc = 0;

	for (unsigned int s = 0; s < hi->n_sizes && rc == 0; s++) {
		for (unsigned int k = 0; k < plan->take[node][s]; k++) {
			struct legacy_page *pg = &legacy.pages[legacy.n];

			rc = map_page(cfg, s, next_file[s]++, pg);
			if (rc < 0)
				break;
			legacy.n++;
			pg->socket = page_node(pg->tmp_va);
			/* With --socket-mem a page that landed elsewhere does
			 * not count (MPOL_PREFERRED falls back when the node
			 * has none left). */
			if (!per_node || pg->socket == node)
				found[s]++;
		}
		if (rc == 0 && found[s] < plan->take[node][s])
			rc = -ENOMEM;
	}
	if (prefer)
		(void)eal__os_numa_restore(&saved);
	if (rc == -ENOMEM)
		enomem_line(cfg, node, plan->asked[node], found,
			    " (fewer than discovery counted: another process took pages meanwhile)");
	return rc;
}

static int
legacy_map_all(const struct eal_internal_config *cfg, const struct legacy_plan *plan)
{
	unsigned int next_file[EAL_MAX_HUGEPAGE_SIZES] = { 0 };
	bool per_node = cfg->p.n_socket_mem != 0;
	int rc;

	legacy.pages = calloc(plan->total, sizeof(*legacy.pages));
	if (legacy.pages == NULL)
		return -ENOMEM;
	legacy.n = 0;
	/* Between discovery and the first page: tests shrink the pool here. */
	eal__test_point("legacy-before-touch");
	for (int node = 0; node < EAL_MAX_NUMA_NODES; node++) {
		bool any = false;

		for (unsigned int s = 0; s < EAL_MAX_HUGEPAGE_SIZES; s++)
			any |= plan->take[node][s] != 0;
		if (!any)
			continue;
		rc = map_node(cfg, plan, node, per_node, next_file);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- steps 3 and 4: physical addresses, sort, memseg lists ------------- */

static int
legacy_find_pa(void)
{
	const void **addrs = malloc((size_t)legacy.n * sizeof(*addrs));
	uint64_t *pa = malloc((size_t)legacy.n * sizeof(*pa));
	int rc = -ENOMEM;

	if (addrs == NULL || pa == NULL)
		goto out;
	for (unsigned int i = 0; i < legacy.n; i++)
		addrs[i] = legacy.pages[i].tmp_va;
	rc = eal__iova_virt2phys(addrs, legacy.n, pa);
	for (unsigned int i = 0; rc == 0 && i < legacy.n; i++) {
		if (pa[i] == EAL_BAD_IOVA)
			rc = -EIO;
		legacy.pages[i].pa = pa[i];
	}
	if (rc < 0)
		EAL_LOG(ERR, "cannot read the physical addresses of %u hugepages from pagemap: %s; run with --iova-mode=va",
			legacy.n, eal_strerror(rc));
out:
	free(addrs);
	free(pa);
	return rc;
}

/* Memseg-list order: size (largest first), node, physical address. */
static int
page_cmp(const void *a, const void *b)
{
	const struct legacy_page *x = a, *y = b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	if (x->socket != y->socket)
		return x->socket < y->socket ? -1 : 1;
	if (x->pa != y->pa)
		return x->pa < y->pa ? -1 : 1;
	return x->file_idx < y->file_idx ? -1 : x->file_idx > y->file_idx;
}

static bool
same_list(const struct legacy_page *a, const struct legacy_page *b)
{
	return a->size == b->size && a->socket == b->socket;
}

/* Page @i starts a new physically contiguous run of its list. In VA mode
 * (no physical addresses) each list is one run. */
static bool
run_starts(unsigned int i)
{
	const struct legacy_page *pg = &legacy.pages[i], *prev = pg - 1;

	if (i == 0 || !same_list(prev, pg))
		return true;
	return pg->pa != EAL_BAD_IOVA && pg->pa != prev->pa + prev->size;
}

/* One list per (size, node), sized to its pages plus a one-page hole
 * between runs, which keeps separate runs from looking contiguous. */
static int
legacy_create_lists(struct eal_mem_config *mcfg)
{
	struct eal__msl_spec specs[EAL_MAX_MEMSEG_LISTS];
	unsigned int n = 0;
	char sz[32];

	for (unsigned int i = 0; i < legacy.n; i++) {
		const struct legacy_page *pg = &legacy.pages[i];

		if (i == 0 || !same_list(pg - 1, pg)) {
			if (n == EAL_MAX_MEMSEG_LISTS) {
				EAL_LOG(ERR, "legacy memory needs more than %d memseg lists (page size x node); rebuild with a larger max_memseg_lists",
					EAL_MAX_MEMSEG_LISTS);
				return -ENOSPC;
			}
			specs[n++] = (struct eal__msl_spec){ pg->size, pg->socket, 0 };
		} else if (run_starts(i)) {
			specs[n - 1].n_segs++; /* the hole */
		}
		specs[n - 1].n_segs++;
		if (specs[n - 1].n_segs > EAL_MAX_MEMSEG_PER_LIST) {
			EAL_LOG(ERR, "more than %d pages of %s on socket %d in one memseg list; ask for less memory or rebuild with a larger max_memseg_per_list",
				EAL_MAX_MEMSEG_PER_LIST, size_str(sz, sizeof(sz), pg->size), pg->socket);
			return -ENOSPC;
		}
	}
	return eal__memseg_lists_create(mcfg, specs, n);
}

/* ---- step 5: move each page into its list ------------------------------ */

static int
legacy_remap(struct eal_mem_config *mcfg, enum eal_iova_mode mode)
{
	unsigned int list = 0, idx = 0;
	int rc;

	for (unsigned int i = 0; i < legacy.n; i++) {
		struct legacy_page *pg = &legacy.pages[i];
		struct eal_memseg_list *msl;
		struct eal_memseg *ms;

		if (i > 0 && !same_list(pg - 1, pg)) {
			list++;
			idx = 0;
		} else if (i > 0 && run_starts(i)) {
			idx++; /* leave the hole */
		}
		msl = &mcfg->memsegs[list];
		pg->final_va = EAL_PTR_ADD(msl->base_va, (size_t)idx * pg->size);
		rc = eal__os_mmap_fixed(pg->final_va, (size_t)pg->size, PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_POPULATE, pg->fd, 0);
		if (rc < 0) {
			EAL_LOG(ERR, "cannot move a hugepage to %p in memseg list %u: %s",
				pg->final_va, list, eal_strerror(rc));
			return rc;
		}
		(void)eal__os_munmap(pg->tmp_va, (size_t)pg->size);
		pg->tmp_va = NULL;

		ms = eal_fbarray_get(&msl->memseg_arr, idx);
		memset(ms, 0, sizeof(*ms));
		ms->addr = pg->final_va;
		ms->iova = mode == EAL_IOVA_PA ? pg->pa : (eal_iova_t)(uintptr_t)pg->final_va;
		ms->len = (size_t)pg->size;
		ms->hugepage_sz = pg->size;
		ms->socket_id = pg->socket;
		ms->flags = pg->dirty ? EAL_MEMSEG_FLAG_DIRTY : 0;
		(void)eal_fbarray_set_used(&msl->memseg_arr, idx);
		msl->version++;
		idx++;
	}
	return 0;
}

/* ---- step 6: hugepage_data for secondaries ------------------------------ */

static int
legacy_write_data(const struct eal_internal_config *cfg, enum eal_iova_mode mode)
{
	size_t len = sizeof(struct eal_hugepage_data_hdr) + (size_t)legacy.n * sizeof(struct eal_hugepage_data_entry);
	struct eal_hugepage_data_hdr *h;
	struct eal_hugepage_data_entry *e;
	char path[PATH_MAX];
	int rc;

	rc = eal__runtime_path(legacy.data_path, sizeof(legacy.data_path), EAL_HUGEPAGE_DATA_FILE);
	if (rc == -ENOENT) {
		legacy.data_path[0] = '\0';
		return 0; /* no runtime dir: no secondary can exist */
	}
	if (rc < 0)
		goto failed;
	h = calloc(1, len);
	if (h == NULL) {
		rc = -ENOMEM;
		goto failed;
	}
	e = (struct eal_hugepage_data_entry *)(h + 1);
	*h = (struct eal_hugepage_data_hdr){ .magic = EAL_HUGEPAGE_DATA_MAGIC, .version = EAL_HUGEPAGE_DATA_VERSION,
				       .hdr_size = sizeof(*h), .entry_size = sizeof(*e),
				       .count = legacy.n };
	if (cfg->p.huge_unlink == EAL_HUGE_UNLINK_ALWAYS)
		h->flags |= EAL_HUGEPAGE_DATA_F_UNLINKED;
	for (unsigned int i = 0; i < legacy.n; i++) {
		const struct legacy_page *pg = &legacy.pages[i];
		const char *base;

		rc = page_path(cfg, pg->size_idx, pg->file_idx, path, sizeof(path));
		base = strrchr(path, '/');
		base = base != NULL ? base + 1 : path;
		if (rc == 0 && strlen(base) >= EAL_HUGEPAGE_DATA_NAME_LEN)
			rc = -ENAMETOOLONG;
		if (rc < 0) {
			free(h);
			goto failed;
		}
		memcpy(e[i].name, base, strlen(base) + 1);
		e[i].va = (uint64_t)(uintptr_t)pg->final_va;
		e[i].iova = mode == EAL_IOVA_PA ? pg->pa : e[i].va;
		e[i].size = pg->size;
		e[i].socket = pg->socket;
		e[i].size_idx = pg->size_idx;
	}
	h->checksum = data_checksum(h, len);
	rc = eal__os_write_file_atomic(legacy.data_path, h, len, 0600);
	free(h);
	if (rc == 0)
		return 0;
failed:
	EAL_LOG(ERR, "cannot write the legacy page table %s for secondaries: %s; check the runtime directory (--runtime-dir)",
		legacy.data_path, eal_strerror(rc));
	legacy.data_path[0] = '\0';
	return rc;
}

/* ---- primary ------------------------------------------------------------ */

int
eal__legacy_init(const struct eal_internal_config *cfg, struct eal_mem_config *mcfg)
{
	bool unlink_files = cfg->p.huge_unlink != EAL_HUGE_UNLINK_NEVER;
	enum eal_iova_mode mode;
	struct legacy_plan plan;
	unsigned int runs = 0;
	int rc;

	EAL_ASSERT(legacy.pages == NULL);
	legacy.primary = true;
	legacy.data_path[0] = '\0';
	rc = legacy_plan(cfg, &plan);
	if (rc < 0)
		return rc;
	if (plan.total == 0) {
		EAL_LOG(ERR, "--legacy-mem: nothing to map (no usable hugepages, or --socket-mem asks for none); reserve pages with eal-hugepages --reserve, or ask for memory");
		return -ENOMEM;
	}
	rc = eal__iova_mode_select((enum eal_iova_mode)cfg->p.iova_mode, false, &mode);
	if (rc < 0)
		return rc;
	rc = legacy_map_all(cfg, &plan);
	if (rc < 0)
		goto fail_pages;
	if (mode == EAL_IOVA_PA) {
		rc = legacy_find_pa();
		if (rc < 0)
			goto fail_pages;
	}
	qsort(legacy.pages, legacy.n, sizeof(*legacy.pages), page_cmp);
	rc = legacy_create_lists(mcfg);
	if (rc < 0)
		goto fail_pages;
	rc = legacy_remap(mcfg, mode);
	if (rc < 0)
		goto fail_lists;
	rc = legacy_write_data(cfg, mode);
	if (rc < 0)
		goto fail_lists;
	mcfg->iova_mode_used = mode;
	for (unsigned int i = 0; i < legacy.n; i++)
		runs += run_starts(i);
	EAL_LOG(INFO, "legacy memory: %u hugepages in %u memseg list(s), %u physically contiguous run(s), IOVA as %s",
		legacy.n, mcfg->n_memseg_lists, runs, mode == EAL_IOVA_PA ? "PA" : "VA");
	return 0;

fail_lists:
	eal__memseg_lists_fini(mcfg, true);
fail_pages:
	pages_release(cfg, unlink_files);
	return rc;
}

/* ---- secondary ---------------------------------------------------------- */

/* The memseg the primary recorded at @va, checked against the entry. */
static const struct eal_memseg *
entry_memseg(const struct eal_mem_config *mcfg, const struct eal_hugepage_data_entry *e)
{
	for (unsigned int i = 0; i < mcfg->n_memseg_lists; i++) {
		const struct eal_memseg_list *msl = &mcfg->memsegs[i];
		uint64_t off = e->va - (uint64_t)(uintptr_t)msl->base_va;
		const struct eal_memseg *ms;

		if (off >= msl->len)
			continue;
		if (msl->page_sz != e->size || off % e->size != 0 ||
		    eal_fbarray_is_used((struct eal_fbarray *)(uintptr_t)&msl->memseg_arr,
					(unsigned int)(off / e->size)) != 1)
			return NULL;
		ms = eal_fbarray_get(&msl->memseg_arr, (unsigned int)(off / e->size));
		if (ms == NULL || (uint64_t)(uintptr_t)ms->addr != e->va || ms->iova != e->iova ||
		    ms->socket_id != e->socket)
			return NULL;
		return ms;
	}
	return NULL;
}

/* Check the whole record before mapping anything. */
static int
data_check(const struct eal_internal_config *cfg, const struct eal_mem_config *mcfg,
	   const char *buf, size_t len, const char **ret_why)
{
	const struct eal_hugepage_info *hi = &cfg->hugepage_info;
	const struct eal_hugepage_data_hdr *h = (const void *)buf;
	const struct eal_hugepage_data_entry *e;
	uint64_t used = 0, prev = 0;

	if (len < sizeof(*h) || h->magic != EAL_HUGEPAGE_DATA_MAGIC || h->hdr_size != sizeof(*h)) {
		*ret_why = "not a legacy page table";
		return -EPROTO;
	}
	if (h->version != EAL_HUGEPAGE_DATA_VERSION || h->entry_size != sizeof(*e)) {
		*ret_why = "written by another libeal version";
		return -EPROTO;
	}
	if (len != sizeof(*h) + (uint64_t)h->count * sizeof(*e)) {
		*ret_why = "its length does not match its page count";
		return -EPROTO;
	}
	if (h->checksum != data_checksum(buf, len)) {
		*ret_why = "bad checksum";
		return -EPROTO;
	}
	for (unsigned int i = 0; i < mcfg->n_memseg_lists; i++)
		used += mcfg->memsegs[i].memseg_arr.count;
	if (h->count != used) {
		*ret_why = "its page count differs from the shared config's";
		return -EPROTO;
	}
	e = (const struct eal_hugepage_data_entry *)(h + 1);
	for (unsigned int i = 0; i < h->count; i++, e++) {
		if (memchr(e->name, '\0', sizeof(e->name)) == NULL ||
		    !eal__hugepage_file_is_ours(e->name, cfg->p.file_prefix) ||
		    e->size_idx >= hi->n_sizes || hi->sizes[e->size_idx].page_size != e->size ||
		    hi->sizes[e->size_idx].dir[0] == '\0' || (i > 0 && e->va <= prev) ||
		    entry_memseg(mcfg, e) == NULL) {
			*ret_why = "an entry does not match the shared config";
			return -EPROTO;
		}
		prev = e->va;
	}
	if (h->flags & EAL_HUGEPAGE_DATA_F_UNLINKED) {
		*ret_why = "the primary runs with --huge-unlink=always, so its hugepage files have no names to open; restart it without that option to attach secondaries";
		return -ENOTSUP;
	}
	return 0;
}

/* Map one recorded page at its address; *ret_fd holds its lock. */
static int
attach_page(const struct eal_internal_config *cfg, const struct eal_hugepage_data_entry *e,
	    int *ret_fd)
{
	char path[PATH_MAX];
	uint64_t fsize;
	int n, fd, rc;

	n = snprintf(path, sizeof(path), "%s/%s", cfg->hugepage_info.sizes[e->size_idx].dir,
		     e->name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	rc = eal__os_open(path, O_RDWR, 0, &fd);
	if (rc < 0)
		goto failed;
	rc = eal__os_fsize(fd, &fsize);
	if (rc == 0 && fsize < e->size)
		rc = -EPROTO;
	if (rc == 0)
		rc = eal__os_flock(fd, LOCK_SH | LOCK_NB);
	if (rc == 0)
		rc = eal__os_mmap_fixed((void *)(uintptr_t)e->va, (size_t)e->size,
					PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (rc < 0) {
		(void)eal__os_close(fd);
		goto failed;
	}
	*ret_fd = fd;
	return 0;
failed:
	if (rc == -ELOOP)
		EAL_LOG(ERR, "cannot map the primary's hugepage %s: " SYMLINK_REFUSED, path);
	else
		EAL_LOG(ERR, "cannot map the primary's hugepage %s at 0x%" PRIx64 ": %s%s", path,
			e->va, eal_strerror(rc),
			rc == -ENOENT ? " (is the primary still running?)" : "");
	return rc;
}

int
eal__legacy_attach(const struct eal_internal_config *cfg, struct eal_mem_config *mcfg)
{
	const struct eal_hugepage_data_entry *e;
	const char *why = "";
	char path[PATH_MAX];
	char *buf = NULL;
	size_t len = 0, max;
	int rc;

	EAL_ASSERT(legacy.pages == NULL);
	legacy.primary = false;
	legacy.data_path[0] = '\0';
	rc = eal__runtime_path(path, sizeof(path), EAL_HUGEPAGE_DATA_FILE);
	if (rc < 0)
		return rc;
	max = sizeof(struct eal_hugepage_data_hdr);
	for (unsigned int i = 0; i < mcfg->n_memseg_lists && i < EAL_MAX_MEMSEG_LISTS; i++)
		max += (size_t)mcfg->memsegs[i].memseg_arr.count * sizeof(*e);
	rc = eal__os_read_file_alloc(path, false, max, &buf, &len);
	if (rc == -EFBIG) {
		rc = -EPROTO;
		why = "longer than the shared config allows";
	} else if (rc == 0) {
		rc = data_check(cfg, mcfg, buf, len, &why);
	}
	if (rc < 0) {
		EAL_LOG(ERR, "cannot use the primary's legacy page table %s: %s%s", path,
			why[0] ? why : eal_strerror(rc),
			rc == -EPROTO ? " (corrupt or from another primary)" : "");
		free(buf);
		return rc;
	}
	/* malloc()ed, so aligned for the entries */
	e = (const void *)(buf + sizeof(struct eal_hugepage_data_hdr));
	legacy.n = (unsigned int)((len - sizeof(struct eal_hugepage_data_hdr)) / sizeof(*e));
	legacy.pages = calloc(legacy.n, sizeof(*legacy.pages));
	if (legacy.pages == NULL) {
		legacy.n = 0;
		free(buf);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < legacy.n; i++)
		legacy.pages[i].fd = -1;
	for (unsigned int i = 0; i < legacy.n; i++) {
		rc = attach_page(cfg, &e[i], &legacy.pages[i].fd);
		if (rc < 0)
			break;
		legacy.pages[i].size = e[i].size;
		legacy.pages[i].final_va = (void *)(uintptr_t)e[i].va;
	}
	free(buf);
	if (rc < 0) /* the caller unmaps the range, and so the pages mapped */
		pages_release(cfg, false);
	return rc;
}

/* ---- cleanup ------------------------------------------------------------ */

void
eal__legacy_fini(const struct eal_internal_config *cfg, struct eal_mem_config *mcfg)
{
	bool unlink_files = legacy.primary && cfg->p.huge_unlink != EAL_HUGE_UNLINK_NEVER;

	(void)mcfg;
	/* The range is unmapped: closing the last fd of each file frees its
	 * page back to the pool once it also has no name. */
	pages_release(cfg, unlink_files);
	if (legacy.primary && legacy.data_path[0] != '\0')
		(void)eal__os_unlink(legacy.data_path, true);
	legacy.data_path[0] = '\0';
	legacy.primary = false;
}

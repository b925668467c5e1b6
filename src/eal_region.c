/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The address region: one range of address space that holds everything
 * the processes of an application share, at the same address in each
 * (layout in src/eal_memcfg.h). Owns mcfg->region_len, region_lock and
 * fbarray_va_used.
 *
 * Primary: reserves the head (config slot and fbarray area) at the base
 * (--base-virtaddr, default EAL_DEFAULT_BASE_VIRTADDR) with
 * MAP_FIXED_NOREPLACE; the memseg lists' VA is added right after it once
 * their size is known (eal__region_take_mem), and what they leave unused
 * is given back before the config is marked complete (eal__region_trim).
 * When the base is taken in the primary, the region goes to the first
 * free whole-TiB address of this process instead, with a WARNING: never
 * where the kernel would choose, which is where the secondaries' own
 * libraries and thread stacks go.
 *
 * Secondary: reserves [mem_cfg_addr, +region_len) with one
 * MAP_FIXED_NOREPLACE before it maps anything of the application's; every
 * piece is then mapped over that reservation with MAP_FIXED. A taken range
 * is explained from /proc/self/maps: what sits there, and a base that is
 * free in this process.
 *
 * Inside the region nothing is ever handed back to the kernel while the
 * process uses it: an unmapped piece becomes a PROT_NONE reservation again
 * (eal__region_release), so another thread's mmap cannot land there.
 *
 * Fbarrays get their address space from the fbarray area: a bitmap of
 * EAL_REGION_GRANULE granules in the shared config, under region_lock (a
 * leaf lock). A process killed while holding it can leave a few granules
 * marked: address space lost until the next primary, nothing else.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_MCFG

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eal_memcfg.h"
#include "eal_os.h"
#include "eal_private.h"

#define TIB (1ull << 40)
/* Highest address + 1 of the lower half on x86-64 with 4-level paging;
 * with 5-level paging the kernel too stays below it unless asked, and
 * the user half ends at 2^56 (a primary may have been given a base up
 * there). */
#define USER_VA_END (1ull << 47)
#define USER_VA_END_5LEVEL (1ull << 56)
/* /proc/self/maps of a large process is a few hundred KiB. */
#define MAPS_MAX (16u << 20)

size_t
eal__region_config_len(void)
{
	return EAL_ALIGN_CEIL(sizeof(struct eal_mem_config), EAL_REGION_GRANULE);
}

/* Offset of the fbarray area, and of its end (the head's length). */
static uint64_t
fbarray_off(void)
{
	return eal__region_config_len();
}

uint64_t
eal__region_head_len(void)
{
	return fbarray_off() + EAL_REGION_FBARRAY_LEN;
}

/* The most the region can grow to: head, alignment, every memseg list. */
static uint64_t
max_len(void)
{
	return eal__region_head_len() + (1ull << 30) + (uint64_t)EAL_MAX_MEM_MB * (1ull << 20);
}

/* ---- /proc/self/maps ------------------------------------------------ */

/* Next mapping of a maps text from *pos: [lo, hi) and its name (the path,
 * "[heap]", ... or "" for anonymous memory), or false at the end. */
static bool
maps_next(const char **pos, uint64_t *lo, uint64_t *hi, char *name, size_t name_size)
{
	unsigned long long a, b;
	char line[512];

	while (**pos != '\0') {
		const char *p = *pos, *eol = strchr(p, '\n');
		int used = -1;
		size_t n;

		if (eol == NULL)
			eol = p + strlen(p);
		*pos = *eol == '\n' ? eol + 1 : eol;
		/* One line at a time: sscanf's %s would run on into the next. */
		n = (size_t)(eol - p) < sizeof(line) - 1 ? (size_t)(eol - p) : sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		/* "lo-hi perms offset dev inode   name" */
		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s%n", &a, &b, &used) != 2 || used < 0 ||
		    a >= b)
			continue;
		p = line + used;
		while (*p == ' ' || *p == '\t')
			p++;
		snprintf(name, name_size, "%s", p);
		*lo = a;
		*hi = b;
		return true;
	}
	return false;
}

/* Whether [addr, addr + len) overlaps no mapping of @maps. */
static bool
maps_range_free(const char *maps, uint64_t addr, uint64_t len)
{
	const char *pos = maps;
	uint64_t lo, hi;
	char name[8];

	while (maps_next(&pos, &lo, &hi, name, sizeof(name)))
		if (lo < addr + len && addr < hi)
			return false;
	return true;
}

/*
 * A base for a region of @len bytes that is free in @maps: the first whole
 * TiB from 82 TiB (the default base) up to the lowest PIE binary (85 TiB),
 * then from 32 TiB up, then from 17 TiB (below 16 TiB lies
 * AddressSanitizer's shadow in an ASan process, which a normal process's
 * map cannot show; docs/multi-process.md). 0 when none is.
 */
uint64_t
eal__region_free_base(const char *maps, uint64_t len)
{
	static const uint64_t ranges[][2] = { { 82, 85 }, { 32, 82 }, { 85, 128 }, { 17, 32 } };

	for (size_t r = 0; r < EAL_DIM(ranges); r++)
		for (uint64_t t = ranges[r][0]; t < ranges[r][1]; t++)
			if (t * TIB + len <= USER_VA_END && maps_range_free(maps, t * TIB, len))
				return t * TIB;
	return 0;
}

/*
 * What occupies [addr, addr + len) in @maps, as "[lo, hi) <name>" of the
 * first mapping there, plus how many more there are, into @buf.
 */
void
eal__region_describe_taken(const char *maps, uint64_t addr, uint64_t len, char *buf,
			   size_t size)
{
	const char *pos = maps;
	uint64_t lo, hi, first_lo = 0, first_hi = 0;
	char name[256], first[256] = "";
	unsigned int n = 0;

	while (maps_next(&pos, &lo, &hi, name, sizeof(name))) {
		if (!(lo < addr + len && addr < hi))
			continue;
		if (n++ == 0) {
			first_lo = lo;
			first_hi = hi;
			snprintf(first, sizeof(first), "%s", name[0] != '\0' ? name : "anonymous memory");
		}
	}
	if (n == 0)
		snprintf(buf, size, "a mapping that is gone again");
	else if (n == 1)
		snprintf(buf, size, "[0x%" PRIx64 ", 0x%" PRIx64 ") %s", first_lo, first_hi, first);
	else
		snprintf(buf, size, "[0x%" PRIx64 ", 0x%" PRIx64 ") %s and %u more mapping(s)",
			 first_lo, first_hi, first, n - 1);
}

/* This process's maps text (malloc()ed), or NULL. */
static char *
maps_read(void)
{
	char path[256], *buf = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/self/maps", eal__os_procfs_root());
	if (eal__os_read_file_alloc(path, true, MAPS_MAX, &buf, &len) < 0)
		return NULL;
	return buf;
}

/* ---- reservation ------------------------------------------------------ */

static int
reserve_exact(uint64_t addr, uint64_t len)
{
	void *got;

	if (addr == 0 || addr + len < addr)
		return -EINVAL;
	return eal__os_reserve_va((void *)(uintptr_t)addr, (size_t)len, true, &got);
}


int
eal__region_reserve(uint64_t base, bool base_given, void **ret_addr)
{
	uint64_t len = eal__region_head_len(), alt;
	char where[320], *maps;
	int rc;

	rc = reserve_exact(base, len);
	if (rc == 0) {
		*ret_addr = (void *)(uintptr_t)base;
		return 0;
	}
	if (rc == -ENOMEM) {
		EAL_LOG(ERR, "cannot reserve %" PRIu64 " MiB of address space for the application's shared config, arrays and memory: %s; it is address space only, not memory, but the address-space limit (ulimit -v) counts it: raise the limit",
			len >> 20, eal_strerror(rc));
		return rc;
	}
	/* Taken (EEXIST), or refused (EINVAL: beyond the address space, or
	 * valgrind's or a sanitizer's own range). */
	maps = maps_read();
	alt = maps != NULL ? eal__region_free_base(maps, max_len()) : 0;
	if (maps != NULL && rc == -EEXIST)
		eal__region_describe_taken(maps, base, len, where, sizeof(where));
	else
		snprintf(where, sizeof(where), "%s", eal_strerror(rc));
	free(maps);
	if (alt != 0 && reserve_exact(alt, len) == 0) {
		EAL_LOG(WARNING, "the shared address region cannot start at 0x%" PRIx64 "%s (%s): it starts at 0x%" PRIx64 " instead, which secondaries must find free too; pass a free --base-virtaddr",
			base, base_given ? ", the --base-virtaddr" : "", where, alt);
		*ret_addr = (void *)(uintptr_t)alt;
		return 0;
	}
	EAL_LOG(ERR, "cannot reserve the shared address region at 0x%" PRIx64 " (%s) nor at any free whole-TiB address; pass a free --base-virtaddr",
		base, where);
	return rc == -EEXIST ? -EADDRINUSE : rc;
}

/* The one line for a secondary that cannot reserve the primary's region. */
static void
log_taken(uint64_t addr, uint64_t len)
{
	char where[320] = "unknown: /proc/self/maps is unreadable", alt_text[64] = "";
	char *maps = maps_read();
	uint64_t alt = 0;

	if (maps != NULL) {
		eal__region_describe_taken(maps, addr, len, where, sizeof(where));
		alt = eal__region_free_base(maps, max_len());
		free(maps);
	}
	if (alt != 0)
		snprintf(alt_text, sizeof(alt_text), "=0x%" PRIx64 " (free in this process)", alt);
	EAL_LOG(ERR, "cannot reserve the primary's address region [0x%" PRIx64 ", 0x%" PRIx64 ") in this secondary: it holds %s; start the primary with --base-virtaddr%s, or call eal_init() earlier in this process, before the library load, thread start or mmap that takes the range",
		addr, addr + len, where, alt != 0 ? alt_text : " set to a range free here");
}

int
eal__region_attach(uint64_t addr, uint64_t len)
{
	int rc;

	if (addr == 0 || (addr & (EAL_REGION_GRANULE - 1)) != 0 || len < eal__region_head_len() ||
	    len > max_len() || (len & (eal__os_page_size() - 1)) != 0 || addr + len < addr ||
	    addr + len > USER_VA_END_5LEVEL) {
		EAL_LOG(ERR, "the shared config records the address region [0x%" PRIx64 ", +0x%" PRIx64 "), which no primary creates (zero, unaligned or out of range): the file is corrupt; start a new primary",
			addr, len);
		return -EPROTO;
	}
	rc = reserve_exact(addr, len);
	if (rc == -EEXIST) {
		log_taken(addr, len);
		return -EADDRINUSE;
	}
	if (rc == -ENOMEM) {
		EAL_LOG(ERR, "cannot reserve the primary's memory range [0x%" PRIx64 ", 0x%" PRIx64 "): %s; a secondary reserves the same %" PRIu64 " MiB of address space as the primary (address space only, not memory): raise this process's address-space limit (ulimit -v)",
			addr, addr + len, eal_strerror(rc), len >> 20);
		return rc;
	}
	if (rc < 0)
		EAL_LOG(ERR, "cannot reserve the primary's address region [0x%" PRIx64 ", 0x%" PRIx64 "): %s",
			addr, addr + len, eal_strerror(rc));
	return rc;
}

void
eal__region_unmap(void *addr, uint64_t len)
{
	(void)eal__os_munmap(addr, (size_t)len);
}

static uint64_t
region_addr(const struct eal_mem_config *mcfg)
{
	return mcfg->mem_cfg_addr;
}

bool
eal__region_contains(const struct eal_mem_config *mcfg, const void *addr, size_t len)
{
	uint64_t a = (uint64_t)(uintptr_t)addr;

	return mcfg != NULL && a >= region_addr(mcfg) && a + len >= a &&
	       a + len <= region_addr(mcfg) + mcfg->region_len;
}

int
eal__region_release(const struct eal_mem_config *mcfg, void *addr, size_t len)
{
	if (eal__region_contains(mcfg, addr, len))
		return eal__os_unmap_to_reserved(addr, len);
	return eal__os_munmap(addr, len);
}

int
eal__region_take_mem(struct eal_mem_config *mcfg, uint64_t total, uint64_t align,
		     uint64_t *ret_base)
{
	uint64_t end = region_addr(mcfg) + mcfg->region_len;
	uint64_t base = EAL_ALIGN_CEIL(region_addr(mcfg) + eal__region_head_len(), align);
	char where[320], *maps;
	int rc;

	if (base + total < base)
		return -ENOMEM;
	if (base + total > end) {
		rc = reserve_exact(end, base + total - end);
		if (rc == -EEXIST) {
			maps = maps_read();
			snprintf(where, sizeof(where), "unknown: /proc/self/maps is unreadable");
			if (maps != NULL)
				eal__region_describe_taken(maps, end, base + total - end, where,
							   sizeof(where));
			free(maps);
			EAL_LOG(ERR, "cannot reserve [0x%" PRIx64 ", 0x%" PRIx64 ") for memory next to the shared config: that range holds %s; start the primary with another --base-virtaddr",
				end, base + total, where);
			return -EADDRINUSE;
		}
		if (rc < 0)
			return rc;
		mcfg->region_len = base + total - region_addr(mcfg);
	}
	*ret_base = base;
	return 0;
}

void
eal__region_trim(struct eal_mem_config *mcfg)
{
	uint64_t start = region_addr(mcfg), used = eal__region_head_len();

	if (mcfg->mem_va_len != 0)
		used = mcfg->mem_va_addr + mcfg->mem_va_len - start;
	if (used < mcfg->region_len)
		(void)eal__os_munmap((void *)(uintptr_t)(start + used),
				     (size_t)(mcfg->region_len - used));
	mcfg->region_len = used;
}

void
eal__region_init_shared(struct eal_mem_config *mcfg)
{
	mcfg->region_len = eal__region_head_len();
	eal_rwlock_init(&mcfg->region_lock);
	memset(mcfg->fbarray_va_used, 0, sizeof(mcfg->fbarray_va_used));
}

/* ---- the fbarray area --------------------------------------------- */

static bool
granule_used(const uint64_t *map, uint64_t g)
{
	return (map[g / 64] >> (g % 64)) & 1;
}

static void
granules_mark(uint64_t *map, uint64_t first, uint64_t n, bool used)
{
	for (uint64_t g = first; g < first + n; g++) {
		if (used)
			map[g / 64] |= 1ull << (g % 64);
		else
			map[g / 64] &= ~(1ull << (g % 64));
	}
}

int
eal__region_fbarray_alloc(struct eal_mem_config *mcfg, size_t len, void **ret_addr)
{
	uint64_t need = EAL_ALIGN_CEIL((uint64_t)len, EAL_REGION_GRANULE) / EAL_REGION_GRANULE;
	uint64_t run = 0, g;
	int rc = -ENOMEM;

	if (need == 0 || need > EAL_REGION_FBARRAY_GRANULES)
		return -ENOMEM;
	eal_rwlock_write_lock(&mcfg->region_lock);
	for (g = 0; g < EAL_REGION_FBARRAY_GRANULES; g++) {
		run = granule_used(mcfg->fbarray_va_used, g) ? 0 : run + 1;
		if (run == need) {
			granules_mark(mcfg->fbarray_va_used, g + 1 - need, need, true);
			*ret_addr = (void *)(uintptr_t)(region_addr(mcfg) + fbarray_off() +
							(g + 1 - need) * EAL_REGION_GRANULE);
			rc = 0;
			break;
		}
	}
	eal_rwlock_write_unlock(&mcfg->region_lock);
	return rc;
}

bool
eal__region_in_fbarray_area(const struct eal_mem_config *mcfg, const void *addr, size_t len)
{
	uint64_t a = (uint64_t)(uintptr_t)addr, lo = region_addr(mcfg) + fbarray_off();

	return a >= lo && a + len >= a && a + len <= lo + EAL_REGION_FBARRAY_LEN &&
	       ((a - lo) & (EAL_REGION_GRANULE - 1)) == 0;
}

void
eal__region_fbarray_free(struct eal_mem_config *mcfg, const void *addr, size_t len)
{
	uint64_t off = (uint64_t)(uintptr_t)addr - region_addr(mcfg) - fbarray_off();
	uint64_t n = EAL_ALIGN_CEIL((uint64_t)len, EAL_REGION_GRANULE) / EAL_REGION_GRANULE;

	if (!eal__region_in_fbarray_area(mcfg, addr, len))
		return;
	eal_rwlock_write_lock(&mcfg->region_lock);
	granules_mark(mcfg->fbarray_va_used, off / EAL_REGION_GRANULE, n, false);
	eal_rwlock_write_unlock(&mcfg->region_lock);
}

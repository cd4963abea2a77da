// SPDX-License-Identifier: MIT
// Unit tests for src/lib: strbuf, arena, arrays, hash maps, sorting, work pool, JSON, numbers.
#include "cmocka_all.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/arena.h"
#include "lib/grow.h"
#include "lib/hashmap.h"
#include "lib/jsonw.h"
#include "lib/num.h"
#include "lib/sort.h"
#include "lib/strbuf.h"
#include "lib/workpool.h"

static void strbuf_appends_and_caps(void **state)
{
	struct strbuf sb;
	strbuf_init(&sb, 8);
	assert_int_equal(strbuf_addstr(&sb, "abc"), 0);
	assert_int_equal(strbuf_addf(&sb, "%d", 42), 0);
	assert_string_equal(sb.buf, "abc42");
	assert_int_equal(strbuf_addstr(&sb, "toolong"), -E2BIG);
	assert_string_equal(sb.buf, "abc42"); /* unchanged on failure */
	assert_int_equal(strbuf_add(&sb, "xyz", 3), 0);
	assert_int_equal(sb.len, 8);
	assert_int_equal(strbuf_addch(&sb, 'q'), -E2BIG);
	strbuf_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
}

static void strbuf_detach_gives_ownership(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len;
	char *s;
	strbuf_addstr(&sb, "hello");
	s = strbuf_detach(&sb, &len);
	assert_int_equal(len, 5);
	assert_string_equal(s, "hello");
	assert_int_equal(sb.len, 0);
	free(s);
}

static void arena_allocates_aligned_zeroed(void **state)
{
	struct arena a = ARENA_INIT;
	for (int i = 1; i < 2000; i++) {
		unsigned char *p = arena_alloc(&a, (size_t)i * 7);
		assert_int_equal((uintptr_t)p % 16, 0);
		for (int j = 0; j < i * 7; j++)
			assert_int_equal(p[j], 0);
		memset(p, 0xab, (size_t)i * 7);
	}
	char *s = arena_strndup(&a, "abcdef", 3);
	assert_string_equal(s, "abc");
	arena_reset(&a);
	assert_int_equal(a.used, 0);
	assert_non_null(arena_alloc(&a, 100));
	arena_release(&a);
	assert_null(a.head);
}

static void hashmap_inserts_finds_grows(void **state)
{
	struct hashmap m = HASHMAP_INIT;
	char keys[1000][16];
	bool inserted;

	for (int i = 0; i < 1000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "key-%d", i);
		size_t n = strlen(keys[i]);
		struct hashmap_entry *e =
		    hashmap_put(&m, keys[i], n, hash_bytes(keys[i], n, HASH_SEED), &inserted);
		assert_true(inserted);
		e->value = (void *)(uintptr_t)(i + 1);
	}
	assert_int_equal(m.count, 1000);
	for (int i = 0; i < 1000; i++) {
		size_t n = strlen(keys[i]);
		void *v = hashmap_get(&m, keys[i], n, hash_bytes(keys[i], n, HASH_SEED));
		assert_int_equal((uintptr_t)v, (uintptr_t)(i + 1));
	}
	hashmap_put(&m, "key-5", 5, hash_bytes("key-5", 5, HASH_SEED), &inserted);
	assert_false(inserted);
	assert_null(hashmap_get(&m, "nope", 4, hash_bytes("nope", 4, HASH_SEED)));
	size_t pos = 0, seen = 0;
	while (hashmap_next(&m, &pos))
		seen++;
	assert_int_equal(seen, 1000);
	hashmap_release(&m);
}

static void u64map_sets_and_gets(void **state)
{
	struct u64map m = U64MAP_INIT;
	uint64_t v;
	for (uint64_t i = 0; i < 100000; i += 3)
		u64map_set(&m, i, i * 2);
	assert_true(u64map_get(&m, 300, &v));
	assert_int_equal(v, 600);
	assert_false(u64map_get(&m, 301, &v));
	u64map_set(&m, 300, 7);
	assert_true(u64map_get(&m, 300, &v));
	assert_int_equal(v, 7);
	assert_int_equal(m.count, 33334);
	u64map_release(&m);
}

/* A reserved map takes its keys without growing; a big one (on huge pages) works the same. */
static void u64map_reserve_holds_without_growing(void **state)
{
	struct u64map m = U64MAP_INIT;
	size_t cap;
	uint64_t v;

	u64map_set(&m, 5, 50);
	u64map_reserve(&m, 300000);
	cap = m.cap;
	assert_true((300000 + 1) * 4 <= cap * 3); /* room for 300000 at 3/4 load */
	assert_true(u64map_get(&m, 5, &v));
	assert_int_equal(v, 50);
	for (uint64_t i = 1; i < 300000; i++)
		u64map_set(&m, i * 4096 + 0xc000000000, i);
	assert_int_equal(m.cap, cap);
	assert_int_equal(m.count, 300000);
	for (uint64_t i = 1; i < 300000; i++) {
		assert_true(u64map_get(&m, i * 4096 + 0xc000000000, &v));
		assert_int_equal(v, i);
	}
	u64map_reserve(&m, 10); /* never shrinks */
	assert_int_equal(m.cap, cap);
	u64map_release(&m);
}

static void jsonw_escapes_and_nests(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jsonw w;

	jsonw_init(&w, f, false);
	jsonw_object_begin(&w);
	jsonw_key(&w, "s");
	jsonw_string(&w, "a\"b\\c\n\x01");
	jsonw_key(&w, "list");
	jsonw_array_begin(&w);
	jsonw_u64(&w, 1);
	jsonw_i64(&w, -2);
	jsonw_bool(&w, true);
	jsonw_null(&w);
	jsonw_array_end(&w);
	jsonw_key(&w, "empty");
	jsonw_object_begin(&w);
	jsonw_object_end(&w);
	jsonw_object_end(&w);
	jsonw_finish(&w);
	fclose(f);
	assert_string_equal(buf, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"list\":[1,-2,true,null],"
				 "\"empty\":{}}\n");
	free(buf);
}

static void jsonw_replaces_invalid_utf8(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jsonw w;

	jsonw_init(&w, f, false);
	/* valid 2/3/4-byte sequences pass; a lone continuation, a truncated sequence, an
	 * overlong encoding and a surrogate become U+FFFD */
	jsonw_string(&w,
		     "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\x80|\xe2\x82|\xc0\xaf|\xed\xa0\x80");
	jsonw_finish(&w);
	fclose(f);
	assert_string_equal(buf, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\\ufffd|\\ufffd\\ufffd|"
				 "\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd\"\n");
	free(buf);
}

static void grow_array_keeps_contents_onto_huge_pages(void **state)
{
	uint32_t *a = NULL;
	size_t alloc = 0, n = 3u << 20; /* 12 MiB of uint32_t: past 2 MiB, then copied */
	void *big;

	for (size_t i = 0; i < n; i++) {
		a = grow_array(a, &alloc, i + 1, sizeof(*a));
		a[i] = (uint32_t)(i * 2654435761u);
	}
	assert_true(alloc >= n);
	assert_int_equal((uintptr_t)a % (2u << 20), 0); /* on a 2 MiB boundary */
	for (size_t i = 0; i < n; i++)
		if (a[i] != (uint32_t)(i * 2654435761u))
			fail_msg("element %zu lost in a move", i);
	free(a);
	big = big_alloc(5u << 20);
	assert_non_null(big);
	assert_int_equal((uintptr_t)big % (2u << 20), 0);
	memset(big, 1, 5u << 20);
	free(big);
}

static void u64map_takes_any_key(void **state)
{
	struct u64map m = U64MAP_INIT;
	uint64_t v;
	assert_false(u64map_get(&m, UINT64_MAX, &v));
	u64map_set(&m, UINT64_MAX, 5);
	u64map_set(&m, 0, 6);
	assert_true(u64map_get(&m, UINT64_MAX, &v));
	assert_int_equal(v, 5);
	assert_true(u64map_get(&m, 0, &v));
	assert_int_equal(v, 6);
	assert_int_equal(m.count, 2);
	/* Keys differing only in high bits must not share one probe chain. */
	for (uint64_t k = 1; k <= 20000; k++)
		u64map_set(&m, k << 47, k);
	for (uint64_t k = 1; k <= 20000; k++) {
		assert_true(u64map_get(&m, k << 47, &v));
		assert_int_equal(v, k);
	}
	u64map_release(&m);
}

static void u64map_deletes_keep_chains_whole(void **state)
{
	struct u64map m = U64MAP_INIT;
	uint64_t v;

	/* Many keys, delete every third, the rest must still be found (backward shift). */
	for (uint64_t k = 0; k < 50000; k++)
		u64map_set(&m, k * 7919, k);
	for (uint64_t k = 0; k < 50000; k += 3)
		assert_true(u64map_del(&m, k * 7919));
	assert_false(u64map_del(&m, 3 * 7919));
	for (uint64_t k = 0; k < 50000; k++) {
		bool found = u64map_get(&m, k * 7919, &v);
		assert_int_equal(found, k % 3 != 0);
		if (found)
			assert_int_equal(v, k);
	}
	assert_int_equal(m.count, 50000 - 16667);
	u64map_set(&m, UINT64_MAX, 1);
	assert_true(u64map_del(&m, UINT64_MAX));
	assert_false(u64map_get(&m, UINT64_MAX, &v));
	u64map_release(&m);
}

static void parse_u64_is_strict(void **state)
{
	uint64_t v;
	assert_int_equal(parse_u64("123", &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(parse_u64("18446744073709551615", &v), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_u64("12a", &v), -EINVAL);
	assert_int_equal(parse_u64("", &v), -EINVAL);
	assert_int_equal(parse_u64("-1", &v), -EINVAL);
	double d;
	assert_int_equal(parse_seconds("0.5", &d), 0);
	assert_true(d > 0.49 && d < 0.51);
	assert_int_equal(parse_seconds("x", &d), -EINVAL);
	assert_int_equal(parse_duration_ns("10s", &v), 0);
	assert_int_equal(v, 10000000000ull);
	assert_int_equal(parse_duration_ns("500ms", &v), 0);
	assert_int_equal(v, 500000000ull);
	assert_int_equal(parse_duration_ns("1.5m", &v), 0);
	assert_int_equal(v, 90000000000ull);
	assert_int_equal(parse_duration_ns("10", &v), -EINVAL); /* a unit is required */
	assert_int_equal(parse_duration_ns("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_duration_ns("s", &v), -EINVAL);
	assert_int_equal(parse_duration_ns("-1s", &v), -EINVAL);
}

/* A record of the sort's callers' shape: the key first, then the order it came in. */
struct keyed {
	uint64_t key;
	uint64_t seq;
	uint64_t pad[2];
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A deterministic xorshift, so a failure can be replayed. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void sort_by_u64_key_is_stable_over_any_span(void **state)
{
	const size_t n = 5000;
	/* keys base + step * (0..distinct): within one byte (one pass), addresses in a heap
	 * (four passes), the full range (eight: the top digit decides), all equal (no pass).
	 * Each key comes several times, so stability shows. */
	const struct {
		uint64_t base, step, distinct;
	} cases[] = {
	    {0xc000000000ull, 1, 200},
	    {0xc000000000ull, 397312, n / 3},
	    {0, UINT64_MAX / (n / 3), n / 3},
	    {0xc000000000ull, 0, 1},
	};
	const size_t sizes[] = {16, 24, 32};
	struct keyed *want = calloc(n, sizeof(*want)), *got = calloc(n, sizeof(*got));
	unsigned char *recs = malloc(n * 32), *tmp = malloc(n * 32);
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	for (size_t ci = 0; ci < sizeof(cases) / sizeof(cases[0]); ci++) {
		for (size_t zi = 0; zi < sizeof(sizes) / sizeof(sizes[0]); zi++) {
			size_t size = sizes[zi];
			for (size_t i = 0; i < n; i++) {
				want[i] = (struct keyed){.seq = i};
				want[i].key =
				    cases[ci].base +
				    cases[ci].step * (next_rand(&seed) % cases[ci].distinct);
				memcpy(recs + i * size, &want[i], size);
			}
			sort_by_u64_key(recs, tmp, n, size);
			qsort(want, n, sizeof(*want), keyed_cmp);
			for (size_t i = 0; i < n; i++) {
				memcpy(&got[i], recs + i * size, size);
				assert_int_equal(got[i].key, want[i].key);
				assert_int_equal(got[i].seq, want[i].seq);
			}
		}
	}
	sort_by_u64_key(recs, tmp, 0, 16); /* nothing to sort */
	free(want);
	free(got);
	free(recs);
	free(tmp);
}

static void find_by_u64_key_from_any_finger(void **state)
{
	const size_t n = 3000;
	struct keyed *r = calloc(n, sizeof(*r));
	size_t *order = calloc(n, sizeof(*order)), finger = 0;
	uint64_t seed = 0x2545f4914f6cdd1dull, k = 16;

	assert_int_equal(find_by_u64_key(r, 0, sizeof(*r), 0, &finger), SIZE_MAX);
	for (size_t i = 0; i < n; i++) { /* distinct, ascending, gaps of 8 to 4 KiB */
		r[i].key = k;
		k += 8 + (next_rand(&seed) % 512) * 8;
		order[i] = i;
	}
	/* ascending, descending, then shuffled: every key is found wherever the finger is */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(find_by_u64_key(r, n, sizeof(*r), r[i].key, &finger), i);
	for (size_t i = n; i-- > 0;)
		assert_int_equal(find_by_u64_key(r, n, sizeof(*r), r[i].key, &finger), i);
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = next_rand(&seed) % (i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < n; i++) {
		size_t at = order[i];
		assert_int_equal(find_by_u64_key(r, n, sizeof(*r), r[at].key, &finger), at);
		assert_int_equal(finger, at);
		/* keys between two records, below the first and above the last: absent */
		assert_int_equal(find_by_u64_key(r, n, sizeof(*r), r[at].key + 1, &finger),
				 SIZE_MAX);
	}
	assert_int_equal(find_by_u64_key(r, n, sizeof(*r), 0, &finger), SIZE_MAX);
	assert_int_equal(find_by_u64_key(r, n, sizeof(*r), UINT64_MAX, &finger), SIZE_MAX);
	finger = n + 7; /* stale: searched from the start */
	assert_int_equal(find_by_u64_key(r, n, sizeof(*r), r[n - 1].key, &finger), n - 1);
	free(r);
	free(order);
}

struct pool_tasks {
	unsigned runs[400];
	pthread_t by[400];
	pthread_t caller;
	size_t fail_at;	  /* SIZE_MAX: none */
	bool wait_helper; /* task 0 waits (up to 10 s) until a helper has run a task */
	bool helper_ran;
};

static int pool_task(void *ctx, size_t i)
{
	struct pool_tasks *t = ctx;
	__atomic_fetch_add(&t->runs[i], 1, __ATOMIC_RELAXED);
	t->by[i] = pthread_self();
	if (!pthread_equal(t->by[i], t->caller))
		__atomic_store_n(&t->helper_ran, true, __ATOMIC_RELAXED);
	for (int ms = 0; t->wait_helper && i == 0 && ms < 10000; ms++) {
		if (__atomic_load_n(&t->helper_ran, __ATOMIC_RELAXED))
			break;
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	return i == t->fail_at ? -EIO : 0;
}

static void work_pool_runs_each_task_once(void **state)
{
	static struct pool_tasks t;
	const unsigned threads[] = {1, 2, 4};

	for (size_t k = 0; k < sizeof(threads) / sizeof(threads[0]); k++) {
		struct work_pool *pool = work_pool_new(threads[k]);
		bool helped = false;

		assert_non_null(pool);
		assert_int_equal(work_pool_run(pool, 0, pool_task, &t), 0);
		for (int round = 0; round < 3; round++) { /* the pool is kept between runs */
			memset(&t, 0, sizeof(t));
			t.caller = pthread_self();
			t.fail_at = SIZE_MAX;
			t.wait_helper = round == 0 && threads[k] > 1;
			assert_int_equal(work_pool_run(pool, 400, pool_task, &t), 0);
			for (size_t i = 0; i < 400; i++)
				if (t.runs[i] != 1)
					fail_msg("%u threads, round %d: task %zu ran %u times",
						 threads[k], round, i, t.runs[i]);
			if (round == 0)
				for (size_t i = 0; i < 400; i++)
					helped |= !pthread_equal(t.by[i], pthread_self());
		}
		/* task 0 waits for a helper to take one: helpers exist; with one thread, none */
		assert_int_equal(helped, threads[k] > 1);
		/* a failure stops the claiming and is returned; no task runs twice */
		memset(&t, 0, sizeof(t));
		t.caller = pthread_self();
		t.fail_at = 5;
		assert_int_equal(work_pool_run(pool, 400, pool_task, &t), -EIO);
		for (size_t i = 0; i < 400; i++)
			assert_true(t.runs[i] <= 1);
		assert_int_equal(t.runs[5], 1);
		work_pool_free(pool);
	}
	memset(&t, 0, sizeof(t)); /* no pool: the calling thread alone */
	t.caller = pthread_self();
	t.fail_at = SIZE_MAX;
	assert_int_equal(work_pool_run(NULL, 400, pool_task, &t), 0);
	for (size_t i = 0; i < 400; i++)
		assert_true(t.runs[i] == 1 && pthread_equal(t.by[i], pthread_self()));
	work_pool_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(strbuf_appends_and_caps),
	    cmocka_unit_test(strbuf_detach_gives_ownership),
	    cmocka_unit_test(arena_allocates_aligned_zeroed),
	    cmocka_unit_test(hashmap_inserts_finds_grows),
	    cmocka_unit_test(u64map_sets_and_gets),
	    cmocka_unit_test(u64map_reserve_holds_without_growing),
	    cmocka_unit_test(jsonw_escapes_and_nests),
	    cmocka_unit_test(jsonw_replaces_invalid_utf8),
	    cmocka_unit_test(grow_array_keeps_contents_onto_huge_pages),
	    cmocka_unit_test(u64map_takes_any_key),
	    cmocka_unit_test(u64map_deletes_keep_chains_whole),
	    cmocka_unit_test(parse_u64_is_strict),
	    cmocka_unit_test(sort_by_u64_key_is_stable_over_any_span),
	    cmocka_unit_test(find_by_u64_key_from_any_finger),
	    cmocka_unit_test(work_pool_runs_each_task_once),
	};
	return cmocka_run_group_tests_name("lib", tests, NULL, NULL);
}

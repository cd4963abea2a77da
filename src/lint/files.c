// SPDX-License-Identifier: MIT
// Go package patterns (FILE.go, DIR, DIR/..., ./...) to packages, and go.mod's go directive.
#include "lint/lint.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/grow.h"
#include "lib/strbuf.h"
#include "lib/banned.h"

#define MAX_DEPTH 64 /* directory nesting followed by DIR/... */

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		die("out of memory");
	return p;
}

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (!p)
		die("out of memory");
	if (!strcmp(dir, "."))
		snprintf(p, n, "%s", name);
	else
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_go_file(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && !strcmp(name + n - 3, ".go") && name[0] != '.' && name[0] != '_';
}

static struct lint_package *find_package(struct lint_package_list *l, const char *dir)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->pkgs[i].dir, dir))
			return &l->pkgs[i];
	l->pkgs = grow_array(l->pkgs, &l->alloc, l->n + 1, sizeof(*l->pkgs));
	memset(&l->pkgs[l->n], 0, sizeof(l->pkgs[0]));
	l->pkgs[l->n].dir = xstrdup(dir);
	return &l->pkgs[l->n++];
}

static void package_add_file(struct lint_package *p, char *path)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (!strcmp(p->files[i], path)) {
			free(path);
			return;
		}
	p->files = grow_array(p->files, &p->files_alloc, p->nfiles + 1, sizeof(*p->files));
	p->files[p->nfiles++] = path;
}

/* A directory with its own go.mod is another module: go's ./... stops there, and so do we. */
static bool has_go_mod(const char *dir)
{
	char *mod = path_join(dir, "go.mod");
	struct stat st;
	bool yes = !stat(mod, &st) && S_ISREG(st.st_mode);
	free(mod);
	return yes;
}

/* The path of the go.mod in dir or the nearest directory above it (malloc'd), or NULL. */
static char *go_mod_above(const char *dir)
{
	char *abs = realpath(dir, NULL), *mod = NULL;
	for (int depth = 0; abs && depth < 256 && !mod; depth++) {
		char *slash;
		if (has_go_mod(abs))
			mod = path_join(abs, "go.mod");
		slash = strrchr(abs, '/');
		if (!slash || slash == abs)
			break;
		*slash = '\0';
	}
	free(abs);
	return mod;
}

static bool module_above(const char *dir)
{
	char *mod = go_mod_above(dir);
	free(mod);
	return mod != NULL;
}

/* Adds dir's .go files as a package (none: nothing). Recurses when recursive. */
static int scan_dir(struct lint_package_list *l, const char *dir, bool recursive, bool in_module,
		    int depth, struct cw_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **subdirs = NULL, **files = NULL;
	size_t nsub = 0, suballoc = 0, nfiles = 0, filealloc = 0;
	int ret = 0;

	if (!d)
		return cw_error_set(err, "cannot read directory '%s': %s", dir, strerror(errno));
	in_module = in_module || has_go_mod(dir);
	while ((e = readdir(d))) {
		struct stat st;
		char *p;
		if (e->d_name[0] == '.' || e->d_name[0] == '_')
			continue;
		p = path_join(dir, e->d_name);
		/* go's ./... does not follow symbolic links to directories; neither do we */
		if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode) && !stat(p, &st) &&
		    S_ISDIR(st.st_mode)) {
			free(p);
			continue;
		}
		if (stat(p, &st)) {
			free(p);
			continue;
		}
		/* Inside a module, a directory with its own go.mod is another module: go's ./...
		 * stops there. Outside any module (a GOPATH tree) every module is walked. */
		if (S_ISDIR(st.st_mode) && recursive && strcmp(e->d_name, "vendor") &&
		    strcmp(e->d_name, "testdata") && !(in_module && has_go_mod(p))) {
			subdirs = grow_array(subdirs, &suballoc, nsub + 1, sizeof(*subdirs));
			subdirs[nsub++] = p;
		} else if (S_ISREG(st.st_mode) && is_go_file(e->d_name)) {
			files = grow_array(files, &filealloc, nfiles + 1, sizeof(*files));
			files[nfiles++] = p;
		} else {
			free(p);
		}
	}
	closedir(d);
	if (nfiles) {
		struct lint_package *pkg = find_package(l, dir);
		for (size_t i = 0; i < nfiles; i++)
			package_add_file(pkg,
					 files[i]); /* takes the path; the array is freed below */
	}
	if (nsub)
		qsort(subdirs, nsub, sizeof(*subdirs), cmp_str);
	for (size_t i = 0; i < nsub && !ret; i++) {
		if (depth >= MAX_DEPTH)
			ret = cw_error_set(err, "'%s': directories nested deeper than %d",
					   subdirs[i], MAX_DEPTH);
		else
			ret = scan_dir(l, subdirs[i], true, in_module, depth + 1, err);
	}
	for (size_t i = 0; i < nsub; i++)
		free(subdirs[i]);
	free(subdirs);
	free(files);
	return ret;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d;
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	d = xstrdup(path);
	d[slash - path] = '\0';
	return d;
}

int lint_expand(const char *const *patterns, size_t n, struct lint_package_list *out,
		struct cw_error *err)
{
	for (size_t i = 0; i < n; i++) {
		char *pat = xstrdup(patterns[i]);
		size_t len = strlen(pat), before = out->n;
		bool recursive = false;
		struct stat st;
		int ret = 0;

		if (len >= 3 && !strcmp(pat + len - 3, "...")) {
			recursive = true;
			pat[len - 3] = '\0';
			len -= 3;
			if (len == 0)
				snprintf(pat, 2, ".");
			else if (len > 1 && pat[len - 1] == '/')
				pat[--len] = '\0';
		}
		while (len > 1 && pat[len - 1] == '/')
			pat[--len] = '\0';
		if (stat(pat, &st)) {
			cw_error_set(err, "cannot read '%s': %s", patterns[i], strerror(errno));
			free(pat);
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			ret = scan_dir(out, pat, recursive, module_above(pat), 0, err);
		} else if (S_ISREG(st.st_mode) && !recursive) {
			char *dir = dir_of(pat);
			package_add_file(find_package(out, dir), xstrdup(pat));
			free(dir);
		} else {
			ret = cw_error_set(err, "'%s' is neither a Go file nor a directory",
					   patterns[i]);
		}
		free(pat);
		if (ret)
			return -1;
		if (out->n == before && !S_ISREG(st.st_mode)) {
			bool any = false;
			for (size_t k = 0; k < out->n; k++)
				any = any || out->pkgs[k].nfiles;
			if (!any)
				return cw_error_set(err, "'%s' matched no Go files", patterns[i]),
				       -1;
		}
	}
	for (size_t i = 0; i < out->n; i++) {
		struct lint_package *p = &out->pkgs[i];
		qsort(p->files, p->nfiles, sizeof(*p->files), cmp_str);
		if (!p->go_version)
			p->go_version = lint_go_version_for(p->dir);
	}
	return 0;
}

void lint_package_list_release(struct lint_package_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		for (size_t k = 0; k < l->pkgs[i].nfiles; k++)
			free(l->pkgs[i].files[k]);
		free(l->pkgs[i].files);
		free(l->pkgs[i].dir);
		free(l->pkgs[i].go_version);
	}
	free(l->pkgs);
	memset(l, 0, sizeof(*l));
}

/* The version of a go.mod's `go 1.22` line, or NULL. */
static char *read_go_directive(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	char *ver = NULL;
	if (!f)
		return NULL;
	for (int lines = 0; lines < 10000 && fgets(line, sizeof(line), f); lines++) {
		char *p = line, *end;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "go", 2) || (p[2] != ' ' && p[2] != '\t'))
			continue;
		p += 2;
		while (*p == ' ' || *p == '\t')
			p++;
		end = p;
		while (*end && ((*end >= '0' && *end <= '9') || *end == '.' ||
				(*end >= 'a' && *end <= 'z')))
			end++;
		if (end > p && *p >= '0' && *p <= '9') {
			*end = '\0';
			ver = xstrdup(p);
		}
		break;
	}
	fclose(f);
	return ver;
}

char *lint_go_version_for(const char *dir)
{
	char *mod = go_mod_above(dir), *ver = mod ? read_go_directive(mod) : NULL;
	free(mod);
	return ver;
}

int lint_go_minor(const char *v)
{
	long major, minor;
	char *end;
	if (!v)
		return -1;
	if (!strncmp(v, "go", 2))
		v += 2;
	major = strtol(v, &end, 10);
	if (end == v || *end != '.' || major != 1)
		return -1;
	v = end + 1;
	minor = strtol(v, &end, 10);
	if (end == v || minor < 0 || minor > 1000)
		return -1;
	return (int)minor;
}

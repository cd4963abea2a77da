// SPDX-License-Identifier: MIT
// Reads Go runtime layouts from the DWARF of probe binaries and writes src/gobin/layout_table.c.
//
// Usage: go run . -header src/gobin/layout.h -o OUT -toolchains "go1.22.12 ..."
// -goroots "go1.22.12=GOROOT ..." BINARY...
//
// The fields and constants are the RL_FIELDS / RL_CONSTS lines of layout.h, so the C
// reader (src/gobin/dwarf.c, libdw) and this one (debug/dwarf) resolve the same list
// independently; tests/unit/test_layout.c checks that they agree. Each Go version also
// gets its waitReasonStrings and gStatusStrings from that toolchain's runtime source
// (names.go), keyed by the values of the DWARF constants (checked against iota order).
package main

import (
	"bufio"
	"debug/buildinfo"
	"debug/dwarf"
	"debug/elf"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

type fieldSpec struct{ member, typ, path string }
type constSpec struct{ member, name string }

type field struct {
	off, size int64
	known     bool
}

type constant struct {
	value int64
	known bool
}

type layout struct {
	toolchain    string
	major, minor int
	arch         string
	fields       []field
	consts       []constant
	// every runtime.waitReason* / runtime._G* DW_TAG_constant, for the name tables
	enumConsts map[string]int64
	names      names
}

var (
	reField = regexp.MustCompile(`^\s*X\((\w+), "([^"]*)", "([^"]*)"\)\s*\\?$`)
	reConst = regexp.MustCompile(`^\s*C\((\w+), "([^"]*)"\)\s*\\?$`)
	reVer   = regexp.MustCompile(`^go(\d+)\.(\d+)`)
)

func die(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "runtime-layouts: "+format+"\n", args...)
	os.Exit(1)
}

func parseHeader(path string) ([]fieldSpec, []constSpec) {
	f, err := os.Open(path)
	if err != nil {
		die("%v", err)
	}
	defer f.Close()
	var fs []fieldSpec
	var cs []constSpec
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := reField.FindStringSubmatch(sc.Text()); m != nil {
			fs = append(fs, fieldSpec{m[1], m[2], m[3]})
		} else if m := reConst.FindStringSubmatch(sc.Text()); m != nil {
			cs = append(cs, constSpec{m[1], m[2]})
		}
	}
	if len(fs) == 0 || len(cs) == 0 {
		die("%s: no RL_FIELDS / RL_CONSTS entries", path)
	}
	return fs, cs
}

func peel(t dwarf.Type) dwarf.Type {
	for i := 0; i < 8; i++ {
		td, ok := t.(*dwarf.TypedefType)
		if !ok {
			return t
		}
		t = td.Type
	}
	return t
}

// resolve follows one dotted path; ok is false when a member is missing or a
// non-final member is not a struct.
func resolve(st *dwarf.StructType, path string) (field, bool) {
	if path == "" {
		return field{0, st.ByteSize, true}, true
	}
	var off int64
	cur := st
	parts := strings.Split(path, ".")
	for i, name := range parts {
		var hit *dwarf.StructField
		for _, f := range cur.Field {
			if f.Name == name {
				hit = f
				break
			}
		}
		if hit == nil {
			return field{}, false
		}
		off += hit.ByteOffset
		t := peel(hit.Type)
		if i == len(parts)-1 {
			return field{off, t.Size(), true}, true
		}
		next, ok := t.(*dwarf.StructType)
		if !ok {
			return field{}, false
		}
		cur = next
	}
	return field{}, false
}

func read(path string, fs []fieldSpec, cs []constSpec) layout {
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		die("%s: %v", path, err)
	}
	m := reVer.FindStringSubmatch(bi.GoVersion)
	if m == nil {
		die("%s: unexpected Go version %q", path, bi.GoVersion)
	}
	var l layout
	l.toolchain = bi.GoVersion
	l.major, _ = strconv.Atoi(m[1])
	l.minor, _ = strconv.Atoi(m[2])

	ef, err := elf.Open(path)
	if err != nil {
		die("%s: %v", path, err)
	}
	defer ef.Close()
	switch ef.Machine {
	case elf.EM_X86_64:
		l.arch = "amd64"
	case elf.EM_AARCH64:
		l.arch = "arm64"
	default:
		die("%s: unsupported machine %v", path, ef.Machine)
	}
	d, err := ef.DWARF()
	if err != nil {
		die("%s: %v", path, err)
	}

	wantStruct := map[string]bool{}
	for _, f := range fs {
		wantStruct[f.typ] = true
	}
	wantConst := map[string]bool{}
	for _, c := range cs {
		wantConst[c.name] = true
	}
	structs := map[string]*dwarf.StructType{}
	consts := map[string]int64{}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			die("%s: %v", path, err)
		}
		if e == nil {
			break
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		switch e.Tag {
		case dwarf.TagStructType:
			if wantStruct[name] && structs[name] == nil {
				t, err := d.Type(e.Offset)
				if err != nil {
					die("%s: %s: %v", path, name, err)
				}
				structs[name] = t.(*dwarf.StructType)
			}
		case dwarf.TagConstant:
			wantEnum := strings.HasPrefix(name, "runtime.waitReason") ||
				strings.HasPrefix(name, "runtime._G")
			if _, seen := consts[name]; (wantConst[name] || wantEnum) && !seen {
				if v, ok := e.Val(dwarf.AttrConstValue).(int64); ok {
					consts[name] = v
				}
			}
		}
		if e.Tag != dwarf.TagCompileUnit {
			r.SkipChildren()
		}
	}
	if structs["runtime.g"] == nil {
		die("%s: no runtime.g in DWARF", path)
	}
	for _, f := range fs {
		var got field
		if st := structs[f.typ]; st != nil {
			for _, alt := range strings.Split(f.path, "|") {
				if v, ok := resolve(st, alt); ok {
					got = v
					break
				}
			}
		}
		l.fields = append(l.fields, got)
	}
	for _, c := range cs {
		v, ok := consts[c.name]
		l.consts = append(l.consts, constant{v, ok})
	}
	l.enumConsts = map[string]int64{}
	for name, v := range consts {
		if strings.HasPrefix(name, "runtime.waitReason") || strings.HasPrefix(name, "runtime._G") {
			l.enumConsts[name] = v
		}
	}
	return l
}

func main() {
	header := flag.String("header", "src/gobin/layout.h", "layout.h with RL_FIELDS / RL_CONSTS")
	out := flag.String("o", "", "output file (default stdout)")
	toolchains := flag.String("toolchains", "", "toolchain list for the header comment")
	gorootList := flag.String("goroots", "", "\"go1.22.12=GOROOT ...\": each toolchain's GOROOT, "+
		"whose src/runtime has waitReasonStrings and gStatusStrings")
	flag.Parse()
	fs, cs := parseHeader(*header)
	goroots := map[string]string{}
	for _, kv := range strings.Fields(*gorootList) {
		tc, dir, ok := strings.Cut(kv, "=")
		if !ok || tc == "" || dir == "" {
			die("-goroots: %q is not TOOLCHAIN=GOROOT", kv)
		}
		goroots[tc] = dir
	}

	var ls []layout
	seen := map[string]string{}
	byVersion := map[string]names{}
	for _, p := range flag.Args() {
		l := read(p, fs, cs)
		key := fmt.Sprintf("go%d.%d %s", l.major, l.minor, l.arch)
		if prev, dup := seen[key]; dup {
			die("%s and %s are both %s", prev, p, key)
		}
		seen[key] = p
		root, ok := goroots[l.toolchain]
		if !ok {
			die("%s: no -goroots entry for %s", p, l.toolchain)
		}
		n, err := readNames(root, l.enumConsts)
		if err != nil {
			die("%s (%s): %v", p, l.toolchain, err)
		}
		fmt.Fprintf(os.Stderr, "names: %s: %s\n", key, n.report)
		ver := fmt.Sprintf("go%d_%d", l.major, l.minor)
		if prev, have := byVersion[ver]; have && !prev.equal(n) {
			die("%s: names differ between arches of go%d.%d", p, l.major, l.minor)
		}
		byVersion[ver] = n
		l.names = n
		ls = append(ls, l)
	}
	if len(ls) == 0 {
		die("no binaries")
	}
	sort.Slice(ls, func(i, j int) bool {
		a, b := ls[i], ls[j]
		if a.major != b.major {
			return a.major < b.major
		}
		if a.minor != b.minor {
			return a.minor < b.minor
		}
		return a.arch < b.arch
	})

	var b strings.Builder
	tcs := *toolchains
	if tcs == "" {
		var names []string
		for _, l := range ls {
			names = append(names, l.toolchain)
		}
		tcs = strings.Join(names, " ")
	}
	fmt.Fprintf(&b, "// SPDX-License-Identifier: MIT\n")
	fmt.Fprintf(&b, "// Go runtime layouts per Go version and arch (see layout.h).\n")
	// clang-format off comes before the long "generated" line so formatters keep it whole.
	fmt.Fprintf(&b, "// clang-format off\n")
	fmt.Fprintf(&b, "//\n// generated by tools/gen-runtime-layouts from %s; do not edit\n", tcs)
	fmt.Fprintf(&b, "#include \"gobin/layout.h\"\n#include \"lib/banned.h\"\n\n")
	var vers []string
	for _, l := range ls {
		ver := fmt.Sprintf("go%d_%d", l.major, l.minor)
		if len(vers) == 0 || vers[len(vers)-1] != ver {
			vers = append(vers, ver)
		}
	}
	for _, ver := range vers {
		n := byVersion[ver]
		dotted := strings.Replace(ver, "_", ".", 1)
		writeNameArray(&b, ver+"_wait_reasons", dotted+" runtime.waitReasonStrings",
			n.waits, n.waitOK)
		writeNameArray(&b, ver+"_status_names", dotted+" runtime.gStatusStrings",
			n.status, n.statusOK)
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "const struct runtime_layout runtime_layout_table[] = {\n")
	for _, l := range ls {
		key := fmt.Sprintf("go%d.%d %s", l.major, l.minor, l.arch)
		fmt.Fprintf(&b, "/* BEGIN %s */\n{\n", key)
		fmt.Fprintf(&b, "\t.go_min = {%d, %d},\n\t.go_max = {%d, %d},\n", l.major, l.minor, l.major, l.minor)
		fmt.Fprintf(&b, "\t.arch = GO_ARCH_%s,\n\t.ptr_size = 8,\n", strings.ToUpper(l.arch))
		fmt.Fprintf(&b, "\t.toolchain = %q,\n", l.toolchain)
		for i, f := range fs {
			v := l.fields[i]
			if v.known {
				fmt.Fprintf(&b, "\t.%s = {%d, %d, 1},\n", f.member, v.off, v.size)
			} else {
				fmt.Fprintf(&b, "\t.%s = {0, 0, 0}, /* absent */\n", f.member)
			}
		}
		for i, c := range cs {
			v := l.consts[i]
			if v.known {
				fmt.Fprintf(&b, "\t.%s = {%d, 1},\n", c.member, v.value)
			} else {
				fmt.Fprintf(&b, "\t.%s = {0, 0}, /* absent */\n", c.member)
			}
		}
		ver := fmt.Sprintf("go%d_%d", l.major, l.minor)
		fmt.Fprintf(&b, "\t.wait_reasons = %s_wait_reasons,\n\t.nwait_reasons = %d,\n", ver,
			len(l.names.waits))
		fmt.Fprintf(&b, "\t.status_names = %s_status_names,\n\t.nstatus_names = %d,\n", ver,
			len(l.names.status))
		fmt.Fprintf(&b, "},\n/* END %s */\n", key)
	}
	fmt.Fprintf(&b, "};\n\nconst unsigned runtime_layout_table_len =\n")
	fmt.Fprintf(&b, "\tsizeof(runtime_layout_table) / sizeof(runtime_layout_table[0]);\n")
	fmt.Fprintf(&b, "// clang-format on\n")

	if *out == "" {
		os.Stdout.WriteString(b.String())
		return
	}
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		die("%v", err)
	}
}

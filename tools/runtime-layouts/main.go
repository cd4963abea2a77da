// SPDX-License-Identifier: MIT
// Reads Go runtime layouts from the DWARF of probe binaries and writes src/gobin/layout_table.c.
//
// Usage: go run . -header src/gobin/layout.h -o OUT -toolchains "go1.22.12 ..." BINARY...
//
// The fields and constants are the RL_FIELDS / RL_CONSTS lines of layout.h, so the C
// reader (src/gobin/dwarf.c, libdw) and this one (debug/dwarf) resolve the same list
// independently; tests/unit/test_layout.c checks that they agree.
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
			if _, seen := consts[name]; wantConst[name] && !seen {
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
	return l
}

func main() {
	header := flag.String("header", "src/gobin/layout.h", "layout.h with RL_FIELDS / RL_CONSTS")
	out := flag.String("o", "", "output file (default stdout)")
	toolchains := flag.String("toolchains", "", "toolchain list for the header comment")
	flag.Parse()
	fs, cs := parseHeader(*header)

	var ls []layout
	seen := map[string]string{}
	for _, p := range flag.Args() {
		l := read(p, fs, cs)
		key := fmt.Sprintf("go%d.%d %s", l.major, l.minor, l.arch)
		if prev, dup := seen[key]; dup {
			die("%s and %s are both %s", prev, p, key)
		}
		seen[key] = p
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

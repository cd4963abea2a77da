// SPDX-License-Identifier: MIT
// The names Go prints for wait reasons and goroutine statuses, from each toolchain's runtime source.
//
// waitReasonStrings (runtime2.go) and gStatusStrings (traceback.go) are keyed by constant
// names. Each name's value is taken twice, independently: from the probe's DWARF constant
// (runtime.waitReasonX, runtime._GX) and from the iota order of the constant's declaration
// in the source. They must agree wherever both exist, or the generator fails.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// names is one Go version's tables, indexed by value; ok[i] is false for a gap.
type names struct {
	waits    []string
	waitOK   []bool
	status   []string
	statusOK []bool
	report   string // one line for stderr: how the values were checked
}

func (a names) equal(b names) bool {
	eq := func(x, y []string, xo, yo []bool) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] || xo[i] != yo[i] {
				return false
			}
		}
		return true
	}
	return eq(a.waits, b.waits, a.waitOK, b.waitOK) &&
		eq(a.status, b.status, a.statusOK, b.statusOK)
}

// runtimeSource is what readRuntimeSource finds in $GOROOT/src/runtime.
type runtimeSource struct {
	iota        map[string]int64 // waitReason* / _G* constants whose value is their iota
	waitStrings []keyed          // waitReasonStrings, in source order
	gStrings    []keyed          // gStatusStrings, in source order
}

type keyed struct{ key, value string }

// readRuntimeSource parses the non-test .go files of goroot/src/runtime that mention the
// names it needs. The runtime package is the toolchain's own, so it is trusted input; a
// shape this parser does not know is still an error, never a guess.
func readRuntimeSource(goroot string) (runtimeSource, error) {
	rs := runtimeSource{iota: map[string]int64{}}
	dir := filepath.Join(goroot, "src", "runtime")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return rs, err
	}
	fset := token.NewFileSet()
	for _, e := range ents {
		n := e.Name()
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return rs, err
		}
		if !bytes.Contains(src, []byte("waitReason")) && !bytes.Contains(src, []byte("_Gidle")) {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), src, parser.SkipObjectResolution)
		if err != nil {
			return rs, err
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			switch gd.Tok {
			case token.CONST:
				if err := iotaConsts(gd, rs.iota); err != nil {
					return rs, fmt.Errorf("%s: %v", n, err)
				}
			case token.VAR:
				for _, sp := range gd.Specs {
					vs := sp.(*ast.ValueSpec)
					for i, id := range vs.Names {
						var dst *[]keyed
						switch id.Name {
						case "waitReasonStrings":
							dst = &rs.waitStrings
						case "gStatusStrings":
							dst = &rs.gStrings
						default:
							continue
						}
						if *dst != nil {
							return rs, fmt.Errorf("%s: %s declared twice", n, id.Name)
						}
						if i >= len(vs.Values) {
							return rs, fmt.Errorf("%s: %s has no value", n, id.Name)
						}
						kv, err := stringTable(vs.Values[i])
						if err != nil {
							return rs, fmt.Errorf("%s: %s: %v", n, id.Name, err)
						}
						*dst = kv
					}
				}
			}
		}
	}
	if rs.waitStrings == nil || rs.gStrings == nil {
		return rs, fmt.Errorf("%s: waitReasonStrings or gStatusStrings not found", dir)
	}
	return rs, nil
}

// iotaConsts records, for one const block, the waitReason* / _G* names whose value is
// plain iota (the spec's own "= iota" or one repeated implicitly from the line above).
func iotaConsts(gd *ast.GenDecl, out map[string]int64) error {
	var last []ast.Expr
	for i, sp := range gd.Specs {
		vs := sp.(*ast.ValueSpec)
		if len(vs.Values) > 0 {
			last = vs.Values
		}
		isIota := len(last) == 1
		if isIota {
			id, ok := last[0].(*ast.Ident)
			isIota = ok && id.Name == "iota"
		}
		if !isIota || len(vs.Names) != 1 {
			continue
		}
		n := vs.Names[0].Name
		if !strings.HasPrefix(n, "waitReason") && !strings.HasPrefix(n, "_G") {
			continue
		}
		if prev, dup := out[n]; dup && prev != int64(i) {
			return fmt.Errorf("%s declared twice (iota %d and %d)", n, prev, i)
		}
		out[n] = int64(i)
	}
	return nil
}

// stringTable reads `[...]string{name: "text", ...}`.
func stringTable(e ast.Expr) ([]keyed, error) {
	cl, ok := e.(*ast.CompositeLit)
	if !ok {
		return nil, fmt.Errorf("not a composite literal")
	}
	var kv []keyed
	for _, el := range cl.Elts {
		p, ok := el.(*ast.KeyValueExpr)
		if !ok {
			return nil, fmt.Errorf("element without a key")
		}
		k, ok := p.Key.(*ast.Ident)
		if !ok {
			return nil, fmt.Errorf("key is not a constant name")
		}
		lit, ok := p.Value.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return nil, fmt.Errorf("%s: value is not a string literal", k.Name)
		}
		v, err := strconv.Unquote(lit.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", k.Name, err)
		}
		kv = append(kv, keyed{k.Name, v})
	}
	return kv, nil
}

// index places each string at its constant's value: DWARF and iota must agree where both
// are known, and one of them must be.
func index(kv []keyed, prefix string, dwarfVals, iotaVals map[string]int64) ([]string, []bool, string, error) {
	var strs []string
	var ok []bool
	both, dwarfOnly, iotaOnly := 0, 0, 0
	for _, p := range kv {
		dv, inD := dwarfVals["runtime."+p.key]
		iv, inI := iotaVals[p.key]
		var v int64
		switch {
		case inD && inI:
			if dv != iv {
				return nil, nil, "", fmt.Errorf("%s: DWARF %d, iota %d", p.key, dv, iv)
			}
			v = dv
			both++
		case inD:
			v = dv
			dwarfOnly++
		case inI:
			v = iv
			iotaOnly++
		default:
			return nil, nil, "", fmt.Errorf("%s: no value (not in DWARF, not iota)", p.key)
		}
		if v < 0 || v > 255 {
			return nil, nil, "", fmt.Errorf("%s = %d: out of range", p.key, v)
		}
		for int64(len(strs)) <= v {
			strs = append(strs, "")
			ok = append(ok, false)
		}
		if ok[v] {
			return nil, nil, "", fmt.Errorf("%s: value %d named twice", p.key, v)
		}
		strs[v], ok[v] = p.value, true
	}
	// Every DWARF constant of the enum that has no string is worth a line (not an error:
	// e.g. _Gscan* and _Gmoribund_unused have none).
	var unnamed []string
	named := map[string]bool{}
	for _, p := range kv {
		named[p.key] = true
	}
	for n := range dwarfVals {
		short := strings.TrimPrefix(n, "runtime.")
		if strings.HasPrefix(short, prefix) && !named[short] {
			unnamed = append(unnamed, short)
		}
	}
	sort.Strings(unnamed)
	rep := fmt.Sprintf("%d names (%d DWARF==iota, %d DWARF only, %d iota only)",
		len(kv), both, dwarfOnly, iotaOnly)
	if len(unnamed) > 0 && prefix == "waitReason" {
		rep += fmt.Sprintf("; DWARF constants without a string: %s", strings.Join(unnamed, " "))
	}
	return strs, ok, rep, nil
}

func readNames(goroot string, dwarfVals map[string]int64) (names, error) {
	var n names
	rs, err := readRuntimeSource(goroot)
	if err != nil {
		return n, err
	}
	var rw, rg string
	n.waits, n.waitOK, rw, err = index(rs.waitStrings, "waitReason", dwarfVals, rs.iota)
	if err != nil {
		return n, fmt.Errorf("waitReasonStrings: %v", err)
	}
	n.status, n.statusOK, rg, err = index(rs.gStrings, "_G", dwarfVals, rs.iota)
	if err != nil {
		return n, fmt.Errorf("gStatusStrings: %v", err)
	}
	n.report = "waitReasonStrings: " + rw + "; gStatusStrings: " + rg
	return n, nil
}

// cString quotes s for C; the runtime's names are printable ASCII.
func cString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			die("name %q: not printable ASCII", s)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// writeNameArray writes `static const char *const NAME[N] = {[i] = "...", ...};`.
func writeNameArray(b *strings.Builder, name, what string, strs []string, ok []bool) {
	fmt.Fprintf(b, "/* %s, by value */\n", what)
	fmt.Fprintf(b, "static const char *const %s[%d] = {\n", name, len(strs))
	for i := range strs {
		if ok[i] {
			fmt.Fprintf(b, "\t[%d] = %s,\n", i, cString(strs[i]))
		}
	}
	fmt.Fprintf(b, "};\n")
}

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the fuzz_gobin seed corpus: a tiny synthetic Go ELF (Go 1.26 layout: build info,
# .gopclntab with two functions, one inlined call, .go.module) and truncations of it.
# Real binaries are megabytes; these seeds stay under 20 KB in all.
#   tests/fuzz/gen_gobin_seeds.py tests/fuzz/corpus/fuzz_gobin
import os
import struct
import sys

BASE = 0x400000


def uvarint(v):
    out = b""
    while True:
        c = v & 0x7F
        v >>= 7
        out += bytes([c | (0x80 if v else 0)])
        if not v:
            return out


def zz(d):
    return (d << 1) ^ (d >> 31) if d >= 0 else ((-d) << 1) - 1


def pcvalue(steps):  # [(value, pc_span)], starting from -1
    out, cur = b"", -1
    for val, span in steps:
        out += uvarint(zz(val - cur)) + uvarint(span)
        cur = val
    return out + b"\0"


def pclntab(text, gofunc):
    names = b"main.main\0main.f\0main.inl\0"
    cutab = struct.pack("<I", 0)
    files = b"/x/main.go\0"
    pctab = b"\0"
    off_file = len(pctab); pctab += pcvalue([(0, 0x20)])
    off_ln1 = len(pctab); pctab += pcvalue([(10, 0x10), (11, 0x10)])
    off_inl = len(pctab); pctab += pcvalue([(-1, 8), (0, 8), (-1, 0x10)])
    off_ln2 = len(pctab); pctab += pcvalue([(20, 0x20)])
    hdr = 72
    o_names = hdr
    o_cu = o_names + len(names)
    o_files = o_cu + len(cutab)
    o_pc = o_files + len(files)
    o_ft = (o_pc + len(pctab) + 7) & ~7
    f0 = 3 * 8
    rec0 = struct.pack("<IiiIIIIIIiBBBB", 0, 0, 0, 0, 0, off_file, off_ln1, 3, 0, 10, 0, 0, 0, 4)
    rec0 += struct.pack("<3I", 0, 0, off_inl) + struct.pack("<4I", 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    f1 = f0 + len(rec0)
    rec1 = struct.pack("<IiiIIIIIIiBBBB", 0x20, 10, 0, 0, 0, off_file, off_ln2, 0, 0, 20, 0, 0, 0, 0)
    functab = struct.pack("<6I", 0, f0, 0x20, f1, 0x40, 0)
    h = struct.pack("<IBBBBqQQQQQQQ", 0xFFFFFFF1, 0, 0, 1, 8, 2, 1, 0, o_names, o_cu, o_files, o_pc, o_ft)
    body = h + names + cutab + files + pctab
    body += b"\0" * (o_ft - len(body))
    return body + functab + rec0 + rec1, o_names


def buildinfo():
    mod = (b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6"
           b"path\texample.com/x\nmod\texample.com/x\t(devel)\t\n"
           b"build\t-ldflags=\"-s -w\"\nbuild\tCGO_ENABLED=0\nbuild\tGOARCH=amd64\n"
           b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2")
    v = b"go1.26.8"
    return (b"\xff Go buildinf:" + bytes([8, 2]) + b"\0" * 16 + uvarint(len(v)) + v
            + uvarint(len(mod)) + mod)


def elf():
    # file layout: [ehdr+phdr][.text][.gopclntab][inline tree][.go.module][.go.buildinfo][strtab][shdrs]
    off = 0x100
    text_off = off
    text = b"\xcc" * 0x40
    pcln_off = text_off + len(text)
    gofunc_off = None
    pcln, o_names = pclntab(BASE + text_off, 0)
    tree_off = (pcln_off + len(pcln) + 7) & ~7
    tree = struct.pack("<B3xiiI", 0, len(b"main.main\0main.f\0"), 0x12, 30)
    gofunc_off = tree_off
    mod_off = (tree_off + len(tree) + 31) & ~31
    mod = bytearray(0x250)
    struct.pack_into("<Q", mod, 0, BASE + pcln_off)
    struct.pack_into("<Q", mod, 8, BASE + pcln_off + o_names)
    struct.pack_into("<Q", mod, 176, BASE + text_off)
    struct.pack_into("<Q", mod, 320, BASE + gofunc_off)
    bi_off = (mod_off + len(mod) + 15) & ~15
    bi = buildinfo()
    secs = [(".text", 1, text_off, text), (".gopclntab", 1, pcln_off, pcln),
            (".go.module", 1, mod_off, bytes(mod)), (".go.buildinfo", 1, bi_off, bi)]
    strtab = b"\0" + b"".join(n.encode() + b"\0" for n, *_ in secs) + b".shstrtab\0"
    str_off = bi_off + len(bi)
    sh_off = (str_off + len(strtab) + 7) & ~7
    size = sh_off + 64 * (len(secs) + 2)
    f = bytearray(size)
    for _, _, o, data in secs:
        f[o:o + len(data)] = data
    f[tree_off:tree_off + len(tree)] = tree
    f[str_off:str_off + len(strtab)] = strtab
    struct.pack_into("<4sBBBB8xHHIQQQIHHHHHH", f, 0, b"\x7fELF", 2, 1, 1, 0, 2, 62, 1,
                     BASE + text_off, 64, sh_off, 0, 64, 56, 1, 64, len(secs) + 2, len(secs) + 1)
    struct.pack_into("<IIQQQQQQ", f, 64, 1, 5, 0, BASE, BASE, size, size, 0x1000)
    name = 1
    for i, (n, t, o, data) in enumerate(secs):
        struct.pack_into("<IIQQQQIIQQ", f, sh_off + 64 * (i + 1), name, t, 2, BASE + o, o,
                         len(data), 0, 0, 8, 0)
        name += len(n) + 1
    struct.pack_into("<IIQQQQIIQQ", f, sh_off + 64 * (len(secs) + 1), name, 3, 0, 0, str_off,
                     len(strtab), 0, 0, 1, 0)
    return bytes(f)


out = sys.argv[1]
os.makedirs(out, exist_ok=True)
full = elf()
seeds = {"synthetic-go126": full, "elf-header-only": full[:64],
         "no-section-headers": full[: len(full) - 64 * 6]}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as fh:
        fh.write(data)

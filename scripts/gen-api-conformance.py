#!/usr/bin/env python3
#
# gen-api-conformance.py: generate the public API conformance test sources.
#
# Reads libvirt's API description (libvirt-api.xml), our version script
# (src/libvirt.syms) and our public headers (include/libvirt/*.h), and writes
# two C files:
#
#   --output C       checks our headers against libvirt 9.0 at compile time
#                    (static assertions named after the thing they check) and,
#                    for string macros, at run time:
#                      - every enum constant of our header modules, by value;
#                      - every function we export or declare, by exact type;
#                      - the variable virConnectAuthPtrDefault, by type;
#                      - callback typedefs, pointer typedefs, struct member
#                        types, enum typedef names;
#                      - macros: numbers by value, strings by text, the rest
#                        by existence.
#   --layout C       prints the size, alignment and member offsets of every
#                    public struct and enum type; tests/api/conformance-test.py
#                    compiles it once against our headers and once against
#                    Debian's and compares the output.
#
# A missing name shows up as a compile error naming it; a wrong value or type
# as "static assertion failed: "<kind> <name>"".
#
# The functions of this module are also used by tests/api/conformance-test.py
# to compare the function sets of the version script and of the headers.

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

# libvirt-api.xml file names of the header modules we provide.
MODULES = (
    "libvirt-common",
    "libvirt-host",
    "libvirt-domain",
    "libvirt-event",
    "libvirt-stream",
    "virterror",
)


# ---------------------------------------------------------------- our files

def syms_symbols(path):
    """Map symbol -> version node for every global symbol of a version script."""
    text = re.sub(r"#[^\n]*", "", Path(path).read_text())
    result = {}
    for m in re.finditer(r"([A-Za-z_][\w.]*)\s*\{(.*?)\}\s*[\w.]*\s*;", text,
                         re.S):
        node, body = m.group(1), m.group(2)
        body = re.sub(r"local\s*:.*", "", body, flags=re.S)
        body = re.sub(r"global\s*:", "", body)
        for sym in re.findall(r"([A-Za-z_]\w*)\s*;", body):
            if sym in result:
                raise ValueError("%s listed twice in %s" % (sym, path))
            result[sym] = node
    return result


def syms_nodes(path):
    """Ordered list of (node, parent) of a version script."""
    text = re.sub(r"#[^\n]*", "", Path(path).read_text())
    return [(m.group(1), m.group(2) or None) for m in re.finditer(
        r"([A-Za-z_][\w.]*)\s*\{.*?\}\s*([\w.]*)\s*;", text, re.S)]


def header_declarations(incdir):
    """Map name -> 'function' / 'variable' for every function prototype and
    exported variable declared in our public headers."""
    result = {}
    for path in sorted(Path(incdir).glob("*.h")):
        # libvirt-qemu.so.0's API (src/libvirt_qemu.syms), not libvirt.so.0's
        if path.name == "libvirt-qemu.h":
            continue
        text = path.read_text()
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        # Drop preprocessor lines (with continuations).
        text = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", "", text, flags=re.M)
        text = text.replace('extern "C" {', "")
        text = re.sub(r"^}[ \t]*$", "", text, flags=re.M)
        # Split into top-level declarations.
        depth = 0
        decl = []
        decls = []
        for ch in text:
            depth += {"{": 1, "}": -1}.get(ch, 0)
            if depth == 0 and ch == ";":
                decls.append("".join(decl))
                decl = []
            else:
                decl.append(ch)
        for d in decls:
            d = " ".join(d.split())
            if not d or d.startswith(("typedef", "struct", "enum")):
                continue
            m = re.match(r"^VIR_EXPORT_VAR\s+.*?\b(\w+)$", d)
            if m:
                result[m.group(1)] = "variable"
                continue
            m = re.match(r"^[^()]*?\b(\w+)\s*\(", d)
            if m:
                result[m.group(1)] = "function"
    return result


# ------------------------------------------------------------- libvirt API

class LibvirtApi:
    def __init__(self, path):
        root = ET.parse(path).getroot()
        self.enums = [e for e in root.iter("enum") if e.get("file") in MODULES]
        self.macros = [m for m in root.iter("macro")
                       if m.get("file") in MODULES]
        self.functions = {f.get("name"): f for f in root.iter("function")}
        self.functypes = [f for f in root.iter("functype")
                          if f.get("file") in MODULES]
        self.typedefs = [t for t in root.iter("typedef")
                         if t.get("file") in MODULES]
        self.structs = [s for s in root.iter("struct")
                        if s.get("file") in MODULES]
        self.variables = {v.get("name"): v for v in root.iter("variable")}
        self.values = {e.get("name"): e.get("value") for e in root.iter("enum")}

    def enum_number(self, name):
        v = self.values[name]
        try:
            return int(v)
        except ValueError:
            return self.enum_number(v)


def c_string(s):
    out = []
    for ch in s:
        if ch in "\\\"":
            out.append("\\" + ch)
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.append("\\%03o" % ord(ch))
    return '"%s"' % "".join(out)


def fn_pointer_type(ret, argtypes):
    return "%s (*)(%s)" % (ret, ", ".join(argtypes) or "void")


def member_type(decl, name):
    """'char model[32]' -> 'char[32]'; other types as they are."""
    m = re.match(r"^(.*?)\s*\b%s\s*(\[.*\])$" % re.escape(name), decl)
    if m:
        return m.group(1) + m.group(2)
    return decl


def struct_members(s):
    """(member path, declared type) of a struct; union members get the
    union's name as prefix."""
    out = []
    union = None
    for f in s.iter("field"):
        if f.get("type") == "union":
            union = f.get("name")
            out.append((union, None))
        elif union is not None:
            out.append(("%s.%s" % (union, f.get("name")), f.get("type")))
        else:
            out.append((f.get("name"), f.get("type")))
    return out


def raw_macro_value(m):
    raw = m.get("raw")
    if raw is None:
        return None
    raw = re.sub(r"/\*.*?\*/", "", raw).strip()
    return raw or None


# ------------------------------------------------------------- generation

def gen_conformance(api, functions, variables):
    out = []
    w = out.append
    w("/* Generated by scripts/gen-api-conformance.py from libvirt-api.xml:")
    w(" * checks include/libvirt against libvirt 9.0.  Do not edit. */")
    w("")
    w("#define VIR_ENUM_SENTINELS")
    w("#include <stddef.h>")
    w("#include <stdio.h>")
    w("#include <string.h>")
    w("#include <libvirt/libvirt.h>")
    w("#include <libvirt/virterror.h>")
    w("")
    w("#define TYPE_IS(a, b) __builtin_types_compatible_p(a, b)")
    w("")

    w("/* (a) enum constants */")
    for e in sorted(api.enums, key=lambda e: e.get("name")):
        n = e.get("name")
        w('_Static_assert((long long)%s == %dLL, "enum %s");'
          % (n, api.enum_number(n), n))
    w("")

    w("/* enum type names */")
    for t in sorted(api.typedefs, key=lambda t: t.get("name")):
        if t.get("type") == "enum":
            w('_Static_assert(sizeof(%s) >= sizeof(char), "typedef %s");'
              % (t.get("name"), t.get("name")))
    w("")

    w("/* (b) exported functions and variables */")
    for name in sorted(functions):
        f = api.functions.get(name)
        if f is None:
            w('#error "function %s: not in libvirt-api.xml"' % name)
            continue
        ret = f.find("return").get("type")
        args = [a.get("type") for a in f.iter("arg")]
        w('_Static_assert(TYPE_IS(__typeof__(&%s), %s), "function %s");'
          % (name, fn_pointer_type(ret, args), name))
    for name in sorted(variables):
        v = api.variables.get(name)
        if v is None:
            w('#error "variable %s: not in libvirt-api.xml"' % name)
            continue
        w('_Static_assert(TYPE_IS(__typeof__(%s), %s), "variable %s");'
          % (name, v.get("type"), name))
    w("")

    w("/* callback types */")
    for f in sorted(api.functypes, key=lambda f: f.get("name")):
        ret = f.find("return").get("type")
        args = [a.get("type") for a in f.iter("arg")]
        w('_Static_assert(TYPE_IS(%s, %s), "callback %s");'
          % (f.get("name"), fn_pointer_type(ret, args), f.get("name")))
    w("")

    w("/* pointer and other typedefs */")
    for t in sorted(api.typedefs, key=lambda t: t.get("name")):
        if t.get("type") != "enum":
            w('_Static_assert(TYPE_IS(%s, %s), "typedef %s");'
              % (t.get("name"), t.get("type"), t.get("name")))
    w("")

    w("/* (d) structs: tag and member types (layout: see the layout test) */")
    for s in sorted(api.structs, key=lambda s: s.get("name")):
        n = s.get("name")
        w('_Static_assert(TYPE_IS(%s, %s), "struct %s");'
          % (n, s.get("type"), n))
        for path, decl in struct_members(s):
            if decl is None:
                continue
            ctype = member_type(decl, path.split(".")[-1])
            w('_Static_assert(TYPE_IS(__typeof__(((%s *)0)->%s), %s), '
              '"member %s.%s");' % (n, path, ctype, n, path))
    w("")

    w("/* (c) macros */")
    strings = []
    for m in sorted(api.macros, key=lambda m: m.get("name")):
        n = m.get("name")
        w("#ifndef %s" % n)
        w('# error "macro %s: not defined"' % n)
        w("#endif")
        if m.get("string") is not None:
            strings.append((n, m.get("string")))
            w('_Static_assert(sizeof(%s) == sizeof(%s), "macro %s");'
              % (n, c_string(m.get("string")), n))
        elif m.get("params") is None and not n.startswith("_"):
            raw = raw_macro_value(m)
            if raw is not None:
                w('_Static_assert((%s) == (%s), "macro %s");' % (n, raw, n))
    w("")
    w("/* behaviour of the version macro */")
    w('_Static_assert(LIBVIR_CHECK_VERSION(9, 0, 0) && '
      '!LIBVIR_CHECK_VERSION(9, 0, 1), "macro LIBVIR_CHECK_VERSION");')
    w("")

    w("static const struct {")
    w("    const char *name;")
    w("    const char *ours;")
    w("    const char *libvirt;")
    w("} stringMacros[] = {")
    for n, s in strings:
        w('    { "%s", %s, %s },' % (n, n, c_string(s)))
    w("};")
    w("")
    w("int main(void);")
    w("")
    w("int")
    w("main(void)")
    w("{")
    w("    size_t i;")
    w("    int failed = 0;")
    w("")
    w("    for (i = 0; i < sizeof(stringMacros) / sizeof(stringMacros[0]); i++) {")
    w("        if (strcmp(stringMacros[i].ours, stringMacros[i].libvirt) != 0) {")
    w('            printf("FAIL macro %s: \\"%s\\", libvirt has \\"%s\\"\\n",')
    w("                   stringMacros[i].name, stringMacros[i].ours,")
    w("                   stringMacros[i].libvirt);")
    w("            failed = 1;")
    w("        }")
    w("    }")
    w('    printf("%zu string macros checked\\n", i);')
    w("    return failed;")
    w("}")
    return out


def gen_layout(api):
    out = []
    w = out.append
    w("/* Generated by scripts/gen-api-conformance.py from libvirt-api.xml:")
    w(" * prints the layout of the public types.  Do not edit. */")
    w("")
    w("#include <stddef.h>")
    w("#include <stdio.h>")
    w("#include <libvirt/libvirt.h>")
    w("#include <libvirt/virterror.h>")
    w("")
    w("int main(void);")
    w("")
    w("int")
    w("main(void)")
    w("{")
    for t in sorted(api.typedefs, key=lambda t: t.get("name")):
        if t.get("type") == "enum":
            n = t.get("name")
            w('    printf("enum %s size=%%zu unsigned=%%d\\n", sizeof(%s), '
              '__builtin_types_compatible_p(%s, unsigned int));' % (n, n, n))
    for s in sorted(api.structs, key=lambda s: s.get("name")):
        n = s.get("name")
        members = struct_members(s)
        if not members:
            continue  # opaque handle
        w('    printf("struct %s size=%%zu align=%%zu\\n", sizeof(%s), '
          '_Alignof(%s));' % (n, n, n))
        for path, _ in members:
            w('    printf("member %s.%s offset=%%zu size=%%zu\\n", '
              'offsetof(%s, %s), sizeof(((%s *)0)->%s));'
              % (n, path, n, path, n, path))
    w("    return 0;")
    w("}")
    return out


def write_if_changed(path, lines):
    text = "\n".join(lines) + "\n"
    p = Path(path)
    if not p.exists() or p.read_text() != text:
        p.write_text(text)


def main():
    ap = argparse.ArgumentParser(description="generate the API conformance test")
    ap.add_argument("--xml", required=True)
    ap.add_argument("--syms", required=True)
    ap.add_argument("--include", required=True,
                    help="our include/libvirt directory")
    ap.add_argument("--output", required=True)
    ap.add_argument("--layout", required=True)
    args = ap.parse_args()

    api = LibvirtApi(args.xml)
    # VIRTKIT_PRIVATE_* nodes hold virtkit's private exports (for
    # virtkitd), which libvirt-api.xml cannot know.
    exported = {sym for sym, node in syms_symbols(args.syms).items()
                if not node.startswith("VIRTKIT_PRIVATE_")}
    declared = header_declarations(args.include)
    names = exported | set(declared)
    variables = {n for n in names
                 if declared.get(n) == "variable" or n in api.variables}
    functions = names - variables
    write_if_changed(args.output, gen_conformance(api, functions, variables))
    write_if_changed(args.layout, gen_layout(api))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Extracts the single-template cases of Jinja2's own test suite for __tests__/templates/jinja2-suite.test.ts.

Source: the tests of pallets/jinja at a tag (https://github.com/pallets/jinja/tree/3.1.6/tests), read from a
git directory with `git show <tag>:tests/<file>`. Get one with `git clone --bare https://github.com/pallets/jinja`.

    python3 scripts/extract-jinja2-cases.py --jinja-git <dir> [--tag 3.1.6] \
        [--also <python>[:<site-packages dir>] ...]

Each test function is walked statement by statement with Python's `ast` module by a small interpreter of the
subset the tests use: literals, f-strings, parametrize, loops over literals, local helpers, `Environment(...)`,
`env.from_string(...)`, `tmpl.render(...)`, `pytest.raises(...)`. Every template given to `from_string` (or
`Template(...)`) with a literal source becomes a case: rendered with the keyword arguments of each `render` call
when they are JSON (a case per call), a compile error when `pytest.raises` surrounds the `from_string`, and a
compile-and-render with no context when the template is only compiled. A case is left out, and counted by
reason, when it needs what one template in transformers' environment with a JSON context cannot hold: a loader
(extends, include, import), custom filters, tests or globals, an autoescaping environment, other delimiters,
an extension other than loopcontrols, a custom Undefined, async, or a context value that is not JSON (a class,
a Markup string, a range, a dict with keys that are not strings). The expected output upstream is kept as
`upstreamExpected` when it is a literal, for information only: the reference is Jinja2 in transformers' setup.

`--also` runs scripts/jinja2_reference.py with another interpreter (and Jinja2 found in the site-packages
directory given) and marks each case whose result there differs from this interpreter's in `referenceVaries`:
the test compares those only under the Jinja2 and MarkupSafe versions the data was made with. For the Jinja2
of Debian bookworm, which CI installs:

    apt-get download python3-jinja2 python3-markupsafe && for f in *.deb; do dpkg -x "$f" deb; done
    ... --also /usr/bin/python3:deb/usr/lib/python3/dist-packages

and for an upstream release, from the same git directory:

    mkdir v3.1.2 && git --git-dir <dir> archive 3.1.2 src/jinja2 | tar -x -C v3.1.2
    ... --also python3:v3.1.2/src

Writes __tests__/templates/jinja2-suite/cases.json and prints what was left out, by reason.
"""

import argparse
import ast
import itertools
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT_DIR = os.path.join(ROOT, "__tests__", "templates", "jinja2-suite")
REFERENCE = os.path.join(HERE, "jinja2_reference.py")
FILES = [
    "test_api.py",
    "test_core_tags.py",
    "test_ext.py",
    "test_filters.py",
    "test_lexnparse.py",
    "test_regression.py",
    "test_runtime.py",
    "test_security.py",
    "test_tests.py",
]
MAX_LOOP = 10_000
ENV_CLASSES = {"Environment", "SandboxedEnvironment", "ImmutableSandboxedEnvironment"}
# Environment options a case may have: transformers' environment renders the template its own way, and the
# upstream output is kept for information only.
HARMLESS_OPTIONS = {"trim_blocks", "lstrip_blocks", "keep_trailing_newline", "newline_sequence", "cache_size",
                    "auto_reload", "optimized"}
SAFE_BUILTINS = {f.__name__: f for f in (list, range, dict, str, tuple, repr, len, int, float, sorted, enumerate,
                                         zip, min, max, abs, bool, reversed)}
TAG_NEEDS_LOADER = re.compile(r"{%[-+]?\s*(extends|include|import|from)\b")
USES_RANDOM = re.compile(r"\brandom\b")
# What setting an environment's attribute does to the cases of its templates.
ENV_ATTRIBUTES = {"filters": "custom filters", "tests": "custom tests", "globals": "custom globals",
                  "policies": "policies", "autoescape": "autoescape environment", "undefined": "custom Undefined",
                  "loader": "loader (extends, include, import)", "finalize": "finalize"}


class Skip(Exception):
    """A value or a case this extraction cannot hold: the reason is the left-out group."""


class Return(Exception):
    def __init__(self, value):
        self.value = value


class Unknown:
    def __init__(self, reason):
        self.reason = reason


class Derived(Unknown):
    """A value computed from a render's output (`out.split("|")`): the case is made, the rest is not needed."""

    def __init__(self):
        super().__init__("value computed by Jinja2")


class Env:
    def __init__(self, reason=None):
        self.reason = reason


class Tmpl:
    def __init__(self, source, env, event):
        self.source = source
        self.env = env
        self.event = event  # the compile-only case, dropped once the template is rendered


class Rendered:
    """What a render call returned: comparing it with a literal gives the upstream expected output."""

    def __init__(self, case):
        self.case = case


class Marker:
    """A callable the interpreter handles itself: a method of an Env or a Tmpl, a class, pytest.raises."""

    def __init__(self, kind, obj=None, name=None):
        self.kind, self.obj, self.name = kind, obj, name


class Func:
    def __init__(self, node, closure, bound_self=None):
        self.node, self.closure, self.bound_self = node, closure, bound_self


class Generator(list):
    """A generator expression, evaluated: what str.join takes, but not JSON."""


def env_from_options(keywords, positional):
    if positional:
        return Env("custom delimiters")
    for k, v in keywords.items():
        if k == "autoescape":
            if v is not False:
                return Env("autoescape environment")
        elif k == "extensions":
            if not isinstance(v, (list, tuple)) or any(
                e not in ("jinja2.ext.loopcontrols", "jinja2.ext.LoopControlExtension") for e in v
            ):
                return Env("extension other than loopcontrols")
        elif k == "undefined":
            return Env("custom Undefined")
        elif k == "loader":
            return Env("loader (extends, include, import)")
        elif k == "enable_async":
            return Env("async")
        elif k == "finalize":
            return Env("finalize")
        elif k.endswith("_string") or k.startswith("line_"):
            return Env("custom delimiters")
        elif k not in HARMLESS_OPTIONS:
            return Env(f"environment option {k}")
    return Env()


def jsonable(value):
    """The value as JSON holds it, or Skip."""
    if isinstance(value, Unknown):
        raise Skip(value.reason)
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise Skip("context is not JSON: integer beyond 2^53")
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Skip("context is not JSON: nan or infinity")
        return value
    if isinstance(value, (list, tuple)) and not isinstance(value, Generator):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise Skip("context is not JSON: dict key that is not a string")
        return {k: jsonable(v) for k, v in value.items()}
    raise Skip(f"context is not JSON: {type(value).__name__}")


def names_in(source):
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))


class Walker:
    """Runs one test function (one parametrization) and collects its cases in order."""

    def __init__(self, module_scope, cls_methods):
        self.module_scope = module_scope
        self.cls_methods = cls_methods
        self.events = []  # dicts: cases, in the order they were made
        self.left_out = []  # reasons
        self.raises = None  # the innermost pytest.raises: {"name", "compiles": [], "renders": []}

    # --- expressions -------------------------------------------------------------------------------------
    def ev(self, node, scope):
        m = getattr(self, "ev_" + type(node).__name__, None)
        if m is None:
            raise Skip(f"unsupported expression {type(node).__name__}")
        return m(node, scope)

    def ev_Constant(self, node, scope):
        if isinstance(node.value, bytes):
            return Unknown("context is not JSON: bytes")
        return node.value

    def ev_JoinedStr(self, node, scope):
        out = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(part.value)
                continue
            v = self.plain(self.ev(part.value, scope))
            if part.conversion == ord("r"):
                v = repr(v)
            elif part.conversion in (ord("s"), ord("a")):
                v = str(v) if part.conversion == ord("s") else ascii(v)
            spec = self.ev(part.format_spec, scope) if part.format_spec else ""
            out.append(format(v, spec))
        return "".join(out)

    def plain(self, v):
        if isinstance(v, (Unknown, Env, Tmpl, Rendered, Marker, Func)):
            raise Skip(v.reason if isinstance(v, Unknown) else "value computed by Jinja2")
        return v

    def ev_Name(self, node, scope):
        for s in (scope, self.module_scope):
            if node.id in s:
                return s[node.id]
        if node.id in SAFE_BUILTINS:
            return SAFE_BUILTINS[node.id]
        if node.id in ENV_CLASSES:
            return Marker("envclass", name=node.id)
        if node.id == "Template":
            return Marker("templateclass")
        if node.id == "pytest":
            return Marker("pytest")
        return Unknown(f"context is not JSON: {node.id}")

    def ev_List(self, node, scope):
        return [self.ev(e, scope) for e in node.elts]

    def ev_Tuple(self, node, scope):
        return tuple(self.ev(e, scope) for e in node.elts)

    def ev_Set(self, node, scope):
        return Unknown("context is not JSON: set")

    def ev_Dict(self, node, scope):
        out = {}
        for k, v in zip(node.keys, node.values):
            if k is None:
                out.update(self.plain(self.ev(v, scope)))
            else:
                out[self.plain(self.ev(k, scope))] = self.ev(v, scope)
        return out

    def ev_BinOp(self, node, scope):
        a, b = self.plain(self.ev(node.left, scope)), self.plain(self.ev(node.right, scope))
        ops = {ast.Add: lambda: a + b, ast.Mult: lambda: a * b, ast.Mod: lambda: a % b, ast.Sub: lambda: a - b,
               ast.Pow: lambda: a**b if b < 1000 else Unknown("big number")}
        f = ops.get(type(node.op))
        if f is None:
            raise Skip("unsupported operator")
        if type(node.op) is ast.Mult and isinstance(a, (str, list)) and isinstance(b, int) and len(a) * b > 10**6:
            raise Skip("context is not JSON: too large")
        return f()

    def ev_UnaryOp(self, node, scope):
        v = self.plain(self.ev(node.operand, scope))
        if isinstance(node.op, ast.USub):
            return -v
        if isinstance(node.op, ast.Not):
            return not v
        if isinstance(node.op, ast.UAdd):
            return +v
        raise Skip("unsupported operator")

    def ev_BoolOp(self, node, scope):
        vals = [self.plain(self.ev(v, scope)) for v in node.values]
        return all(vals) if isinstance(node.op, ast.And) else any(vals)

    def ev_IfExp(self, node, scope):
        return self.ev(node.body if self.plain(self.ev(node.test, scope)) else node.orelse, scope)

    def ev_Subscript(self, node, scope):
        base = self.plain(self.ev(node.value, scope))
        if isinstance(node.slice, ast.Slice):
            parts = [self.plain(self.ev(p, scope)) if p else None for p in (node.slice.lower, node.slice.upper,
                                                                             node.slice.step)]
            return base[slice(*parts)]
        return base[self.plain(self.ev(node.slice, scope))]

    def ev_Compare(self, node, scope):
        values = [self.ev(node.left, scope)] + [self.ev(c, scope) for c in node.comparators]
        rendered = [v for v in values if isinstance(v, Rendered)]
        if rendered or any(isinstance(v, Derived) for v in values):
            literal = [v for v in values if isinstance(v, str)]
            if literal and all(isinstance(op, ast.Eq) for op in node.ops):
                for r in rendered:
                    r.case.setdefault("upstreamExpected", literal[0])
            return True
        ops = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.In: lambda a, b: a in b,
               ast.NotIn: lambda a, b: a not in b, ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b,
               ast.Lt: lambda a, b: a < b, ast.Gt: lambda a, b: a > b}
        plain = [self.plain(v) for v in values]
        for op, a, b in zip(node.ops, plain, plain[1:]):
            f = ops.get(type(op))
            if f is None:
                raise Skip("unsupported comparison")
            if not f(a, b):
                return False
        return True

    def ev_Attribute(self, node, scope):
        base = self.ev(node.value, scope)
        if isinstance(base, Env):
            return Marker("envmethod", base, node.attr)
        if isinstance(base, Tmpl):
            return Marker("tmplmethod", base, node.attr)
        if isinstance(base, (Rendered, Derived)):
            return Derived()
        if isinstance(base, Marker) and base.kind == "pytest":
            return Marker("pytest." + node.attr)
        if isinstance(base, Marker) and base.kind == "self":
            if node.attr in self.cls_methods:
                m = self.cls_methods[node.attr]
                if isinstance(m, ast.FunctionDef):
                    static = any(ast.unparse(d) == "staticmethod" for d in m.decorator_list)
                    return Func(m, self.module_scope, bound_self=None if static else base)
                return self.ev(m, {})
            return Unknown(f"context is not JSON: self.{node.attr}")
        if isinstance(base, (str, list, dict, tuple)):
            if node.attr.startswith("_"):
                raise Skip("unsupported attribute")
            return getattr(base, node.attr)
        if isinstance(base, Unknown):
            if node.attr in ("render", "from_string"):
                raise Skip(base.reason)
            return base
        return Unknown(f"context is not JSON: .{node.attr}")

    def ev_ListComp(self, node, scope, out=None):
        if len(node.generators) != 1 or node.generators[0].ifs:
            raise Skip("unsupported comprehension")
        g = node.generators[0]
        out = [] if out is None else out
        for item in self.iterate(self.ev(g.iter, scope)):
            inner = dict(scope)
            self.bind(g.target, item, inner)
            out.append(self.ev(node.elt, inner))
        return out

    def ev_GeneratorExp(self, node, scope):
        return self.ev_ListComp(node, scope, Generator())

    def ev_Lambda(self, node, scope):
        return Unknown("context is not JSON: function")

    def ev_Starred(self, node, scope):
        raise Skip("unsupported starred")

    def ev_Call(self, node, scope):
        f = self.ev(node.func, scope)
        args = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                args.extend(self.plain(self.ev(a.value, scope)))
            else:
                args.append(self.ev(a, scope))
        kwargs = {}
        for k in node.keywords:
            if k.arg is None:
                kwargs.update(self.plain(self.ev(k.value, scope)))
            else:
                kwargs[k.arg] = self.ev(k.value, scope)
        return self.call(f, args, kwargs, node)

    def call(self, f, args, kwargs, node=None):
        if isinstance(f, Derived):
            return f
        if isinstance(f, Unknown):
            return Unknown(f.reason)
        if isinstance(f, Func):
            return self.call_func(f, args, kwargs)
        if isinstance(f, Marker):
            return self.call_marker(f, args, kwargs, node)
        if f in SAFE_BUILTINS.values() or callable(f) and getattr(f, "__self__", None) is not None:
            return f(*[self.plain(a) for a in args], **{k: self.plain(v) for k, v in kwargs.items()})
        raise Skip("unsupported call")

    def call_marker(self, f, args, kwargs, node):
        if f.kind == "envclass":
            return env_from_options(kwargs, args)
        if f.kind == "templateclass":
            env = env_from_options({k: v for k, v in kwargs.items()}, args[1:])
            return self.from_string(env, args[0] if args else kwargs.get("source"))
        if f.kind == "envmethod":
            if f.name == "from_string":
                return self.from_string(f.obj, args[0] if args else kwargs.get("source"))
            if f.name in ("get_template", "select_template", "get_or_select_template"):
                raise Skip("loader (extends, include, import)")
            raise Skip(f"API other than from_string and render: {f.name}")
        if f.kind == "tmplmethod":
            if f.name == "render":
                return self.render(f.obj, args, kwargs)
            if f.name in ("render_async", "generate_async"):
                raise Skip("async")
            raise Skip(f"API other than from_string and render: {f.name}")
        if f.kind == "pytest.raises":
            if not args:
                raise Skip("unsupported pytest.raises")
            name = ast.unparse(node.args[0]) if node is not None else "?"
            if len(args) == 1:
                return Marker("raises", name=name)
            outer = self.raises
            self.raises = {"name": name, "compiles": [], "renders": []}
            try:
                self.call(args[1], args[2:], kwargs)
            finally:
                self.close_raises(outer)
            return None
        if f.kind == "pytest.fail":
            return None
        raise Skip(f"unsupported call {f.kind}")

    def call_func(self, f, args, kwargs):
        fn = f.node
        scope = dict(f.closure)
        params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        if f.bound_self is not None:
            args = [f.bound_self] + list(args)
        defaults = fn.args.defaults
        for i, p in enumerate(params):
            if i < len(args):
                scope[p] = args[i]
            elif p in kwargs:
                scope[p] = kwargs[p]
            else:
                j = i - (len(params) - len(defaults))
                if j < 0:
                    raise Skip("unsupported call")
                scope[p] = self.ev(defaults[j], {})
        try:
            self.block(fn.body, scope)
        except Return as r:
            return r.value
        return None

    # --- the two calls that make cases --------------------------------------------------------------------
    def from_string(self, env, source):
        if isinstance(env, Unknown):
            raise Skip(env.reason)
        if not isinstance(source, str):
            raise Skip("template source is not a literal")
        if env.reason:
            raise Skip(env.reason)
        event = {"template": source, "context": {}, "expect": "compile"}
        if self.raises is not None:
            self.raises["compiles"].append(event)
        else:
            self.events.append(event)
        return Tmpl(source, env, event)

    def render(self, tmpl, args, kwargs):
        tmpl.event["dropped"] = True
        if tmpl.env.reason:
            raise Skip(tmpl.env.reason)
        given = {}
        for a in args:
            if not isinstance(a, dict):
                raise Skip("context is not JSON: positional argument")
            given.update(a)
        given.update(kwargs)
        used = names_in(tmpl.source)
        context = {}
        for k, v in given.items():
            try:
                context[k] = jsonable(v)
            except Skip:
                if k in used:
                    raise
        case = {"template": tmpl.source, "context": context, "expect": "render"}
        if self.raises is not None:
            self.raises["renders"].append(case)
        else:
            self.events.append(case)
        return Rendered(case)

    def close_raises(self, outer):
        r, self.raises = self.raises, outer
        if r["renders"]:
            for case in r["renders"]:
                case["expect"] = "render-error"
                case["upstreamRaises"] = r["name"]
            found = r["renders"]
        else:
            found = [c for c in r["compiles"] if not c.get("dropped")]
            for case in found:
                case["expect"] = "syntax-error"
                case["upstreamRaises"] = r["name"]
        target = outer["renders" if r["renders"] else "compiles"] if outer is not None else self.events
        target.extend(found)

    # --- statements ----------------------------------------------------------------------------------------
    def bind(self, target, value, scope):
        if isinstance(target, ast.Name):
            scope[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = list(self.plain(value))
            if len(values) != len(target.elts):
                raise Skip("unsupported unpacking")
            for t, v in zip(target.elts, values):
                self.bind(t, v, scope)
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            first = target  # the part right above the name: env.<attr>... or d[<key>]
            while not isinstance(first.value, ast.Name):
                if not isinstance(first.value, (ast.Attribute, ast.Subscript)):
                    raise Skip("unsupported assignment")
                first = first.value
            owner = self.ev(first.value, scope)
            if isinstance(owner, Tmpl):
                owner.env = Env("custom globals")
            elif isinstance(owner, Env) and isinstance(first, ast.Attribute):
                if first.attr in ("trim_blocks", "lstrip_blocks") or first.attr == "newline_sequence" and value == "\n":
                    return
                owner.reason = ENV_ATTRIBUTES.get(first.attr, f"environment option {first.attr}")
            elif isinstance(owner, (dict, list)) and first is target and isinstance(target, ast.Subscript):
                owner[self.plain(self.ev(target.slice, scope))] = value
            else:
                raise Skip("unsupported assignment")
        else:
            raise Skip("unsupported assignment")

    def iterate(self, value):
        value = self.plain(value)
        if isinstance(value, dict):
            value = list(value)
        items = list(value)
        if len(items) > MAX_LOOP:
            raise Skip("unsupported loop")
        return items

    def block(self, body, scope):
        for stmt in body:
            self.stmt(stmt, scope)

    def stmt(self, node, scope):
        try:
            self.exec(node, scope)
        except (Return, KeyboardInterrupt):
            raise
        except Skip as e:
            if self.makes_template(node) and str(e) != Derived().reason:
                self.left_out.append(str(e))
            # whatever the statement would have bound is unknown from now on
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    for n in ast.walk(t):
                        if isinstance(n, ast.Name):
                            scope[n.id] = Unknown(str(e))
        except Exception as e:  # a Python error while evaluating the test's own code
            if self.makes_template(node):
                self.left_out.append(f"test code not understood ({type(e).__name__})")

    @staticmethod
    def makes_template(node):
        """Whether a statement that could not run held a case: a render, or a template compiled and not kept."""
        if isinstance(node, ast.Assign) and not any(
            isinstance(n, ast.Attribute) and n.attr == "render" for n in ast.walk(node)
        ):
            return False
        for n in ast.walk(node):
            if isinstance(n, ast.Attribute) and n.attr in ("render", "from_string", "get_template"):
                return True
            if isinstance(n, ast.Name) and n.id == "Template":
                return True
        return False

    def exec(self, node, scope):
        if isinstance(node, ast.Expr):
            self.ev(node.value, scope)
        elif isinstance(node, ast.Assign):
            value = self.ev(node.value, scope)
            for t in node.targets:
                self.bind(t, value, scope)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self.bind(node.target, self.ev(node.value, scope), scope)
        elif isinstance(node, ast.AugAssign):
            value = self.ev(ast.BinOp(left=node.target, op=node.op, right=node.value), scope)
            self.bind(node.target, value, scope)
        elif isinstance(node, ast.Assert):
            self.ev(node.test, scope)
        elif isinstance(node, ast.For):
            for item in self.iterate(self.ev(node.iter, scope)):
                self.bind(node.target, item, scope)
                self.block(node.body, scope)
        elif isinstance(node, ast.If):
            self.block(node.body if self.plain(self.ev(node.test, scope)) else node.orelse, scope)
        elif isinstance(node, ast.With):
            self.with_(node, scope)
        elif isinstance(node, ast.FunctionDef):
            scope[node.name] = Func(node, scope)
        elif isinstance(node, ast.ClassDef):
            scope[node.name] = Unknown(f"context is not JSON: class {node.name}")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                name = (a.asname or a.name).split(".")[0]
                if name in ENV_CLASSES or name in ("Template", "pytest"):
                    scope.pop(name, None)
                else:
                    scope[name] = Unknown(f"context is not JSON: {name}")
        elif isinstance(node, ast.Return):
            raise Return(self.ev(node.value, scope) if node.value else None)
        elif isinstance(node, ast.Pass):
            pass
        else:
            raise Skip(f"unsupported statement {type(node).__name__}")

    def with_(self, node, scope):
        if len(node.items) != 1:
            raise Skip("unsupported with")
        ctx = self.ev(node.items[0].context_expr, scope)
        if not (isinstance(ctx, Marker) and ctx.kind == "raises"):
            raise Skip("unsupported with")
        outer = self.raises
        self.raises = {"name": ctx.name, "compiles": [], "renders": []}
        try:
            self.block(node.body, scope)
        finally:
            self.close_raises(outer)


def parametrizations(func, module_scope):
    """One dict of argument bindings per parametrized case (the product of stacked decorators)."""
    sets = []
    w = Walker(module_scope, {})
    for dec in func.decorator_list:
        if not (isinstance(dec, ast.Call) and ast.unparse(dec.func) == "pytest.mark.parametrize"):
            continue
        names = w.ev(dec.args[0], {})
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        rows = []
        for item in dec.args[1].elts if isinstance(dec.args[1], (ast.List, ast.Tuple)) else []:
            if isinstance(item, ast.Call) and ast.unparse(item.func) == "pytest.param":
                item = ast.Tuple(elts=item.args)
            try:
                values = w.ev(item, {})
            except Skip as e:
                values = Unknown(str(e))
            if len(names) == 1:
                values = (values,)
            elif isinstance(values, Unknown):
                values = (values,) * len(names)
            rows.append(dict(zip(names, values)))
        sets.append(rows)
    if not sets:
        return [None]
    return [dict(kv for d in combo for kv in d.items()) for combo in itertools.product(*sets)]


def fixtures(func):
    """What a test's fixture arguments are: conftest.py's env is Environment(); loaders are loaders."""
    out = {}
    for a in func.args.args:
        if a.arg == "self":
            out["self"] = Marker("self")
        elif a.arg == "env":
            out["env"] = Env()
        elif a.arg == "env_trim":
            out["env_trim"] = Env()
        elif a.arg.endswith("_loader"):
            out[a.arg] = Env("loader (extends, include, import)")
        else:
            out[a.arg] = Unknown(f"fixture {a.arg}")
    return out


def module_tests(tree):
    """(class name or None, method table, function) for every test of a module."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            yield None, {}, node
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            methods = {}
            for n in node.body:
                if isinstance(n, ast.FunctionDef):
                    methods[n.name] = n
                elif isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
                    methods[n.targets[0].id] = n.value
            for n in node.body:
                if isinstance(n, ast.FunctionDef) and n.name.startswith("test"):
                    yield node.name, methods, n


def module_scope_of(tree):
    scope = {}
    w = Walker(scope, {})
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.Import, ast.ImportFrom, ast.ClassDef)):
            w.stmt(node, scope)
        elif isinstance(node, ast.FunctionDef) and not node.name.startswith("test"):
            scope[node.name] = Unknown(f"context is not JSON: {node.name}")
    return scope


def extract_file(name, text, tag):
    tree = ast.parse(text)
    scope = module_scope_of(tree)
    cases, left_out = [], []
    for cls, methods, func in module_tests(tree):
        test_id = f"{name}::{cls}::{func.name}" if cls else f"{name}::{func.name}"
        for p, params in enumerate(parametrizations(func, scope)):
            w = Walker(scope, methods)
            local = fixtures(func)
            local.update(params or {})
            w.block(func.body, local)
            left_out.extend(w.left_out)
            seen = set()
            n = 0
            for ev in w.events:
                key = json.dumps([ev["template"], ev["context"], ev["expect"]], sort_keys=True)
                if ev.get("dropped") or key in seen:
                    continue
                seen.add(key)
                reason = None
                if TAG_NEEDS_LOADER.search(ev["template"]):
                    reason = "loader (extends, include, import)"
                elif USES_RANDOM.search(ev["template"]):
                    reason = "random output"
                if reason:
                    left_out.append(reason)
                    continue
                suffix = f"{p}.{n}" if params is not None else f"{n}"
                n += 1
                case = {"id": f"{test_id}[{suffix}]", "upstream": f"tests/{name}", "tag": tag,
                        "template": ev["template"], "context": ev["context"], "expect": ev["expect"]}
                for k in ("upstreamExpected", "upstreamRaises"):
                    if k in ev:
                        case[k] = ev[k]
                cases.append(case)
    return cases, left_out


# The versions the test reads too (__tests__/helpers/jinja-reference.ts), and the interpreter's.
VERSIONS = ("import jinja2, importlib.metadata as m, platform; "
            "print(jinja2.__version__, m.version('markupsafe'), platform.python_version())")


def run_reference(cases, python, site=None):
    env = dict(os.environ, JINJA_REFERENCE_NOW="2024-07-26T09:05:03")
    if site:
        env["PYTHONPATH"] = site
    jobs = "".join(json.dumps({"id": i, "template": c["template"], "context": c["context"]}) + "\n"
                   for i, c in enumerate(cases))
    out = subprocess.run([python, REFERENCE], input=jobs, capture_output=True, text=True, env=env, check=True)
    version = subprocess.run(
        [python, "-c", VERSIONS], capture_output=True, text=True, env=env, check=True).stdout.split()
    results = [json.loads(line) for line in out.stdout.split("\n") if line.strip()]
    return results, {"jinja2": version[0], "markupsafe": version[1], "python": version[2]}


def verdict(r):
    if r["ok"]:
        return ["ok", r["text"]]
    return [r["kind"], bool(r.get("compile")), r["message"] if r["kind"] == "raise" else None]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jinja-git", required=True, help="a git directory of pallets/jinja")
    ap.add_argument("--tag", default="3.1.6")
    ap.add_argument("--also", action="append", default=[], help="<python>[:<site-packages>] to compare with")
    opts = ap.parse_args()

    def git(*a):
        return subprocess.run(["git", "--git-dir", opts.jinja_git, *a], capture_output=True, text=True,
                              check=True).stdout

    commit = git("rev-parse", opts.tag + "^{commit}").strip()
    cases, left_out = [], []
    for name in FILES:
        c, l = extract_file(name, git("show", f"{opts.tag}:tests/{name}"), opts.tag)
        cases += c
        left_out += l
    cases.sort(key=lambda c: c["id"])

    primary, primary_versions = run_reference(cases, "python3")
    if not opts.also:
        print("warning: without --also no case is marked referenceVaries, so CI's Jinja2 may disagree", file=sys.stderr)
    checked = [primary_versions]
    for spec in opts.also:
        python, _, site = spec.partition(":")
        other, versions = run_reference(cases, python, site or None)
        label = f"jinja2 {versions['jinja2']}, markupsafe {versions['markupsafe']}, Python {versions['python']}"
        checked.append(versions)
        for c, a, b in zip(cases, primary, other):
            if verdict(a) != verdict(b):
                c.setdefault("referenceVaries", []).append(label)

    groups = {}
    for r in left_out:
        key = r.split(":")[0] if r.startswith("context is not JSON") else r
        key = "environment option" if key.startswith("environment option") else key
        key = "test code the extractor does not follow" if key.startswith("unsupported") else key
        groups[key] = groups.get(key, 0) + 1
    data = {
        "about": [
            "Single-template cases of Jinja2's own tests, extracted by scripts/extract-jinja2-cases.py (rerun it",
            "rather than editing this file). Redistributed under Jinja2's BSD-3-Clause license: LICENSE.txt here.",
            "expect says what the upstream test expects in its own environment (render, render-error, syntax-error,",
            "compile: compiled only, rendered here with no context); upstreamExpected is its literal output there.",
            "referenceVaries lists the Jinja2 set-ups whose verdict differs from referenceMadeWith's.",
        ],
        "source": f"https://github.com/pallets/jinja/tree/{opts.tag}/tests",
        "tag": opts.tag,
        "commit": commit,
        "license": "BSD-3-Clause",
        "referenceMadeWith": primary_versions,
        "referenceCheckedWith": checked,
        "leftOut": dict(sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))),
        "cases": cases,
    }
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, "cases.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
        f.write("\n")
    subprocess.run(["npx", "prettier", "--write", path], cwd=ROOT, check=False, capture_output=True)

    print(f"{len(cases)} cases from {len(FILES)} files of pallets/jinja {opts.tag} ({commit[:12]}) -> {path}")
    print(f"left out: {len(left_out)}")
    for k, v in data["leftOut"].items():
        print(f"  {v:5d}  {k}")
    varies = sum(1 for c in cases if "referenceVaries" in c)
    print(f"cases whose reference varies between the set-ups checked: {varies}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

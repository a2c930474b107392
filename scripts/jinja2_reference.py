#!/usr/bin/env python3
"""Reference chat-template renderer: Jinja2 set up exactly as transformers' apply_chat_template does.

Reads JSON lines from stdin: {"id", "template", "context"} where context holds messages,
add_generation_prompt, tools, documents, the special tokens and any extra keyword arguments.
Writes one JSON line per job: {"id", "ok": true, "text"} or {"id", "ok": false, "kind": "raise"|"error", "message"},
with "compile": true when the error came from compiling the template (from_string), not from rendering it.

strftime_now uses a fixed date when the environment variable JINJA_REFERENCE_NOW is set
(ISO 8601, e.g. 2024-07-26T12:34:56), so that outputs compare with another engine.
A job may carry "compile_only": true to report only whether the template compiles.
"""

import json
import os
import sys
from datetime import datetime

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIXED_NOW = os.environ.get("JINJA_REFERENCE_NOW")


class AssistantTracker(Extension):
    """Like transformers' AssistantTracker: {% generation %}...{% endgeneration %} renders its body."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_generation_support"), [], [], body).set_lineno(lineno)

    @jinja2.pass_eval_context
    def _generation_support(self, context, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    now = datetime.fromisoformat(FIXED_NOW) if FIXED_NOW else datetime.now()
    return now.strftime(format)


def make_env():
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


class RaisedByTemplate(Exception):
    pass


def main():
    env = make_env()
    cache = {}
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        job = json.loads(line)
        source = job["template"]
        compiled = None
        try:
            compiled = cache.get(source)
            if compiled is None:
                try:
                    compiled = env.from_string(source)
                except Exception as e:  # compile errors are cached too
                    compiled = e
                cache[source] = compiled
            if isinstance(compiled, Exception):
                raise compiled
            if job.get("compile_only"):
                result = {"id": job["id"], "ok": True, "text": ""}
            else:
                text = compiled.render(**job.get("context", {}))
                result = {"id": job["id"], "ok": True, "text": text}
        except jinja2.exceptions.TemplateSyntaxError as e:
            result = {"id": job["id"], "ok": False, "kind": "error", "message": str(e), "compile": True}
        except jinja2.exceptions.TemplateError as e:
            # raise_exception raises TemplateError itself; Jinja2's own errors are subclasses
            if type(e) is jinja2.exceptions.TemplateError:
                result = {"id": job["id"], "ok": False, "kind": "raise", "message": str(e.message)}
            else:
                result = {"id": job["id"], "ok": False, "kind": "error", "message": str(e)}
        except RecursionError as e:
            result = {"id": job["id"], "ok": False, "kind": "error", "message": "RecursionError: " + str(e)}
        except Exception as e:  # TypeError, ValueError, ...
            result = {"id": job["id"], "ok": False, "kind": "error", "message": str(e)}
        if isinstance(compiled, Exception):
            result["compile"] = True
        # ASCII escapes: a text holding a lone surrogate (Python strings may) cannot be written as UTF-8,
        # and JSON.parse reads the escape back to the same string.
        out.write(json.dumps(result) + "\n")
    out.flush()


if __name__ == "__main__":
    main()

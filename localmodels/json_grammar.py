"""The GBNF grammar the embedded server uses for ``response_format {"type": "json_object"}``.

llama.cpp's own JSON-mode grammar lets the model put any amount of whitespace between tokens, and
SmolLM2-135M often spends the whole ``max_tokens`` budget on newlines and indentation. This one:

* produces exactly one JSON object (the root must be ``{...}``), balanced by construction;
* allows no whitespace between tokens except one optional space after ``:`` and ``,``; inside
  strings a space must be followed by a non-space character, so there are no runs of spaces;
* is bounded: objects nest at most ``DEPTH`` levels (the root included), objects and arrays have
  at most ``MEMBERS`` entries, strings at most ``STRING_UNITS`` characters (each optionally
  preceded by one space), numbers at most 16 digits before and after the point.
"""

from __future__ import annotations

DEPTH = 4
MEMBERS = 64
STRING_UNITS = 512


def json_object_grammar(
    depth: int = DEPTH, members: int = MEMBERS, string_units: int = STRING_UNITS
) -> str:
    if depth < 1 or members < 1 or string_units < 0:
        raise ValueError("depth and members must be >= 1, string_units >= 0")
    more = members - 1
    rules = {
        "root": f"obj{depth}",
        "sp": '" "?',
        "esc": '"\\\\" ( ["\\\\/bfnrt] | "u" [0-9a-fA-F]{4} )',
        # any character a JSON string may hold unescaped, except the space
        "nsp": '[^"\\\\\\x00-\\x20] | esc',
        "chr": 'nsp | " " nsp',
        "str": f'"\\"" chr{{0,{string_units}}} "\\""',
        "num": '"-"? ( "0" | [1-9] [0-9]{0,15} ) ( "." [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,3} )?',
        "scalar": 'str | num | "true" | "false" | "null"',
        "val0": "scalar",
    }
    for k in range(1, depth + 1):
        rules[f"obj{k}"] = f'"{{" ( mem{k} ( "," sp mem{k} ){{0,{more}}} )? "}}"'
        rules[f"mem{k}"] = f'str ":" sp val{k - 1}'
        if k < depth:  # the root is an object; arrays only appear inside it
            rules[f"arr{k}"] = f'"[" ( val{k - 1} ( "," sp val{k - 1} ){{0,{more}}} )? "]"'
            rules[f"val{k}"] = f"obj{k} | arr{k} | scalar"
    return "\n".join(f"{name} ::= {rule}" for name, rule in rules.items()) + "\n"


JSON_OBJECT_GRAMMAR = json_object_grammar()

"""Our scripts are served without their comments, token for token and line for line the same."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from webapp.js_comments import Unreadable, strip_comments, without_comments

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((REPO / "webapp" / "static" / "js").glob("*.js"))

#: espree (ESLint's parser, from node_modules): each file's tokens as [type, value, line].
TOKENS = r"""
const espree = require(process.argv[1]);
const files = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = files.map((code) => {
  for (const sourceType of ['module', 'script']) {
    try {
      return espree.tokenize(code, { ecmaVersion: 'latest', sourceType, loc: true })
        .map((t) => [t.type, t.value, t.loc.start.line]);
    } catch (e) { if (sourceType === 'script') return String(e); }
  }
});
process.stdout.write(JSON.stringify(out));
"""


def _tokens(sources: list[str]) -> list:  # type: ignore[type-arg]
    node = shutil.which("node")
    assert node, "node is needed (make setup-test installs it)"
    espree = REPO / "node_modules" / "espree"
    assert espree.is_dir(), "npm ci installs espree with ESLint"
    done = subprocess.run(
        [node, "-e", TOKENS, str(espree)],
        input=json.dumps(sources),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_every_script_keeps_its_tokens_on_their_lines_without_its_comments():
    originals = [path.read_text(encoding="utf-8") for path in SCRIPTS]
    stripped = [strip_comments(source) for source in originals]
    before, after = _tokens(originals), _tokens(stripped)
    for path, source, short, old, new in zip(SCRIPTS, originals, stripped, before, after, strict=True):
        assert isinstance(old, list), (path.name, old)
        assert new == old, path.name
        assert "//" not in short.replace("://", "") or path.name == "sw.js", path.name
        assert short.count("\n") == source.count("\n")
    assert sum(map(len, stripped)) < 0.9 * sum(map(len, originals))


@pytest.mark.parametrize(
    "source",
    [
        "const url = 'http://x/*y*/'; // a comment\nconst n = a / b / c; /* two\nlines */ f();\n",
        "const re = /[/*]+\\/\\/x/g.test(s) ? `a ${ {b: '//'}.b } /* c */ ${`${d}`}` : 1 /2/ 3;\n",
        "return /* inline */ x\n/** doc\n * more\n */\nfunction f() { return `line\n// not a comment` }\n",
        "if (a) { b = c } /re/.test(d); x = y\n/z/.exec(w)\n",
    ],
)
def test_strings_templates_and_regular_expressions_keep_what_looks_like_a_comment(source):
    (old,) = _tokens([source])
    (new,) = _tokens([strip_comments(source)])
    assert new == old


@pytest.mark.parametrize("source", ["/* open", "'open\n", "`open", "x = /open\n"])
def test_what_does_not_end_is_refused_and_then_served_whole(source):
    with pytest.raises(Unreadable):
        strip_comments(source)
    assert without_comments(source) == source  # a script served whole rather than not at all


def test_scripts_are_served_without_comments_and_the_worker_too(client):
    for path in SCRIPTS:
        if path.name == "sw.js":
            continue
        response = client.get(f"/static/js/{path.name}")
        assert response.status_code == 200, path.name
        assert response.data.decode() == strip_comments(path.read_text(encoding="utf-8"))
        again = client.get(f"/static/js/{path.name}", headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
        response.close()
        again.close()
    worker = client.get("/sw.js").data.decode()
    assert "function flush" in worker or "flush" in worker
    assert "/**" not in worker and "\n//" not in worker
    vendor = client.get("/static/vendor/leaflet/dist/leaflet.js")
    assert vendor.data == (REPO / "webapp/static/vendor/leaflet/dist/leaflet.js").read_bytes()
    vendor.close()

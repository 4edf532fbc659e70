'use strict';
// Every node set has its help and messages in every language we ship, with no missing key:
// the catalogs match key for key, every registered type has a help block, and every key the
// editor asks for (data-i18n attributes and node._(...) calls in nodes/*.html, with the shared
// files they include) is in the catalog.
require('should');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const NODES = path.join(ROOT, 'nodes');
const LANGUAGES = ['en-US', 'zh-CN'];
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const { expandIncludes, mergedCatalog } = require('../../scripts/copy-editor-files');

/** The node sets of package.json: {set, base} where base names nodes/<base>.html and the catalogs. */
const sets = Object.entries(pkg['node-red'].nodes).map(([set, file]) => ({ set, base: path.basename(file, '.js') }));

function read(file) {
  return fs.readFileSync(file, 'utf8');
}

/** nodes/<base>.html with its includes expanded (shared rows with the set's namespace filled in), as the build writes it. */
function editorHtml(base) {
  return expandIncludes(path.join(NODES, `${base}.html`));
}

/** The set's catalog as the build writes it: shared catalogs (nodes/shared/locales) merged in. */
function catalog(lang, base) {
  return mergedCatalog(lang, base);
}

/** Leaf keys of a catalog as dotted paths (objects are namespaces, everything else a message). */
function leafKeys(object, prefix = '') {
  return Object.keys(object).flatMap((key) => {
    const value = object[key];
    const dotted = prefix ? `${prefix}.${key}` : key;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? leafKeys(value, dotted) : [dotted];
  });
}

function lookup(object, dotted) {
  return dotted.split('.').reduce((at, part) => (at !== null && typeof at === 'object' && Object.prototype.hasOwnProperty.call(at, part) ? at[part] : undefined), object);
}

/** Types the editor registers (RED.nodes.registerType("...") in nodes/<base>.html). */
function editorTypes(html) {
  return [...html.matchAll(/RED\.nodes\.registerType\(\s*["']([^"']+)["']/g)].map((m) => m[1]);
}

/** Types the runtime registers (src/nodes/<base>.ts). */
function runtimeTypes(base) {
  return [...read(path.join(ROOT, 'src', 'nodes', `${base}.ts`)).matchAll(/registerType\(\s*["']([^"']+)["']/g)].map((m) => m[1]);
}

function helpNames(html) {
  return [...html.matchAll(/<script[^>]*\bdata-help-name=["']([^"']+)["'][^>]*>([\s\S]*?)<\/script>/g)].map((m) => ({ type: m[1], text: m[2].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() }));
}

function literals(text) {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'/g)].map((m) => (m[1] !== undefined ? m[1] : m[2]));
}

/** A parenthesised expression starting at text[open] === '(' (no strings with parentheses in ours). */
function balanced(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')') {
      depth -= 1;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  return '';
}

/**
 * The catalog keys an editor file uses, each with where it came from:
 *  - data-i18n="key" / "[attr]key;[attr]key" (the framing rows' @NS@ becomes the set's namespace);
 *  - NS + ".a.b" and NS + (cond ? ".a" : ".b") where `var NS = "netcast-x"`;
 *  - "netcast-x.a.b" literals;
 *  - helpers that build the key from an argument, e.g. function fail(node, opt, key) { ... NS + ".errors." + key }
 *    or t(node, key) { ... NS + "." + key }: every call with a literal there (and { key: "..." } objects
 *    for a `fail` helper); the shared framing editor's ns + ".framing.errors." + key helpers likewise.
 */
function usedKeys(html, namespace) {
  const keys = [];
  const add = (key, from) => keys.push({ key, from });
  const markup = html.replace(/@NS@/g, namespace);
  for (const m of markup.matchAll(/data-i18n=["']([^"']+)["']/g)) {
    for (const part of m[1].split(';')) add(part.replace(/^\[[^\]]*\]/, '').trim(), `data-i18n="${m[1]}"`);
  }
  const scripts = [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  for (const code of scripts) {
    const ns = /var NS\s*=\s*["']([^"']+)["']/.exec(code);
    const nsVar = ns ? 'NS' : 'ns';
    const nsValue = ns ? ns[1] : namespace;
    const concat = new RegExp(`\\b${nsVar}\\s*\\+\\s*`, 'g');
    for (const m of code.matchAll(concat)) {
      const rest = code.slice(m.index + m[0].length);
      const direct = /^(["'])([^"']*)\1(\s*\+\s*)?/.exec(rest);
      if (direct && !direct[3]) add(nsValue + direct[2], `${nsVar} + "${direct[2]}"`);
      else if (direct && direct[3]) {
        const after = rest.slice(direct[0].length);
        if (after.startsWith('(')) {
          for (const choice of literals(balanced(after, 0))) add(nsValue + direct[2] + choice, `${nsVar} + "${direct[2]}" + (... "${choice}" ...)`);
        }
      } else if (rest.startsWith('(')) {
        for (const choice of literals(balanced(rest, 0))) if (choice.startsWith('.')) add(nsValue + choice, `${nsVar} + (... "${choice}" ...)`);
      }
    }
    for (const literal of literals(code)) {
      if (/^netcast-[a-z]+\.[A-Za-z]/.test(literal)) add(literal, `"${literal}"`);
      if (!ns && /^framing\.errors\.[A-Za-z]+$/.test(literal)) add(`${namespace}.${literal}`, `"${literal}" (ns + "." + error)`);
    }
    // helpers: function name(a, b, key, ...) { ... <NS> + "<prefix>" + key ... }
    for (const fn of code.matchAll(/function\s+(\w+)\s*\(([^)]*)\)\s*\{/g)) {
      const params = fn[2].split(',').map((p) => p.trim());
      const body = balancedBraces(code, fn.index + fn[0].length - 1);
      params.forEach((param, index) => {
        const built = new RegExp(`\\b${nsVar}\\s*\\+\\s*["']([^"']*)["']\\s*\\+\\s*${param}\\b`).exec(body);
        if (!param || !built) return;
        const prefix = nsValue + built[1];
        for (const call of code.matchAll(new RegExp(`\\b${fn[1]}\\(`, 'g'))) {
          const args = splitArgs(balanced(code, call.index + call[0].length - 1));
          const arg = args[index] && /^(["'])([^"']*)\1$/.exec(args[index].trim());
          if (arg) add(prefix + arg[2], `${fn[1]}(... "${arg[2]}")`);
        }
        if (fn[1] === 'fail') {
          for (const m of code.matchAll(/\bkey:\s*["']([^"']+)["']/g)) add(prefix + m[1], `{ key: "${m[1]}" } for fail()`);
        }
      });
    }
  }
  return keys.filter(({ key }) => key.length > 0);
}

function balancedBraces(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth += 1;
    else if (text[i] === '}') {
      depth -= 1;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  return '';
}

function splitArgs(text) {
  const args = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if ('([{'.includes(ch)) depth += 1;
    else if (')]}'.includes(ch)) depth -= 1;
    else if (ch === ',' && depth === 0) {
      args.push(text.slice(start, i));
      start = i + 1;
    }
  }
  args.push(text.slice(start));
  return args;
}

describe('catalogs: help and messages in every language', function () {
  it('package.json lists the node sets: four transports, requests, control', function () {
    sets.map((s) => s.set).should.eql(['netcast-tcp', 'netcast-udp', 'netcast-multicast', 'netcast-websocket', 'netcast-request', 'netcast-control']);
  });

  for (const { set, base } of sets) {
    describe(set, function () {
      const html = editorHtml(base);
      const types = editorTypes(html);

      // an endpoint with its in and out nodes; the request set: tcp request and udp request; the control set: control
      const expected = { request: 2, control: 1 }[base] ?? 3;
      it(`the editor registers the same ${expected} types as the runtime`, function () {
        types.length.should.equal(expected);
        types.slice().sort().should.eql(runtimeTypes(base).slice().sort());
      });

      for (const lang of LANGUAGES) {
        it(`${lang}: has a message catalog under the set's namespace and a help file`, function () {
          fs.existsSync(path.join(NODES, 'locales', lang, `${base}.json`)).should.be.true(`${lang}/${base}.json is missing`);
          fs.existsSync(path.join(NODES, 'locales', lang, `${base}.html`)).should.be.true(`${lang}/${base}.html is missing`);
          Object.keys(catalog(lang, base)).should.eql([set]);
        });

        it(`${lang}: every message is a non-empty string`, function () {
          const messages = catalog(lang, base);
          const bad = leafKeys(messages).filter((key) => typeof lookup(messages, key) !== 'string' || lookup(messages, key).trim() === '');
          bad.should.eql([], `${lang}/${base}.json has empty or non-string messages`);
        });

        it(`${lang}: help for every registered type, with text`, function () {
          const help = helpNames(read(path.join(NODES, 'locales', lang, `${base}.html`)));
          help.map((h) => h.type).slice().sort().should.eql(types.slice().sort());
          for (const { type, text } of help) text.length.should.be.above(100, `${lang} help of ${type} is (nearly) empty`);
        });
      }

      it('en-US and zh-CN catalogs have exactly the same keys', function () {
        const en = leafKeys(catalog('en-US', base));
        const zh = leafKeys(catalog('zh-CN', base));
        en.filter((k) => !zh.includes(k)).should.eql([], 'keys missing in zh-CN');
        zh.filter((k) => !en.includes(k)).should.eql([], 'keys missing in en-US');
      });

      it('the same __placeholders__ in both languages, message by message', function () {
        const en = catalog('en-US', base);
        const zh = catalog('zh-CN', base);
        const names = (text) => (String(text).match(/__\w+__/g) || []).sort();
        const differ = leafKeys(en).filter((key) => JSON.stringify(names(lookup(en, key))) !== JSON.stringify(names(lookup(zh, key))));
        differ.should.eql([]);
      });

      it("placeholders are Node-RED's __name__, never {{name}} (the editor and runtime would show the braces)", function () {
        for (const lang of LANGUAGES) {
          const messages = catalog(lang, base);
          leafKeys(messages).filter((key) => /\{\{\s*\w+\s*\}\}/.test(lookup(messages, key))).should.eql([], `${lang}/${base}.json`);
        }
      });

      it('zh-CN is translated: its help and messages are in Chinese', function () {
        const han = /[\u4e00-\u9fff]/;
        const zh = catalog('zh-CN', base);
        const labels = leafKeys(zh).filter((key) => /\.label\./.test(key));
        labels.filter((key) => !han.test(lookup(zh, key))).length.should.be.below(labels.length / 4);
        for (const { type, text } of helpNames(read(path.join(NODES, 'locales', 'zh-CN', `${base}.html`)))) {
          han.test(text).should.be.true(`zh-CN help of ${type} has no Chinese text`);
        }
      });

      it('every key the editor uses is in both catalogs', function () {
        const used = usedKeys(html, set);
        used.length.should.be.above(20);
        for (const lang of LANGUAGES) {
          const messages = catalog(lang, base);
          const missing = used.filter(({ key }) => typeof lookup(messages, key) !== 'string').map(({ key, from }) => `${key}  (${from})`);
          [...new Set(missing)].should.eql([], `${lang}/${base}.json lacks keys used by nodes/${base}.html`);
        }
      });
    });
  }

  it('the key finder sees every kind of use (self-check)', function () {
    const sample = `<span data-i18n="[html]netcast-x.tip.a;[placeholder]netcast-x.b"></span><i data-i18n="@NS@.framing.c"></i>
<script type="text/javascript">
var NS = "netcast-x";
function t(node, key) { return node._(NS + "." + key); }
function fail(node, opt, key, args) { return node._(NS + ".errors." + key, args); }
t(node, "tabs.one"); fail(this, opt, "port"); var p = { key: "notAddress", args: {} };
node._(NS + ".inputs.send"); node._(NS + (i === 0 ? ".outputs.data" : ".outputs.events"));
x(NS + ".errors." + (names ? "host" : "address"));
</script>`;
    usedKeys(sample, 'netcast-x').map((k) => k.key).sort().should.eql([
      'netcast-x.b', 'netcast-x.errors.address', 'netcast-x.errors.host', 'netcast-x.errors.notAddress', 'netcast-x.errors.port',
      'netcast-x.framing.c', 'netcast-x.inputs.send', 'netcast-x.outputs.data', 'netcast-x.outputs.events', 'netcast-x.tabs.one', 'netcast-x.tip.a',
    ]);
  });
});

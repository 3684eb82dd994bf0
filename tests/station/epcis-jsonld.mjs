// epcis-jsonld.mjs: an exported EPCIS document read the way a JSON-LD platform reads it.
// jsonld.js expands every event alone (each carries its @context) and the whole document in
// safe mode, which throws where a value would be dropped; then every "pt:" member must be
// there under the station's namespace with its value, nested ones (grade distribution,
// defects, tolerances) whole, and every sensor report with its GS1 measurement type, unit
// and values.  Contexts come from files and the running station, never the network: GS1's
// context from EPCIS_CONTEXT_FILE, the station's from STATION_URL over loopback.
// Prints one line per check: "PASS what" or "FAIL what: detail".
// argv: EXPORT_JSON EPCIS_CONTEXT_FILE STATION_URL
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';

const require = createRequire(process.env.NPM_DIR + '/');
const jsonld = require('jsonld');
const [exportPath, epcisContextPath, stationUrl] = process.argv.slice(2);

const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
const PT_CONTEXT_PATH = '/ns/packtrace/v1/context.jsonld';
const NS = 'https://w3id.org/packtrace/ns/v1/';
const EPCIS = 'https://ref.gs1.org/epcis/';

const pass = (what) => console.log(`PASS ${what}`);
const fail = (what, detail) =>
  console.log(`FAIL ${what}: ${String(detail).replace(/\n/g, ' ')}`);
const check = (cond, what, detail) => (cond ? pass(what) : fail(what, detail));

const epcisContext = JSON.parse(readFileSync(epcisContextPath, 'utf8'));
let stationContext = null;
async function documentLoader(url) {
  if (url === EPCIS_CONTEXT_URL)
    return { contextUrl: null, documentUrl: url, document: epcisContext };
  if (new URL(url).pathname === PT_CONTEXT_PATH) {
    if (!stationContext) {
      const res = await fetch(stationUrl + PT_CONTEXT_PATH);
      if (!res.ok) throw new Error(`${stationUrl}${PT_CONTEXT_PATH}: HTTP ${res.status}`);
      stationContext = await res.json();
    }
    return { contextUrl: null, documentUrl: url, document: stationContext };
  }
  throw new Error(`no network in this test: ${url}`);
}

const expand = (input) => jsonld.expand(input, { documentLoader, safe: true });
const value = (node, iri) => (node[iri] || [])[0];

// A "pt:" member of @event against its expansion: @json values whole, others as scalars.
function samePt(node, key, original) {
  const v = value(node, NS + key.slice(3));
  if (!v) return `${key} missing`;
  if (v['@type'] === '@json')
    return isDeepStrictEqual(v['@value'], original) ? null : `${key} changed`;
  if (typeof original === 'object') return `${key} is not kept as JSON`;
  return v['@value'] === original ? null : `${key}: ${JSON.stringify(v)} != ${original}`;
}

// Each sensor report of @element against the expanded @node, by its "pt:measure".
function sameReports(node, element) {
  const reports = node[EPCIS + 'sensorReport'] || [];
  if (reports.length !== element.sensorReport.length)
    return `${reports.length} reports expanded of ${element.sensorReport.length}`;
  for (const r of element.sensorReport) {
    const x = reports.find((e) => value(e, NS + 'measure')?.['@value'] === r['pt:measure']);
    if (!x) return `report ${r['pt:measure']} missing`;
    const type = value(x, EPCIS + 'measurementType')?.['@id'] || '';
    if (!/^https:\/\/[^ ]+\/voc\//.test(type) || !type.endsWith(r.type))
      return `report ${r['pt:measure']}: type ${type} for ${r.type}`;
    if (value(x, EPCIS + 'uom')?.['@value'] !== r.uom) return `report ${r['pt:measure']}: uom`;
    for (const k of ['value', 'minValue', 'maxValue', 'meanValue']) {
      if (!(k in r)) continue;
      const got = Number(value(x, EPCIS + k)?.['@value']);
      if (got !== r[k]) return `report ${r['pt:measure']}: ${k} ${got} != ${r[k]}`;
    }
  }
  return null;
}

const doc = JSON.parse(readFileSync(exportPath, 'utf8'));
const events = doc.epcisBody.eventList;
let graded = 0;
for (const [i, event] of events.entries()) {
  const name = `event ${i + 1} (${event.bizStep})`;
  let node;
  try {
    [node] = await expand(event);
    pass(`${name} expands in safe mode`);
  } catch (e) {
    fail(`${name} expands in safe mode`, e.message + (e.details ? ' ' + JSON.stringify(e.details).slice(0, 300) : ''));
    continue;
  }
  const keys = Object.keys(event).filter((k) => k.startsWith('pt:'));
  const lost = keys.map((k) => samePt(node, k, event[k])).filter((x) => x);
  check(lost.length === 0, `${name}: all ${keys.length} pt: members kept with their values`, lost.join('; '));
  if (event.bizStep !== 'inspecting' || !event['pt:gradeDistribution']) continue;
  graded++;
  for (const k of ['pt:gradeDistribution', 'pt:sizeDistribution', 'pt:defects', 'pt:tolerances', 'pt:evidence'])
    check(samePt(node, k, event[k]) === null, `${name}: ${k} survives whole`, samePt(node, k, event[k]));
  const elements = node[EPCIS + 'sensorElementList'] || [];
  check(elements.length === event.sensorElementList?.length && elements.length >= 2,
    `${name}: ${elements.length} sensor elements (the lot and each class)`,
    `${elements.length} expanded of ${event.sensorElementList?.length}`);
  for (const element of event.sensorElementList || []) {
    const cls = element['pt:fruitClass'];
    const x = elements.find((e) => value(e, NS + 'fruitClass')?.['@value'] === cls);
    const why = x ? sameReports(x, element) : `element ${cls ?? 'lot'} missing`;
    check(why === null, `${name}: sensor reports of ${cls ? 'class ' + cls : 'the lot'} with types, units and values`, why);
  }
}
check(graded > 0, 'the export has a graded inspecting event', 'none found');
try {
  await expand(doc);
  pass('the whole document expands in safe mode');
} catch (e) {
  fail('the whole document expands in safe mode', e.message);
}

// The check can fail: the inspecting event named the way events were before the station's
// context existed (the prefix alone) loses its nested grading in safe mode.
const inspecting = events.find((e) => e['pt:gradeDistribution']);
if (inspecting) {
  const bare = { ...inspecting, '@context': inspecting['@context'].filter((c) => typeof c !== 'string' || c === EPCIS_CONTEXT_URL) };
  try {
    await expand(bare);
    fail('without the station context safe mode refuses the event', 'it expanded');
  } catch (e) {
    check(/safe mode|dropped|invalid property|empty object/i.test(e.message + JSON.stringify(e.details || {})),
      'without the station context safe mode refuses the event', e.message);
  }
}

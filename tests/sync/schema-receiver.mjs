// schema-receiver.mjs SCHEMA LOG: an EPCIS 2.0 repository's capture interface as a strict
// one validates it: every POST /capture document is checked against GS1's EPCIS JSON schema
// with ajv (the library behind GS1's own recipe), refused whole with 400 and the errors when
// any part is invalid, accepted with 202 otherwise.  Listens on 127.0.0.1 (an ephemeral
// port, printed first); appends one JSON line per request to LOG:
//   {"status": 202|400, "events": N, "eventIds": [...], "bizSteps": [...], "errors": [...]}
// NPM_DIR names the folder ajv and ajv-formats were installed into (tests/npm-tools.sh).
import fs from 'fs';
import http from 'http';
import { createRequire } from 'module';
import path from 'path';

const require = createRequire(path.join(process.env.NPM_DIR, 'node_modules', 'x.js'));
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const [schemaPath, logPath] = process.argv.slice(2);
const ajv = new Ajv({ strict: false, allErrors: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));
const MAX_BODY = 16 * 1024 * 1024;

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > MAX_BODY) req.destroy();
    else chunks.push(c);
  });
  req.on('end', () => {
    const answer = (status, record) => {
      fs.appendFileSync(logPath, JSON.stringify({ status, ...record }) + '\n');
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(record));
    };
    if (req.method !== 'POST' || !req.url.startsWith('/capture')) {
      answer(404, { error: `no route ${req.method} ${req.url}` });
      return;
    }
    let doc;
    try {
      doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (e) {
      answer(400, { errors: [`not JSON: ${e.message}`] });
      return;
    }
    const events = doc?.epcisBody?.eventList ?? [];
    const record = {
      events: events.length,
      eventIds: events.map((e) => e.eventID),
      bizSteps: events.map((e) => e.bizStep),
    };
    if (!validate(doc)) {
      record.errors = validate.errors.slice(0, 5).map((e) => `${e.instancePath} ${e.message}`);
      answer(400, record);
      return;
    }
    answer(202, record);
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(server.address().port);
});

// Runs the real, unmodified ServiceBusAdministrationClient of @azure/service-bus in its own Node
// process, started with NODE_EXTRA_CA_CERTS=<tls-dir>/ca.pem: exactly how users make Node trust
// the emulator's certificate (Node reads that variable only at process start).
//
// Protocol: one JSON request per stdin line, one JSON reply per stdout line.
//   { id, connectionString, op: 'call',  method, args }            -> await client[method](...args)
//   { id, connectionString, op: 'pages', method, args, pageSize }  -> every page of client[method](...args).byPage({ maxPageSize })
//   { id, connectionString, op: 'all',   method, args }            -> every item of for await (client[method](...args))
// Reply: { id, ok: true, result } or { id, ok: false, error: { name, code, statusCode, message } }.
import readline from 'node:readline';
import { ServiceBusAdministrationClient } from '@azure/service-bus';

const clients = new Map();
const clientFor = (cs) => {
  let c = clients.get(cs);
  if (!c) {
    c = new ServiceBusAdministrationClient(cs);
    clients.set(cs, c);
  }
  return c;
};

const send = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);

readline.createInterface({ input: process.stdin }).on('line', async (line) => {
  const req = JSON.parse(line);
  try {
    const client = clientFor(req.connectionString);
    let result;
    if (req.op === 'call') {
      result = await client[req.method](...req.args);
    } else if (req.op === 'pages') {
      result = [];
      for await (const page of client[req.method](...req.args).byPage({ maxPageSize: req.pageSize })) result.push([...page]);
    } else if (req.op === 'all') {
      result = [];
      for await (const item of client[req.method](...req.args)) result.push(item);
    } else {
      throw new Error(`unknown op ${req.op}`);
    }
    send({ id: req.id, ok: true, result: result === undefined ? null : result });
  } catch (e) {
    send({ id: req.id, ok: false, error: { name: e?.name, code: e?.code, statusCode: e?.statusCode, message: String(e?.message ?? e) } });
  }
});

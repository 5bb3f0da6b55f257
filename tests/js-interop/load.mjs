// The stock JS client under load: many automerge-repo `Repo` clients in one Node process, as
// a browser tab fleet or an app fleet would be, against one relay (jiran-relay or the JS
// reference relay). scripts/load-bench runs it against both in the same run and prints the
// ratios; this script prints one JSON line of figures per scenario and exits non-zero when a
// scenario does not converge in time.
//
// Usage: node load.mjs SCENARIO WS_URL [TOKEN]
//   burst   CLIENTS clients on one document make BURST changes between them (in turn, as fast
//           as they can): time until every client holds all of them, and what the clients
//           received
//   rounds  the same clients; ROUNDS times, one client (in turn) makes one change: time
//           until all the others hold it (p50, p99)
//   fetch   one client creates DOCS documents; a fresh client then finds them all: time
//           until it holds every one
// Sizes from the environment: CLIENTS (50), BURST (200), ROUNDS (50), DOCS (2000).
// Bytes and messages are counted on the clients' websockets (the `ws` package the stock
// adapter uses in Node), from the moment a scenario's measured part starts. With RELAY_PID
// set, the relay's CPU time over the measured part and its resident memory at the end are
// read from /proc (Linux).
import { Repo } from "@automerge/automerge-repo";
import { BrowserWebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { readFileSync } from "node:fs";
import WebSocket from "ws";

const [scenario, url, token] = process.argv.slice(2);
const CLIENTS = Number(process.env.CLIENTS ?? 50);
const BURST = Number(process.env.BURST ?? 200);
const ROUNDS = Number(process.env.ROUNDS ?? 50);
const DOCS = Number(process.env.DOCS ?? 2000);
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS ?? 240_000);

// Every message a client's websocket receives, counted where the adapter cannot miss it.
const received = { bytes: 0, messages: 0 };
const emit = WebSocket.prototype.emit;
let socketErrors = 0;
const closes = {};
WebSocket.prototype.emit = function (event, data, ...rest) {
  if (event === "close") closes[data] = (closes[data] ?? 0) + 1;
  if (event === "message") {
    received.messages += 1;
    received.bytes += data?.byteLength ?? data?.length ?? 0;
  }
  if (event === "error" && this.listenerCount("error") === 0) {
    // A socket closed by `Repo.shutdown` while still connecting: counted, not fatal.
    socketErrors += 1;
    return false;
  }
  return emit.call(this, event, data, ...rest);
};
const resetCounters = () => {
  received.bytes = 0;
  received.messages = 0;
};

const RELAY_PID = process.env.RELAY_PID;
const TICKS_PER_S = 100; // USER_HZ on Linux
/** The relay's user + system CPU seconds so far, or null without RELAY_PID. */
function relayCpu() {
  if (!RELAY_PID) return null;
  const stat = readFileSync(`/proc/${RELAY_PID}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}
/** The relay's resident memory in MB, or null without RELAY_PID. */
function relayRssMb() {
  if (!RELAY_PID) return null;
  const status = readFileSync(`/proc/${RELAY_PID}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  return +(kb / 1024).toFixed(1);
}
/** Relay CPU seconds since `since` (a `relayCpu()` reading), or null. */
const cpuSince = (since) => (since === null ? null : +(relayCpu() - since).toFixed(2));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();
const target = token ? `${url}?token=${token}` : url;
const client = () => new Repo({ network: [new BrowserWebSocketClientAdapter(target, 1000)] });
const same = (a, b) => a.length === b.length && a.every((h, i) => h === b[i]);
const sortedHeads = (handle) => [...handle.heads()].sort();

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

/** Resolves when `check()` holds, polling every `everyMs`; fails the run after the timeout,
 * saying what `explain()` says of the state then. */
async function until(what, check, everyMs = 2, explain = () => "", fatal = true) {
  const deadline = now() + TIMEOUT_MS;
  while (!check()) {
    if (now() > deadline) {
      if (!fatal) return false;
      fail(`timed out waiting for ${what}${explain()}; websocket closes by code: ${JSON.stringify(closes)}`);
    }
    await sleep(everyMs);
  }
  return true;
}

async function findWithRetries(repo, docUrl) {
  const deadline = now() + TIMEOUT_MS;
  for (;;) {
    try {
      return await repo.find(docUrl);
    } catch (e) {
      if (now() > deadline) fail(`could not find ${docUrl}: ${e}`);
      await sleep(200);
    }
  }
}

/** CLIENTS clients all holding one document the first one created. */
async function fleet() {
  const repos = Array.from({ length: CLIENTS }, client);
  const first = repos[0].create();
  first.change((d) => {
    d.count = 0;
  });
  await sleep(1000);
  const handles = [first];
  for (const repo of repos.slice(1)) handles.push(await findWithRetries(repo, first.url));
  const heads = sortedHeads(first);
  await until("every client to hold the document", () =>
    handles.every((h) => same(sortedHeads(h), heads)),
  );
  await sleep(500);
  return { repos, handles };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function burst() {
  const { handles } = await fleet();
  resetCounters();
  const cpu = relayCpu();
  const started = now();
  // BURST changes as fast as the clients make them, spread over every client in turn (each
  // writes its own key), so the relay fans out many writers' changes to everyone at once.
  const last = new Map();
  for (let i = 0; i < BURST; i++) {
    const who = i % handles.length;
    last.set(who, i);
    handles[who].change((d) => {
      d[`c${who}`] = i;
    });
  }
  const holdsAll = (h) => {
    const doc = h.doc();
    for (const [who, value] of last) if (doc[`c${who}`] !== value) return false;
    return true;
  };
  const explain = () => {
    const behind = handles.map((h, i) => [i, h]).filter(([, h]) => !holdsAll(h));
    const missing = behind.map(([i, h]) => {
      const doc = h.doc();
      const lacking = [...last].filter(([who, value]) => doc[`c${who}`] !== value).length;
      return `client ${i} lacks ${lacking} writers' last changes`;
    });
    return `: ${behind.length} clients behind (${missing.slice(0, 5).join("; ")})`;
  };
  const converged = await until("every client to hold the burst", () => handles.every(holdsAll), 2, explain, false);
  if (!converged) {
    // What the relay itself holds: a fresh client fetches the document.
    const fresh = await findWithRetries(client(), handles[0].url);
    await sleep(2000);
    const lacking = [...last].filter(([who, value]) => fresh.doc()[`c${who}`] !== value);
    fail(`${explain()}; a fresh client lacks ${JSON.stringify(lacking.map(([w]) => w))}; closes ${JSON.stringify(closes)}`);
  }
  const seconds = (now() - started) / 1000;
  return {
    scenario: "burst",
    clients: CLIENTS,
    changes: BURST,
    converge_s: +seconds.toFixed(3),
    bytes_received: received.bytes,
    messages_received: received.messages,
    relay_cpu_s: cpuSince(cpu),
  };
}

async function rounds() {
  const { handles } = await fleet();
  resetCounters();
  const cpu = relayCpu();
  const latencies = [];
  for (let r = 0; r < ROUNDS; r++) {
    const writer = handles[r % handles.length];
    const others = handles.filter((h) => h !== writer);
    const started = now();
    writer.change((d) => {
      d.count = -r - 1;
    });
    const heads = sortedHeads(writer);
    await until(`round ${r}`, () => others.every((h) => same(sortedHeads(h), heads)), 1);
    latencies.push(now() - started);
  }
  latencies.sort((a, b) => a - b);
  return {
    scenario: "rounds",
    clients: CLIENTS,
    rounds: ROUNDS,
    p50_ms: +percentile(latencies, 50).toFixed(1),
    p99_ms: +percentile(latencies, 99).toFixed(1),
    bytes_received: received.bytes,
    messages_received: received.messages,
    relay_cpu_s: cpuSince(cpu),
  };
}

async function fetch() {
  const creator = client();
  const urls = [];
  for (let i = 0; i < DOCS; i++) {
    const handle = creator.create();
    handle.change((d) => {
      d.household = `household ${i}`;
      d.needs = ["food"];
    });
    urls.push(handle.url);
  }
  // Wait until the relay holds every document: a probe client finds them all (a repo keeps
  // a document it was told is unavailable as unavailable, so each attempt is a new client).
  const deadline = now() + TIMEOUT_MS;
  for (let pending = urls; pending.length; ) {
    if (now() > deadline) fail(`the relay never held ${pending.length} of ${DOCS} documents`);
    await sleep(1000);
    const probe = client();
    const found = await Promise.all(pending.map((u) => probe.find(u).then(() => true, () => false)));
    pending = pending.filter((_, i) => !found[i]);
    await probe.shutdown();
  }
  const fresh = client();
  resetCounters();
  const cpu = relayCpu();
  const started = now();
  const handles = await Promise.all(urls.map((u) => findWithRetries(fresh, u)));
  const seconds = (now() - started) / 1000;
  const missing = handles.filter((h) => !h.doc()?.household).length;
  if (missing) fail(`${missing} of ${DOCS} documents arrived empty`);
  return {
    scenario: "fetch",
    docs: DOCS,
    fetch_s: +seconds.toFixed(3),
    bytes_received: received.bytes,
    messages_received: received.messages,
    relay_cpu_s: cpuSince(cpu),
    relay_rss_mb: relayRssMb(),
  };
}

const scenarios = { burst, rounds, fetch };
if (!scenarios[scenario] || !url) {
  console.error("usage: node load.mjs burst|rounds|fetch WS_URL [TOKEN]");
  process.exit(2);
}
const result = await scenarios[scenario]();
console.log(JSON.stringify({ ...result, socket_errors: socketErrors, closes }));
process.exit(0);

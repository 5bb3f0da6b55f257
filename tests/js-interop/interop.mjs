// Two stock automerge-repo clients of one antenna share a document through jiran-relay and
// see each other's ephemeral messages (presence), each once; a third, with another antenna's
// token, cannot find it.
//
// Usage: node interop.mjs WS_URL TOKEN_A1 TOKEN_A2 TOKEN_B
import { Repo } from "@automerge/automerge-repo";
import { BrowserWebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";

const [url, tokenA1, tokenA2, tokenB] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const repo = (token) =>
  new Repo({ network: [new BrowserWebSocketClientAdapter(`${url}?token=${token}`)] });

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

async function findWithRetries(r, docUrl, attempts) {
  let last;
  for (let i = 0; i < attempts; i++) {
    try {
      const handle = await r.find(docUrl);
      return handle;
    } catch (e) {
      last = e;
      await sleep(500);
    }
  }
  throw last;
}

const a1 = repo(tokenA1);
const created = a1.create();
created.change((d) => {
  d.household = "registered offline";
  d.needs = ["food", "rent"];
});
await sleep(1000);

const a2 = repo(tokenA2);
const found = await findWithRetries(a2, created.url, 10).catch((e) => fail(`same antenna: ${e}`));
const doc = found.doc();
if (doc.household !== "registered offline" || doc.needs.length !== 2) {
  fail(`same antenna saw ${JSON.stringify(doc)}`);
}
console.log("ok: a second client of the antenna found the document");

// An edit from the second client reaches the first through the relay.
found.change((d) => d.needs.push("medical"));
let seen = false;
for (let i = 0; i < 20 && !seen; i++) {
  await sleep(250);
  seen = created.doc().needs.length === 3;
}
if (!seen) fail("the first client never saw the second client's edit");
console.log("ok: an edit travelled back through the relay");

// Presence: an ephemeral message from the second client reaches the first, once, under the
// second client's peer id.
const heard = [];
created.on("ephemeral-message", (e) => heard.push(e));
found.broadcast({ typing: "Sami", at: "household card" });
for (let i = 0; i < 20 && heard.length === 0; i++) await sleep(250);
if (heard.length !== 1 || heard[0].message?.typing !== "Sami") {
  fail(`the first client heard ${JSON.stringify(heard.map((e) => e.message))}`);
}
if (heard[0].senderId !== a2.peerId) fail(`presence came from ${heard[0].senderId}, not ${a2.peerId}`);
console.log("ok: presence travelled between the antenna's clients");

const b = repo(tokenB);
let stranger;
try {
  stranger = await b.find(created.url);
} catch (e) {
  console.log(`ok: another antenna cannot find it (${String(e.message ?? e).slice(0, 60)})`);
}
if (stranger) fail(`another antenna found the document: ${JSON.stringify(stranger.doc())}`);
found.broadcast({ typing: "Sami", at: "second card" });
await sleep(500);
if (heard.length !== 2) fail(`the first client heard ${heard.length - 1} more presence messages, not 1`);

console.log("interop: 4 passed, 0 failed");
process.exit(0);

// The JS reference relay: the equivalent of automerge-repo-sync-server (a Repo with the Node
// websocket server adapter and filesystem storage, share policy false). The load benchmark
// measures jiran-relay against it.
//
// Usage: node reference-relay.mjs PORT STORAGE_DIR
import { Repo } from "@automerge/automerge-repo";
import { NodeWSServerAdapter } from "@automerge/automerge-repo-network-websocket";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { WebSocketServer } from "ws";

const [port, dir] = process.argv.slice(2);
const wss = new WebSocketServer({ port: Number(port), host: "127.0.0.1" });
new Repo({
  network: [new NodeWSServerAdapter(wss)],
  storage: new NodeFSStorageAdapter(dir),
  sharePolicy: async () => false,
});
wss.on("listening", () => console.log(`reference relay listening on ws://127.0.0.1:${port}`));

// The till's outbox: the changes the server has not answered yet (no
// network, or an answer lost on the way back), kept in IndexedDB so that
// they outlive a reload or a closed tab, and sent again, as they were, when
// the network returns. Each one carries what makes it happen once on the
// server whatever the number of tries: an earning its receipt number, a
// redemption its Idempotency-Key.

const name = "fidelio-till";
const store = "outbox";
let db = null;

function open() {
  if (db) return db;
  db = new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(store, { keyPath: "id", autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return db;
}

async function run(mode, f) {
  const d = await open();
  return new Promise((resolve, reject) => {
    const tx = d.transaction(store, mode);
    const req = f(tx.objectStore(store));
    tx.oncomplete = () => resolve(req?.result);
    tx.onerror = () => reject(tx.error);
  });
}

// add keeps a change: {kind, path, json, key, tries, ...what to show}.
export const add = (item) => run("readwrite", (s) => s.add(item));

// all lists the changes kept, oldest first.
export const all = () => run("readonly", (s) => s.getAll());

export const remove = (id) => run("readwrite", (s) => s.delete(id));

export const update = (item) => run("readwrite", (s) => s.put(item));

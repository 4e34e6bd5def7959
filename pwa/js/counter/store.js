// The offline counter's storage (IndexedDB "xinyi-counter"): the last offline bundle, and the
// queue of checks and confirmed benefits waiting to be sent (syncOfflineRedemptions). The
// bundle holds keys that open a week of passes: it is kept per partner, and its keys expire
// with the passes they open (docs/operations.md, "Offline counters").

const DB = "xinyi-counter";
const VERSION = 1;

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("bundle")) db.createObjectStore("bundle");
      if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "id" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(store, mode, work) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const result = work(tx.objectStore(store));
      tx.oncomplete = () => resolve(result?.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export const loadBundle = (partnerId) => run("bundle", "readonly", (s) => s.get(String(partnerId)));
export const saveBundle = (partnerId, bundle) => run("bundle", "readwrite", (s) => s.put(bundle, String(partnerId)));
export const queue = (item) => run("queue", "readwrite", (s) => s.put(item));
export const pending = () => run("queue", "readonly", (s) => s.getAll());
export const forget = (ids) =>
  run("queue", "readwrite", (s) => {
    for (const id of ids) s.delete(id);
  });

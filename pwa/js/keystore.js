// IndexedDB for the pass: the device key pair (a non-extractable CryptoKeyPair: structured
// clone keeps it non-extractable, so the private key never leaves this browser) and the
// latest certificate. Both survive reloads and work offline.

const DB_NAME = "xinyi-pass";
const STORE = "pass";
let opening = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function open() {
  if (!opening) {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    opening = request(req).then((db) => {
      // Another tab upgrading the schema: let it, and reopen next time.
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      return db;
    });
    opening.catch(() => {
      opening = null;
    });
  }
  return opening;
}

async function run(mode, action) {
  const db = await open();
  const tx = db.transaction(STORE, mode);
  const done = new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  const result = request(action(tx.objectStore(STORE)));
  result.catch(() => {}); // the transaction's own error is the one reported
  await done;
  return result;
}

export function get(key) {
  return run("readonly", (store) => store.get(key));
}

export function put(key, value) {
  return run("readwrite", (store) => store.put(value, key));
}

export function remove(key) {
  return run("readwrite", (store) => store.delete(key));
}

export function clear() {
  return run("readwrite", (store) => store.clear());
}

/** The engine's IndexedDB databases (same origin as the test page), opened and closed per call. */
export interface Database {
  readonly name: string;
  readonly store: string;
}

export const SYMBOL_DB: Database = { name: 'memscope-symbols', store: 'isf' };
export const DISCOVERY_DB: Database = { name: 'memscope-discovery', store: 'entries' };
export const PLUGIN_DB: Database = { name: 'memscope-plugins', store: 'modules' };
/** The runs the page keeps per image: tests on one generated image would otherwise see each other's. */
export const RESULTS_DB: Database = { name: 'memscope-results', store: 'runs' };

/** Deletes a database (the request waits while the last worker using it shuts down). */
export async function deleteDatabase(db: Database): Promise<void> {
  await settle(indexedDB.deleteDatabase(db.name));
}

/** Every [key, value] of the database's store. */
export async function entries(db: Database): Promise<[IDBValidKey, unknown][]> {
  return withStore(db, 'readonly', async (store) => {
    const [keys, values] = await Promise.all([settle(store.getAllKeys()), settle(store.getAll())]);
    return keys.map((k, i): [IDBValidKey, unknown] => [k, values[i]]);
  });
}

export async function putEntry(db: Database, key: IDBValidKey, value: unknown): Promise<void> {
  await withStore(db, 'readwrite', (store) => settle(store.put(value, key)));
}

async function withStore<T>(db: Database, mode: IDBTransactionMode, work: (store: IDBObjectStore) => Promise<T>): Promise<T> {
  const open = indexedDB.open(db.name);
  // Only look: a database the engine has not made must not be made here (the engine would find no store).
  open.onupgradeneeded = () => open.transaction!.abort();
  const connection = await settle(open).catch(() => {
    throw new Error(`IndexedDB database ${db.name} does not exist`);
  });
  try {
    return await work(connection.transaction(db.store, mode).objectStore(db.store));
  } finally {
    connection.close();
  }
}

function settle<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
